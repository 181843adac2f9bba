// demo-history.test.mjs — the whole `ftz demo` (src/demo/history.c): about 400 firms with
// valid credit codes and close to 1,000 demands of January–April 2024 written through the
// services, checked through the API as any user would see them: every demand assessed unless
// it was withdrawn, rejected or merged before that; the three rates realistic, not perfect
// (with their numerators and denominators); overdue, late and reopened cases; reminders and
// escalations of the sweep in the timelines; every channel and several lead units; and a
// second `ftz demo` changing nothing. The other test files run `ftz demo --minimal`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, expectList, expectStatus, ftz } from './lib.mjs';

const h = useServer('demo-history', { fullDemo: true });

const USCC = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Whether code is a valid GB 32100 credit code with a valid GB 11714 organisation code. */
function validCreditCode(code) {
  if (!/^[0-9A-HJ-NP-RTUWXY]{18}$/.test(code)) return false;
  const ow = [3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 8; i++) {
    const ch = code[8 + i];
    s += (/[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55) * ow[i];
  }
  const oc = 11 - (s % 11);
  if (code[16] !== (oc === 10 ? 'X' : oc === 11 ? '0' : String(oc))) return false;
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC.indexOf(code[i]) * w[i];
  const c = 31 - (sum % 31);
  return code[17] === USCC[c === 31 ? 0 : c];
}

/** The body of a 200 response. */
function body200(r) {
  expectStatus(r, 200);
  return r.body;
}

/** Every item of a list, page by page (200 a page). */
async function all(client, path) {
  const out = [];
  for (let page = 1; ; page++) {
    const sep = path.includes('?') ? '&' : '?';
    const b = expectList(await client.get(`${path}${sep}per_page=200&page=${page}`));
    out.push(...b.items);
    if (out.length >= b.total || b.items.length === 0) return { items: out, total: b.total };
  }
}

let firms;
let demands;

h.setup(async () => {
  const admin = await h.login('admin');
  firms = await all(admin, '/api/v1/firms?sort=id');
  demands = await all(admin, '/api/v1/demands?sort=id');
});

test('about 400 firms, each with a valid credit code; cross-border ones with customs codes and Russian names', async (t) => {
  await h.ready();
  assert.ok(firms.total >= 380 && firms.total <= 420, `firms: ${firms.total}`);
  assert.equal(firms.items.length, firms.total);
  const codes = new Set();
  for (const f of firms.items) {
    assert.ok(validCreditCode(f.credit_code), `valid credit code ${f.credit_code} (${f.name_zh})`);
    codes.add(f.credit_code);
    assert.match(f.name_zh, /^黑河.+(有限公司|有限责任公司)$/, f.name_zh);
  }
  assert.equal(codes.size, firms.items.length, 'credit codes are unique');
  const names = new Set(firms.items.map((f) => f.name_zh));
  assert.equal(names.size, firms.items.length, 'names are unique');
  const generated = firms.items.slice(5);
  const border = generated.filter((f) => f.cross_border);
  t.diagnostic(`firms ${firms.total}, cross-border ${border.length}`);
  assert.ok(border.length > 50 && border.length < generated.length - 50, `a mix of cross-border firms: ${border.length}`);
  for (const f of border) {
    assert.match(f.customs_code || '', /^[0-9A-Z]{10}$/, `customs code of ${f.name_zh}`);
    assert.match(f.name_ru || '', /^ООО «.+» Хэйхэ$/, `Russian name of ${f.name_zh}`);
  }
  for (const f of generated) {
    assert.match(f.industry || '', /^\d\d$/, `an industry division of ${f.name_zh}`);
    assert.ok(f.commissioner_id, `a commissioner for ${f.name_zh}`);
    assert.ok(f.contact_name && f.contact_phone, `contacts of ${f.name_zh}`);
  }
  // the commissioners share the load evenly
  const load = new Map();
  for (const f of generated) load.set(f.commissioner_id, (load.get(f.commissioner_id) || 0) + 1);
  assert.ok(load.size >= 5, `commissioners: ${load.size}`);
  const counts = [...load.values()];
  assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `balanced: ${counts}`);
});

