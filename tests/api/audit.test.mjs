// audit.test.mjs — the audit trail (DESIGN.md §6): reading it (list, filters, single rows,
// the head, CSV/XLSX), verifying it over the API and with `ftz audit verify`, and the
// verifier catching tampering done behind the server's back: a row altered, a row deleted,
// the newest row removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  DEMO_PASSWORD,
  Client,
  ADMIN_PASSWORD,
  useServer,
  demoVars,
  runCase,
  caseName,
  freshDatabase,
  startServer,
  auditVerify,
  ftz,
  expectStatus,
  expectProblem,
  expectAudit,
  expectList,
  expectXlsx,
  expectCsv,
  uniq,
} from './lib.mjs';

const h = useServer('audit');
let v = {};
const SCOPED = 'audit-clerk'; // audit.read, but scope dept_tree: the trail has no department column
h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  const role = await admin.post('/api/v1/roles', {
    name: 'audit_clerk',
    title_zh: '审计员',
    title_ru: 'Аудитор',
    title_en: 'Audit clerk',
    permissions: ['audit.read'],
  });
  expectStatus(role, 201);
  const u = await admin.post('/api/v1/users', {
    username: SCOPED,
    password: DEMO_PASSWORD,
    display_name: '审计员',
    roles: ['audit_clerk'],
    department_id: v.d_INVEST,
    scope: 'dept_tree',
  });
  expectStatus(u, 201);
  v.seq1 = 1;
});