test('close to 1,000 demands of 2024-01-02…2024-04-30, every one assessed unless closed or merged before', async (t) => {
  await h.ready();
  assert.ok(demands.total >= 900 && demands.total <= 1100, `demands: ${demands.total}`);
  assert.equal(demands.items.length, demands.total);
  const m = /(\d+) demands/.exec(h.db.demoOutput);
  assert.ok(m, `the demo's summary line: ${h.db.demoOutput}`);
  // the history's own demands, plus the issues raised at visits and salons (outreach line)
  const raised = /(\d+) issues raised as demands/.exec(h.db.demoOutput);
  assert.ok(raised, `the outreach summary line: ${h.db.demoOutput}`);
  assert.equal(Number(m[1]) + Number(raised[1]), demands.total);
  const byState = {};
  let unassessed = 0;
  for (const d of demands.items) {
    byState[d.state] = (byState[d.state] || 0) + 1;
    assert.match(d.code, /^SQ-2024-\d{6}$/);
    assert.ok(d.accepted_on >= '2024-01-02' && d.accepted_on <= '2024-04-30', `${d.code} accepted on ${d.accepted_on}`);
    const notAssessed =
      d.state === 'merged' || (d.state === 'closed' && ['withdrawn', 'out_of_scope'].includes(d.outcome));
    if (!d.category || !d.lead_dept_id) {
      assert.ok(notAssessed, `${d.code} (${d.state}/${d.outcome}) is assessed: ${d.category} ${d.lead_dept_id}`);
      unassessed++;
    } else {
      assert.ok(d.priority && d.topic && d.deadline_on, `${d.code} has priority, topic, deadline`);
    }
  }
  t.diagnostic(`states ${JSON.stringify(byState)}; closed before assessment ${unassessed}`);
  assert.equal(byState.accepted || 0, 0, 'nothing waits for assessment at the end');
  assert.ok(byState.closed > demands.total * 0.7, 'most are closed');
  for (const s of ['handling', 'replied', 'merged']) assert.ok(byState[s] > 0, `some ${s}`);
  const outcomes = new Set(demands.items.map((d) => d.outcome));
  for (const o of ['resolved', 'withdrawn', 'out_of_scope']) assert.ok(outcomes.has(o), `some ${o}`);
  assert.ok(unassessed < demands.total * 0.08, 'few closed before assessment');
  // the last weeks are partly open
  const late = demands.items.filter((d) => d.accepted_on >= '2024-04-15');
  const lateOpen = late.filter((d) => !['closed', 'merged'].includes(d.state)).length;
  assert.ok(lateOpen > 0 && lateOpen < late.length, `open of the last two weeks: ${lateOpen}/${late.length}`);
  // January's are (almost) all closed
  const jan = demands.items.filter((d) => d.accepted_on < '2024-02-01');
  const janOpen = jan.filter((d) => !['closed', 'merged'].includes(d.state)).length;
  assert.ok(janOpen < jan.length * 0.05, `open of January: ${janOpen}/${jan.length}`);
});