const access = [
  { as: null, method: 'GET', path: '/api/v1/audit', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/audit.csv', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/audit/head', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/audit/:seq1', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/audit/verify', status: 401 },
  { as: 'staff', method: 'GET', path: '/api/v1/audit', status: 403, code: 'permission' },
  { as: 'staff', method: 'GET', path: '/api/v1/audit.xlsx', status: 403, code: 'permission' },
  { as: 'customs', method: 'GET', path: '/api/v1/audit/head', status: 403, code: 'permission' },
  { as: 'firm', method: 'GET', path: '/api/v1/audit/:seq1', status: 403, code: 'permission' },
  { as: 'commissioner', method: 'POST', path: '/api/v1/audit/verify', status: 403, code: 'permission' },
  { as: 'leader', method: 'GET', path: '/api/v1/audit', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/audit/:seq1', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/audit/head', status: 200 },
  // rows outside the reader's scope are not found
  { as: SCOPED, method: 'GET', path: '/api/v1/audit/:seq1', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/audit/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/audit/first', status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/audit/:seq1', status: 405 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/audit/:seq1', body: { actor: 'nobody' }, status: 405 },
  { as: 'admin', method: 'POST', path: '/api/v1/audit/verify', body: { deep: true }, status: 422, fields: ['deep:unknown'] },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

test('a reader whose scope is not `all` reads no audit row', async () => {
  const b = expectList(await (await h.as(SCOPED)).get('/api/v1/audit'));
  assert.equal(b.total, 0);
  assert.deepEqual(b.items, []);
});

test('the list: newest first, paged, each row with its hash and request id', async () => {
  const admin = await h.as('admin');
  const b = expectList(await admin.get('/api/v1/audit?per_page=5'));
  assert.equal(b.items.length, 5);
  assert.ok(b.total >= 5);
  const seqs = b.items.map((r) => r.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => y - x));
  for (const r of b.items) {
    assert.match(r.hash, /^[0-9a-f]{64}$/);
    assert.match(r.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    for (const k of ['seq', 'at', 'actor_id', 'actor', 'action', 'entity', 'entity_id', 'before', 'after', 'request_id']) assert.ok(k in r, k);
  }
  const asc = expectList(await admin.get('/api/v1/audit?sort=seq&per_page=3'));
  assert.deepEqual(asc.items.map((r) => r.seq), [1, 2, 3]);
  const p2 = expectList(await admin.get('/api/v1/audit?sort=seq&per_page=3&page=2'));
  assert.deepEqual(p2.items.map((r) => r.seq), [4, 5, 6]);
});

test('filters: entity + entity_id, action (exact and prefix*), actor, dates', async () => {
  const admin = await h.as('admin');
  const code = `AU${uniq(6).toUpperCase()}`;
  const c = await admin.post('/api/v1/departments', { code, name: '审计测试' });
  expectStatus(c, 201);
  const p = await admin.patch(`/api/v1/departments/${c.body.id}`, { version: 1, name: '审计测试二' });
  expectStatus(p, 200);
  const rows = expectList(await admin.get(`/api/v1/audit?entity=department&entity_id=${c.body.id}`));
  assert.deepEqual(rows.items.map((r) => r.action), ['department.update', 'department.create']);
  assert.equal(rows.items[0].request_id, p.reqId);
  assert.equal(rows.items[1].request_id, c.reqId);
  const prefix = expectList(await admin.get(`/api/v1/audit?action=department.*&per_page=200`));
  assert.ok(prefix.items.length >= 2);
  assert.ok(prefix.items.every((r) => r.action.startsWith('department.')));
  const exact = expectList(await admin.get(`/api/v1/audit?action=department.update&per_page=200`));
  assert.ok(exact.items.every((r) => r.action === 'department.update'));
  const byActor = expectList(await admin.get(`/api/v1/audit?actor=admin&per_page=200`));
  assert.ok(byActor.items.length > 0 && byActor.items.every((r) => r.actor === 'admin'));
  const byActorId = expectList(await admin.get(`/api/v1/audit?actor_id=${v.u_admin}&per_page=200`));
  assert.ok(byActorId.items.every((r) => r.actor_id === v.u_admin));
  const text = expectList(await admin.get(`/api/v1/audit?q=${code.toLowerCase()}`));
  assert.ok(text.items.length >= 2, 'free text finds the code in before/after');
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); // Asia/Shanghai
  const fromToday = expectList(await admin.get(`/api/v1/audit?from=${today}&entity=department&entity_id=${c.body.id}`));
  assert.equal(fromToday.total, 2);
  const before2000 = expectList(await admin.get(`/api/v1/audit?to=2000-01-01`));
  assert.equal(before2000.total, 0);
});

const badQueries = [
  { q: 'from=yesterday', fields: ['from:format'] },
  { q: 'to=2026-13-45', fields: ['to:format'] },
  { q: 'sort=actor', fields: ['sort:enum'] },
  { q: 'actor_id=me', fields: ['actor_id:type'] },
  { q: `q=${'x'.repeat(300)}`, fields: ['q:too_long'] },
  { q: 'per_page=1000&page=-1', fields: ['per_page:range', 'page:range'] },
];
for (const c of badQueries) {
  test(`list query ?${c.q.slice(0, 30)} → 422 ${c.fields.join(', ')}`, async () => {
    expectProblem(await (await h.as('admin')).get(`/api/v1/audit?${c.q}`), 422, { fields: c.fields });
  });
}

test('GET /api/v1/audit/{seq} is one row; /audit/head matches the newest row and `ftz audit head`', async () => {
  const admin = await h.as('admin');
  const head = await admin.get('/api/v1/audit/head');
  expectStatus(head, 200);
  assert.match(head.body.hash, /^[0-9a-f]{64}$/);
  const row = await admin.get(`/api/v1/audit/${head.body.seq}`);
  expectStatus(row, 200);
  assert.equal(row.body.seq, head.body.seq);
  assert.equal(row.body.hash, head.body.hash);
  const cli = ftz(['audit', 'head', '--json', '--db', h.db.url]);
  assert.equal(cli.code, 0, cli.stderr);
  const j = JSON.parse(cli.stdout);
  assert.ok(j.seq >= head.body.seq);
  if (j.seq === head.body.seq) assert.equal(j.hash, head.body.hash);
});

test('audit.csv has a header row and one line per row; audit.xlsx is an XLSX file', async () => {
  const admin = await h.as('admin');
  const lines = expectCsv(await admin.get('/api/v1/audit.csv?entity=user&action=user.create', { headers: { 'accept-language': 'en' } }), {
    header: ['Seq', 'Action', 'Entity'],
  });
  const json = expectList(await admin.get('/api/v1/audit?entity=user&action=user.create&per_page=200'));
  assert.equal(lines.length, 1 + json.total);
  expectCsv(await admin.get('/api/v1/audit.csv'), { header: ['序号'] });
  expectXlsx(await admin.get('/api/v1/audit.xlsx?entity=firm'));
});

test('the chain is whole: POST /api/v1/audit/verify and `ftz audit verify --json` agree', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/audit/verify');
  expectStatus(r, 200);
  assert.equal(r.body.ok, true);
  assert.equal(r.body.first_bad, null);
  assert.equal(r.body.why, null);
  assert.equal(r.body.rows, r.body.head_seq);
  const cli = auditVerify(h.db);
  assert.equal(cli.code, 0, cli.stderr + cli.stdout);
  assert.equal(cli.report.ok, true);
  assert.ok(cli.report.rows >= r.body.rows);
  assert.ok(!cli.report.first_bad, 'no bad row');
});