test('the rates are realistic, not perfect, and state their denominators', async (t) => {
  await h.ready();
  const admin = await h.login('admin');
  const [f] = body200(await admin.get('/api/v1/demands/figures?group=all')).rows;
  assert.equal(f.count, demands.total);
  t.diagnostic(
    `response ${f.responded_in_time}/${f.dispatched} = ${f.response_rate_bp / 100} %; ` +
      `resolution ${f.solved}/${f.evaluated} = ${f.resolution_rate_bp / 100} %; ` +
      `satisfaction ${f.satisfied}/${f.evaluated} = ${f.satisfaction_rate_bp / 100} %; ` +
      `late ${f.late}, overdue now ${f.overdue}, open ${f.open}`,
  );
  assert.ok(f.dispatched > demands.total * 0.85, `dispatched ${f.dispatched}`);
  assert.ok(f.evaluated > demands.total * 0.75, `evaluated ${f.evaluated}`);
  for (const k of ['response_rate_bp', 'resolution_rate_bp', 'satisfaction_rate_bp']) {
    assert.ok(f[k] >= 8000 && f[k] <= 9950, `${k} = ${f[k]} is realistic`);
  }
  assert.equal(f.response_rate_bp, Math.round((f.responded_in_time * 10000) / f.dispatched));
  assert.equal(f.resolution_rate_bp, Math.round((f.solved * 10000) / f.evaluated));
  assert.equal(f.satisfaction_rate_bp, Math.round((f.satisfied * 10000) / f.evaluated));
  assert.ok(f.late > 0, 'some replied after the deadline');
  assert.ok(f.overdue > 0, 'some overdue');
  assert.ok(f.avg_work_days_x100 > 100, 'closing takes working days');

  const months = body200(await admin.get('/api/v1/demands/figures?group=month')).rows;
  assert.deepEqual(months.map((m) => m.key), ['2024-01', '2024-02', '2024-03', '2024-04']);
  const channels = body200(await admin.get('/api/v1/demands/figures?group=channel')).rows;
  assert.deepEqual(
    channels.map((c) => c.key).sort(),
    ['commissioner', 'hotline', 'online', 'salon', 'station', 'visit', 'window'],
  );
  const depts = body200(await admin.get('/api/v1/demands/figures?group=department')).rows;
  assert.ok(depts.filter((d) => d.key !== null).length >= 6, `lead units: ${depts.length}`);
  for (const d of depts.filter((x) => x.dispatched >= 20)) {
    assert.ok(d.response_rate_bp < 10000 || d.evaluated < 30, `${d.label}: not every unit is perfect`);
  }
});

test('some reopened after an unsatisfied rating, most of them closed again; extensions and re-dispatches', async (t) => {
  await h.ready();
  const reopened = demands.items.filter((d) => d.reopen_count > 0);
  const closedAgain = reopened.filter((d) => d.state === 'closed');
  t.diagnostic(`reopened ${reopened.length}, closed again ${closedAgain.length}`);
  assert.ok(reopened.length >= 10, `reopened: ${reopened.length}`);
  assert.ok(closedAgain.length > reopened.length / 2, 'most reopened ones closed again');
  assert.ok(reopened.length < closedAgain.length + 40);
  assert.ok(demands.items.some((d) => d.ext_granted > 0), 'some extensions granted');
  const ru = demands.items.filter((d) => d.lang === 'ru');
  assert.ok(ru.length > 10, `demands in Russian: ${ru.length}`);

  const admin = await h.login('admin');
  const one = reopened.find((d) => d.state === 'closed');
  const r = body200(await admin.get(`/api/v1/demands/${one.id}`));
  const events = r.timeline.map((e) => e.event);
  for (const e of ['file', 'assess', 'dispatch', 'receive', 'reply', 'evaluate', 'reopen']) {
    assert.ok(events.includes(e), `${r.code}'s timeline has ${e}: ${events}`);
  }
  const reopen = r.timeline.find((e) => e.event === 'reopen');
  assert.equal(reopen.actor, 'system', 'the engine reopens an unsatisfied case');
  // the steps happened in 2024, in order, by the acting accounts
  for (let i = 1; i < r.timeline.length; i++) assert.ok(r.timeline[i].at >= r.timeline[i - 1].at);
  assert.ok(r.timeline.every((e) => e.at.startsWith('2024-')));
  assert.equal(r.timeline.find((e) => e.event === 'assess').actor, '陈统筹');
});

test('the sweep left reminders and escalations in the timelines, at 09:00 Beijing', async () => {
  await h.ready();
  const admin = await h.login('admin');
  const reminded = demands.items.filter((d) => d.reminded_at);
  const escalated = demands.items.filter((d) => d.escalated_at);
  assert.ok(reminded.length >= 10, `reminded: ${reminded.length}`);
  assert.ok(escalated.length >= 5, `escalated: ${escalated.length}`);
  const d = body200(await admin.get(`/api/v1/demands/${escalated[0].id}`));
  const remind = d.timeline.find((e) => e.event === 'remind');
  const esc = d.timeline.find((e) => e.event === 'escalate');
  assert.ok(remind && esc, `${d.code}: ${d.timeline.map((e) => e.event)}`);
  assert.equal(remind.actor, 'system');
  assert.match(remind.at, /^2024-\d\d-\d\dT01:00:00/, 'the 09:00 Beijing sweep');
  assert.ok(esc.at > remind.at);
  assert.ok(d.escalated_dept_id, 'escalated to the business-environment office');
});

test('each role sees its share: the firm its own, the dispatcher all, a lead unit its own', async () => {
  await h.ready();
  const firm = await h.login('firm');
  const own = expectList(await firm.get('/api/v1/demands?per_page=200'));
  assert.ok(own.total > 0, 'the firm account filed online');
  assert.ok(own.items.every((d) => d.firm_id === h.ids.ownFirm));
  const disp = await h.login('dispatcher');
  assert.equal(expectList(await disp.get('/api/v1/demands?per_page=1')).total, demands.total);
  const tax = await h.login('tax');
  const taxes = expectList(await tax.get('/api/v1/demands?per_page=200'));
  assert.ok(taxes.total > 0 && taxes.total < demands.total / 2, `the tax bureau's: ${taxes.total}`);
});

test('a second `ftz demo` changes nothing', async () => {
  await h.ready();
  const r = ftz(['demo', '--db', h.db.url], { cwd: h.db.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /demo data already present/);
  const admin = await h.login('admin');
  assert.equal(expectList(await admin.get('/api/v1/demands?per_page=1')).total, demands.total);
  assert.equal(expectList(await admin.get('/api/v1/firms?per_page=1')).total, firms.total);
});

// The rest of the enterprise-services demo (src/demo/window_hist.c, outreach_hist.c): the
// report's figures, through the API as a leader or the administrator sees them.
test('the window: 231 firms advised and 117 problems solved, with their denominators', async () => {
  const admin = await h.login('admin');
  const all = body200(await admin.get('/api/v1/window-cases/figures?group=all')).rows[0];
  assert.equal(all.firms, 231, 'firms advised');
  const topics = body200(await admin.get('/api/v1/window-cases/figures?group=topic')).rows;
  const problem = topics.find((r) => r.key === 'problem');
  assert.equal(problem.solved, 117, 'problems solved');
  assert.ok(problem.evaluated > problem.solved && problem.count > problem.evaluated, 'denominators stated and larger');
  assert.ok(problem.refused > 0, 'some refused after an approved report');
  const lib = body200(await admin.get('/api/v1/window-cases/library?per_page=1'));
  assert.ok(lib.total > 200, 'closed cases filed their root causes in the library');
});

test('35 commissioners, each looking after firms; visits and salons whose issues became demands; 1100万元 financed for two firms', async () => {
  const admin = await h.login('admin');
  const comm = body200(await admin.get('/api/v1/commissioners?per_page=100'));
  assert.equal(comm.total, 35);
  assert.ok(comm.items.every((x) => x.firms > 0), 'every commissioner looks after firms');
  const visits = body200(await admin.get('/api/v1/visits?per_page=1'));
  assert.ok(visits.total >= 20);
  const fromVisits = body200(await admin.get('/api/v1/demands?source_kind=visit&per_page=1'));
  const fromSalons = body200(await admin.get('/api/v1/demands?source_kind=salon&per_page=1'));
  assert.ok(fromVisits.total > 0 && fromSalons.total > 0, 'issues raised became linked demands');
  const fin = body200(await admin.get('/api/v1/financing/figures'));
  assert.equal(fin.granted_fen, 1100000000);
  assert.equal(fin.granted_words, '1100万元');
  assert.equal(fin.firms_financed, 2);
});