test('every audit row of a change carries the change\'s request id and actor', async () => {
  const leaderTok = await (await h.as('leader')).post('/api/v1/tokens', { name: 'audit-probe', permissions: ['firm.read'] });
  expectStatus(leaderTok, 201);
  const row = await expectAudit(await h.as('admin'), leaderTok, { entity: 'token', entityId: leaderTok.body.id, action: 'token.create' });
  assert.equal(row.actor, 'leader');
  assert.equal(row.actor_id, v.u_leader);
  assert.equal(row.request_id, leaderTok.reqId);
});

test('concurrent changes through all workers keep the chain whole (no lost or duplicated seq)', async () => {
  const admin = await h.as('admin');
  const before = (await admin.get('/api/v1/audit/head')).body.seq;
  const n = 24;
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) => admin.post('/api/v1/departments', { code: `CC${i}${uniq(5).toUpperCase()}`, name: `并发${i}` })),
  );
  for (const r of rs) expectStatus(r, 201);
  const after = (await admin.get('/api/v1/audit/head')).body.seq;
  assert.equal(after - before, n, 'one audit row per change');
  const seqs = [];
  for (const r of rs) seqs.push((await expectAudit(admin, r, { entity: 'department', entityId: r.body.id, action: 'department.create' })).seq);
  assert.equal(new Set(seqs).size, n);
  const v2 = await admin.post('/api/v1/audit/verify');
  assert.equal(v2.body.ok, true, JSON.stringify(v2.body));
});

test('two servers on one database appending at once keep the chain whole (both backends)', async () => {
  const second = await startServer(h.db);
  const a = await h.as('admin');
  const b = new Client(second.base).withSessionOf(a);
  const before = (await a.get('/api/v1/audit/head')).body.seq;
  const n = 30;
  const rs = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      (i % 2 ? b : a).post('/api/v1/departments', { code: `TW${i}${uniq(5).toUpperCase()}`, name: `双实例${i}` }),
    ),
  );
  for (const r of rs) expectStatus(r, 201);
  const head = (await b.get('/api/v1/audit/head')).body.seq;
  assert.equal(head - before, n);
  const cli = auditVerify(h.db);
  assert.equal(cli.code, 0, cli.stdout + cli.stderr);
  await second.stop();
});

// ---- tampering -------------------------------------------------------------------------
//
// Each case gets a fresh database: init + demo + a few changes through the API, then the
// verifier must find the chain whole; then one row is changed behind the server's back
// (sqlite3 / psql) and the verifier — CLI and API — must name the first bad seq.

async function tamperFixture(label) {
  const db = freshDatabase(label);
  const server = await startServer(db);
  const admin = new Client(server.base);
  expectStatus(await admin.login('admin', ADMIN_PASSWORD), 200);
  const code = `TA${uniq(6).toUpperCase()}`;
  const c = await admin.post('/api/v1/departments', { code, name: '篡改测试' });
  expectStatus(c, 201);
  const p = await admin.patch(`/api/v1/departments/${c.body.id}`, { version: 1, name: '篡改测试二' });
  expectStatus(p, 200);
  const d = await admin.del(`/api/v1/departments/${c.body.id}`);
  expectStatus(d, 204);
  const created = await expectAudit(admin, c, { entity: 'department', entityId: c.body.id, action: 'department.create' });
  const head = (await admin.get('/api/v1/audit/head')).body;
  const ok = auditVerify(db);
  assert.equal(ok.code, 0, `the chain is whole before tampering: ${ok.stdout}${ok.stderr}`);
  assert.equal(ok.report.ok, true);
  assert.equal(ok.report.head_seq, head.seq);
  return { db, server, admin, created, head };
}

/** Both verifiers report the chain broken at seq, for the reason matching why. */
async function expectBroken(fx, seq, why) {
  const cli = auditVerify(fx.db);
  assert.equal(cli.code, 1, `ftz audit verify exits 1 on a broken chain: ${cli.stdout}${cli.stderr}`);
  assert.equal(cli.report.ok, false);
  assert.equal(cli.report.first_bad, seq, `first bad seq: ${cli.stdout}`);
  assert.match(cli.report.why, why);
  const api = await fx.admin.post('/api/v1/audit/verify');
  expectStatus(api, 200);
  assert.equal(api.body.ok, false);
  assert.equal(api.body.first_bad, seq);
  assert.match(api.body.why, why);
  const plain = ftz(['audit', 'verify', '--db', fx.db.url]);
  assert.equal(plain.code, 1);
  assert.match(plain.stdout, new RegExp(`BROKEN at seq ${seq}\\b`));
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

test('tampering (a): a row\'s `after` altered → verify fails naming that seq; restored → whole again', async () => {
  const fx = await tamperFixture('tamper_alter');
  const seq = fx.created.seq;
  const original = fx.db.sql(`SELECT after FROM audit WHERE seq = ${seq}`);
  assert.ok(original.includes('篡改测试'), original);
  fx.db.sql(`UPDATE audit SET after = ${q(original.replace('篡改测试', '无害测试'))} WHERE seq = ${seq}`);
  await expectBroken(fx, seq, /altered/);
  fx.db.sql(`UPDATE audit SET after = ${q(original)} WHERE seq = ${seq}`);
  const again = auditVerify(fx.db);
  assert.equal(again.code, 0, again.stdout);
  assert.equal(again.report.ok, true);
});

test('tampering (a2): another column (the actor) altered → verify fails naming that seq', async () => {
  const fx = await tamperFixture('tamper_actor');
  const seq = fx.created.seq - 3;
  fx.db.sql(`UPDATE audit SET actor = 'someone-else' WHERE seq = ${seq}`);
  await expectBroken(fx, seq, /altered/);
});

test('tampering (b): a middle row deleted → verify fails naming the missing seq', async () => {
  const fx = await tamperFixture('tamper_gap');
  const seq = Math.floor(fx.head.seq / 2);
  assert.ok(seq > 1 && seq < fx.head.seq);
  fx.db.sql(`DELETE FROM audit WHERE seq = ${seq}`);
  await expectBroken(fx, seq, /missing/);
});

test('tampering (c): the newest row deleted → verify fails (the head no longer matches)', async () => {
  const fx = await tamperFixture('tamper_tail');
  const newest = Number(fx.db.sql('SELECT max(seq) FROM audit'));
  assert.equal(newest, fx.head.seq);
  fx.db.sql(`DELETE FROM audit WHERE seq = ${newest}`);
  await expectBroken(fx, newest, /head/);
});

// The row hash of DESIGN.md §6 / auth/audit.h, recomputed the way a forger would.
const COLS = ['seq', 'at', 'actor_id', 'actor', 'action', 'entity', 'entity_id', 'before', 'after', 'request_id'];
function readRow(db, seq) {
  const f = {};
  for (const c of [...COLS, 'prev_hash', 'hash']) {
    const out = db.sql(`SELECT CASE WHEN ${c} IS NULL THEN 'N' ELSE 'V' || ${c} || 'E' END FROM audit WHERE seq = ${seq}`);
    f[c] = out === 'N' ? null : out.slice(1, -1);
  }
  return f;
}
function rowHash(prev, f) {
  const h = createHash('sha256');
  h.update(prev);
  for (const c of COLS) {
    if (f[c] === null) h.update('-');
    else h.update(`${Buffer.byteLength(f[c])}:`).update(f[c]);
  }
  return h.digest('hex');
}

test('tampering (d): a row altered and re-hashed by hand → the next row no longer follows', async () => {
  const fx = await tamperFixture('tamper_rehash');
  const seq = fx.created.seq;
  const row = readRow(fx.db, seq);
  assert.equal(rowHash(row.prev_hash, row), row.hash, 'the test recomputes hashes the way the server does');
  const forged = { ...row, after: row.after.replace('篡改测试', '无害测试') };
  fx.db.sql(`UPDATE audit SET after = ${q(forged.after)}, hash = ${q(rowHash(row.prev_hash, forged))} WHERE seq = ${seq}`);
  await expectBroken(fx, seq + 1, /follow/);
});

test('tampering (e): the whole chain rewritten after a row → verify passes, but the anchored head differs', async () => {
  const fx = await tamperFixture('tamper_rewrite');
  const anchor = ftz(['audit', 'head', '--json', '--db', fx.db.url]);
  assert.equal(anchor.code, 0);
  const anchored = JSON.parse(anchor.stdout);
  const seq = fx.created.seq;
  const max = Number(fx.db.sql('SELECT max(seq) FROM audit'));
  let prev = readRow(fx.db, seq).prev_hash;
  for (let s = seq; s <= max; s++) {
    const row = readRow(fx.db, s);
    if (s === seq) row.after = row.after.replace('篡改测试', '无害测试');
    const hash = rowHash(prev, row);
    fx.db.sql(`UPDATE audit SET after = ${row.after === null ? 'NULL' : q(row.after)}, prev_hash = ${q(prev)}, hash = ${q(hash)} WHERE seq = ${s}`);
    prev = hash;
  }
  fx.db.sql(`UPDATE audit_head SET hash = ${q(prev)} WHERE id = 1`);
  const cli = auditVerify(fx.db);
  assert.equal(cli.code, 0, 'a consistent rewrite passes the walk: only an outside anchor catches it');
  const now = JSON.parse(ftz(['audit', 'head', '--json', '--db', fx.db.url]).stdout);
  assert.equal(now.seq, anchored.seq);
  assert.notEqual(now.hash, anchored.hash, 'the head anchored outside no longer matches');
});
