// outreach.test.mjs — leader visits (/api/v1/visits) and enterprise salons (/api/v1/salons):
// every route with its refusals (401 without credentials, 403 per role, 404 outside the
// caller's scope, 422 naming every broken field, 409, 412), issues raised there becoming
// demands linked back (channel, source_kind, source_id, visible in /api/v1/demands), the
// figures (visits per month and leader, issues raised, share resolved), exports and audit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer,
  demoVars,
  runCase,
  caseName,
  expectStatus,
  expectProblem,
  expectAudit,
  expectNoAudit,
  expectList,
  expectXlsx,
  expectCsv,
  newCreditCode,
  uniq,
} from './lib.mjs';

const h = useServer('outreach');
let v = {};

/** Today in Beijing, and a day after it. */
const beijing = (days = 0) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
const TODAY = beijing();
const TOMORROW = beijing(1);
/** An audit row's before/after (objects, or JSON text). */
const j = (x) => (typeof x === 'string' ? JSON.parse(x) : x);

h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  // a firm looked after by Customs: outside INVEST staff's scope and the commissioner's
  const f = await admin.post('/api/v1/firms', { credit_code: newCreditCode(), name_zh: '海关监管企业（走访）', department_id: v.d_CUSTOMS });
  expectStatus(f, 201);
  v.customsFirm = f.body.id;
  // a new firm may get a commissioner at registration: this one must have none
  if (f.body.commissioner_id) {
    const cur = (await admin.get(`/api/v1/firms/${v.customsFirm}`)).body;
    expectStatus(await admin.patch(`/api/v1/firms/${v.customsFirm}`, { version: cur.version, commissioner_id: null }), 200);
  }
  // a visit to it by the admin: staff and the commissioner must not reach it
  const cv = await admin.post('/api/v1/visits', { firm_id: v.customsFirm, visited_on: '2024-03-01', leader_name: '海关领导' });
  expectStatus(cv, 201);
  v.customsVisit = cv.body.id;
  // a visit by the leader to one of the commissioner's firms
  const lv = await (await h.login('leader')).post('/api/v1/visits', {
    firm_id: v.comFirm,
    visited_on: '2024-03-05',
    leader_id: v.u_leader,
    purpose: '六必访：企业遇到困难必访',
  });
  expectStatus(lv, 201);
  v.comVisit = lv.body.id;
  // a salon organised by Customs with only the Customs firm: outside INVEST's reach
  const cs = await admin.post('/api/v1/salons', { title: '海关政企沙龙', held_on: '2024-03-10', organiser_dept: v.d_CUSTOMS });
  expectStatus(cs, 201);
  v.customsSalon = cs.body.id;
  expectStatus(await admin.put(`/api/v1/salons/${v.customsSalon}/firms`, { firms: [{ firm_id: v.customsFirm }] }), 200);
  // an INVEST salon attended by the firm account's firm and the "other" firm
  const is = await (await h.login('staff')).post('/api/v1/salons', { title: '外贸企业融资沙龙', held_on: '2024-03-20', topics: '融资；通关' });
  expectStatus(is, 201);
  v.investSalon = is.body.id;
  expectStatus(
    await (await h.login('staff')).put(`/api/v1/salons/${v.investSalon}/firms`, {
      firms: [
        { firm_id: v.ownFirm, attendees: '总经理' },
        { firm_id: v.otherFirm, attendees: '财务总监' },
      ],
    }),
    200,
  );
});

const visitBody = (extra = {}) => ({ firm_id: v.comFirm, visited_on: '2024-04-02', leader_name: '王主任', ...extra });
const issue = (extra = {}) => ({ title: `走访反映问题 ${uniq(6)}`, body: '企业反映用电报装进度慢，请协调。', ...extra });

const access = [
  // no credentials: 401 on every route
  ...[
    ['GET', '/api/v1/visits'],
    ['GET', '/api/v1/visits.xlsx'],
    ['POST', '/api/v1/visits'],
    ['GET', '/api/v1/visits/figures'],
    ['GET', '/api/v1/visits/:comVisit'],
    ['PATCH', '/api/v1/visits/:comVisit'],
    ['POST', '/api/v1/visits/:comVisit/issues'],
    ['GET', '/api/v1/salons'],
    ['GET', '/api/v1/salons.csv'],
    ['POST', '/api/v1/salons'],
    ['GET', '/api/v1/salons/:investSalon'],
    ['PATCH', '/api/v1/salons/:investSalon'],
    ['PUT', '/api/v1/salons/:investSalon/firms'],
    ['POST', '/api/v1/salons/:investSalon/issues'],
  ].map(([method, path]) => ({ as: null, method, path, body: method === 'GET' ? undefined : {}, status: 401 })),
  // roles without visit.read / visit.write: 403 naming the permission
  ...['customs', 'postal', 'station', 'firm'].flatMap((as) => [
    { as, method: 'GET', path: '/api/v1/visits', status: 403, code: 'permission' },
    { as, method: 'GET', path: '/api/v1/visits/:comVisit', status: 403, code: 'permission' },
    { as, method: 'GET', path: '/api/v1/salons', status: 403, code: 'permission' },
    { as, method: 'POST', path: '/api/v1/visits', body: () => visitBody(), status: 403, code: 'permission' },
    { as, method: 'POST', path: '/api/v1/salons/:investSalon/issues', body: () => issue({ firm_id: v.ownFirm }), status: 403, code: 'permission' },
  ]),
  { as: 'dispatcher', method: 'GET', path: '/api/v1/visits/:comVisit', status: 200 },
  { as: 'dispatcher', method: 'POST', path: '/api/v1/visits', body: () => visitBody(), status: 403, code: 'permission' },
  { as: 'dispatcher', method: 'PATCH', path: '/api/v1/visits/:comVisit', body: { version: 1 }, status: 403, code: 'permission' },
  // scope: the commissioner reaches visits to its firms, staff INVEST's tree, never Customs'
  { as: 'commissioner', method: 'GET', path: '/api/v1/visits/:comVisit', status: 200 },
  { as: 'commissioner', method: 'GET', path: '/api/v1/visits/:customsVisit', status: 404, code: 'not_found' },
  { as: 'staff', method: 'GET', path: '/api/v1/visits/:comVisit', status: 200 },
  { as: 'staff', method: 'GET', path: '/api/v1/visits/:customsVisit', status: 404, code: 'not_found' },
  { as: 'staff', method: 'PATCH', path: '/api/v1/visits/:customsVisit', body: { version: 1, notes: 'x' }, status: 404, code: 'not_found' },
  { as: 'staff', method: 'POST', path: '/api/v1/visits/:customsVisit/issues', body: () => issue(), status: 404, code: 'not_found' },
  { as: 'leader', method: 'GET', path: '/api/v1/visits/:customsVisit', status: 200 },
  { as: 'staff', method: 'GET', path: '/api/v1/salons/:customsSalon', status: 404, code: 'not_found' },
  { as: 'staff', method: 'PUT', path: '/api/v1/salons/:customsSalon/firms', body: { firms: [] }, status: 404, code: 'not_found' },
  { as: 'commissioner', method: 'GET', path: '/api/v1/salons/:customsSalon', status: 404, code: 'not_found' },
  { as: 'commissioner', method: 'GET', path: '/api/v1/salons/:investSalon', status: 200 },
  // the commissioner sees the INVEST salon (its firm attended) but may not change it
  { as: 'commissioner', method: 'PATCH', path: '/api/v1/salons/:investSalon', body: { version: 1, notes: 'x' }, status: 403, code: 'salon_not_organiser' },
  { as: 'commissioner', method: 'PUT', path: '/api/v1/salons/:investSalon/firms', body: { firms: [] }, status: 403, code: 'salon_not_organiser' },
  // creating a visit to a firm outside the caller's scope: the firm is "no such"
  { as: 'commissioner', method: 'POST', path: '/api/v1/visits', body: () => visitBody({ firm_id: v.otherFirm }), status: 422, fields: ['firm_id:no_such'] },
  { as: 'staff', method: 'POST', path: '/api/v1/visits', body: () => visitBody({ firm_id: v.customsFirm }), status: 422, fields: ['firm_id:no_such'] },
  // unknown ids and ids that are no ids
  { as: 'admin', method: 'GET', path: '/api/v1/visits/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/visits/abc', status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/visits/:missing', body: { version: 1 }, status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/visits/:missing/issues', body: () => issue(), status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/salons/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'PUT', path: '/api/v1/salons/:missing/firms', body: { firms: [] }, status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/salons/:missing/issues', body: () => issue({ firm_id: v.ownFirm }), status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/visits/:comVisit', status: 405 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/salons/:investSalon', status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

const bad = [
  { name: 'empty visit', as: 'staff', method: 'POST', path: '/api/v1/visits', body: {}, status: 422, fields: ['firm_id:required', 'visited_on:required'] },
  { name: 'no leader', as: 'staff', method: 'POST', path: '/api/v1/visits', body: () => ({ firm_id: v.comFirm, visited_on: '2024-01-05' }), status: 422, fields: ['leader_name:required'] },
  {
    name: 'input errors are answered before the rules are checked',
    as: 'staff',
    method: 'POST',
    path: '/api/v1/visits',
    body: () => ({ firm_id: v.comFirm, visited_on: TOMORROW, leader_id: 987654321, participants: 'x'.repeat(501), colour: 'red' }),
    status: 422,
    fields: ['colour:unknown', 'participants:too_long'],
  },
  {
    name: 'a visit in the future, a leader who does not exist',
    as: 'staff',
    method: 'POST',
    path: '/api/v1/visits',
    body: () => ({ firm_id: v.comFirm, visited_on: TOMORROW, leader_id: 987654321 }),
    status: 422,
    fields: ['visited_on:in_future', 'leader_id:no_such'],
  },
  { name: 'a date that is no date', as: 'staff', method: 'POST', path: '/api/v1/visits', body: () => visitBody({ visited_on: '2024-02-30' }), status: 422, fields: ['visited_on:format'] },
  { name: 'types', as: 'staff', method: 'POST', path: '/api/v1/visits', body: { firm_id: 'one', visited_on: 20240101, leader_name: ['x'] }, status: 422, fields: ['firm_id:type', 'visited_on:type', 'leader_name:type'] },
  { name: 'a firm id of 0', as: 'staff', method: 'POST', path: '/api/v1/visits', body: () => visitBody({ firm_id: 0 }), status: 422, fields: ['firm_id:range'] },
  { name: 'long notes', as: 'staff', method: 'POST', path: '/api/v1/visits', body: () => visitBody({ notes: '记'.repeat(5001), purpose: 'p'.repeat(501), leader_name: 'n'.repeat(101) }), status: 422, fields: ['notes:too_long', 'purpose:too_long', 'leader_name:too_long'] },
  { name: 'a patch without version', as: 'staff', method: 'PATCH', path: '/api/v1/visits/:comVisit', body: { notes: 'x' }, status: 422, fields: ['version:required'] },
  { name: 'a patch clearing the firm', as: 'staff', method: 'PATCH', path: '/api/v1/visits/:comVisit', body: { version: 1, firm_id: null, visited_on: 'yesterday' }, status: 422, fields: ['firm_id:required', 'visited_on:format'] },
  { name: 'an issue without title and body', as: 'staff', method: 'POST', path: '/api/v1/visits/:comVisit/issues', body: { firm_id: 1 }, status: 422, fields: ['title:required', 'body:required', 'firm_id:unknown'] },
  { name: 'an issue with values outside the demand sets', as: 'staff', method: 'POST', path: '/api/v1/visits/:comVisit/issues', body: () => issue({ category: 'gossip', priority: 'now', lang: 'fr' }), status: 422, fields: ['category:enum', 'priority:enum', 'lang:enum'] },
  { name: 'an issue too long', as: 'staff', method: 'POST', path: '/api/v1/visits/:comVisit/issues', body: () => issue({ title: 't'.repeat(201), body: 'b'.repeat(5001) }), status: 422, fields: ['title:too_long', 'body:too_long'] },
  { name: 'an empty salon', as: 'staff', method: 'POST', path: '/api/v1/salons', body: {}, status: 422, fields: ['title:required', 'held_on:required'] },
  { name: 'a salon with a bad date and department', as: 'staff', method: 'POST', path: '/api/v1/salons', body: { title: 'x', held_on: '24-3-1', organiser_dept: 987654321 }, status: 422, fields: ['held_on:format', 'organiser_dept:no_such'] },
  { name: 'a salon with long texts', as: 'staff', method: 'POST', path: '/api/v1/salons', body: { title: 't'.repeat(201), held_on: '2024-03-01', topics: 't'.repeat(1001), place: 'p'.repeat(201), notes: 'n'.repeat(5001) }, status: 422, fields: ['title:too_long', 'topics:too_long', 'place:too_long', 'notes:too_long'] },
  {
    name: 'attendance lists with bad members',
    as: 'staff',
    method: 'PUT',
    path: '/api/v1/salons/:investSalon/firms',
    body: () => ({ firms: [{ firm_id: v.ownFirm }, { attendees: 'x' }, 'firm', { firm_id: v.otherFirm, who: 'x' }, { firm_id: '1', attendees: 7 }, { firm_id: -2 }], version: 0 }),
    status: 422,
    fields: ['firms[1].firm_id:required', 'firms[2]:type', 'firms[3].who:unknown', 'firms[4].firm_id:type', 'firms[4].attendees:type', 'firms[5].firm_id:no_such', 'version:range'],
  },
  {
    name: 'attendance lists that break the rules',
    as: 'staff',
    method: 'PUT',
    path: '/api/v1/salons/:investSalon/firms',
    body: () => ({ firms: [{ firm_id: v.ownFirm }, { firm_id: v.ownFirm }, { firm_id: 987654321 }, { firm_id: v.otherFirm, attendees: 'a'.repeat(501) }] }),
    status: 422,
    fields: ['firms[1].firm_id:duplicate', 'firms[2].firm_id:no_such', 'firms[3].attendees:too_long'],
  },
  { name: 'too many attending firms', as: 'staff', method: 'PUT', path: '/api/v1/salons/:investSalon/firms', body: { firms: Array.from({ length: 501 }, (_, i) => ({ firm_id: i + 1 })) }, status: 422, fields: ['firms:too_many'] },
  { name: 'attendance not a list', as: 'staff', method: 'PUT', path: '/api/v1/salons/:investSalon/firms', body: { firms: { firm_id: 1 } }, status: 422, fields: ['firms:type'] },
  { name: 'attendance missing', as: 'staff', method: 'PUT', path: '/api/v1/salons/:investSalon/firms', body: {}, status: 422, fields: ['firms:required'] },
  { name: 'a salon issue for a firm that did not attend', as: 'staff', method: 'POST', path: '/api/v1/salons/:investSalon/issues', body: () => issue({ firm_id: v.customsFirm }), status: 422, fields: ['firm_id:not_attendee'] },
  { name: 'a salon issue without a firm', as: 'staff', method: 'POST', path: '/api/v1/salons/:investSalon/issues', body: () => issue(), status: 422, fields: ['firm_id:required'] },
  // the commissioner sees only the attendees it looks after: the other firm is not one for it
  { name: 'the commissioner names an attendee outside its scope', as: 'commissioner', method: 'POST', path: '/api/v1/salons/:investSalon/issues', body: () => issue({ firm_id: v.otherFirm }), status: 422, fields: ['firm_id:not_attendee'] },
  { name: 'list filters', as: 'staff', method: 'GET', path: '/api/v1/visits?from=2024-13-01&sort=colour&per_page=0', status: 422, fields: ['from:format', 'sort:enum', 'per_page:range'] },
  { name: 'figures group', as: 'staff', method: 'GET', path: '/api/v1/visits/figures?group=week&to=x', status: 422, fields: ['group:enum', 'to:format'] },
  { name: 'salon list filters', as: 'staff', method: 'GET', path: '/api/v1/salons?to=2024-1-1&sort=-place', status: 422, fields: ['to:format', 'sort:enum'] },
];
for (const c of bad) test(caseName(c), async () => runCase(h, c, v));

test('a leader records a visit: 201, Location, the record with the leader\'s name, an audit row', async () => {
  const leader = await h.as('leader');
  const r = await leader.post('/api/v1/visits', {
    firm_id: v.otherFirm,
    visited_on: TODAY,
    leader_id: v.u_leader,
    participants: '招商服务局 李招商',
    purpose: '六必访：重大节日必访',
    notes: '企业经营正常，反映融资难。',
  });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/visits/${r.body.id}`);
  assert.equal(r.body.leader_name, '王主任', 'the name comes from the leader\'s account');
  assert.equal(r.body.firm_id, v.otherFirm);
  assert.equal(r.body.visited_on, TODAY);
  assert.equal(r.body.created_by, v.u_leader);
  assert.equal(r.body.issues, 0);
  assert.deepEqual(r.body.demands, []);
  assert.equal(r.body.version, 1);
  const row = await expectAudit(await h.as('admin'), r, { entity: 'visit', entityId: r.body.id, action: 'visit.create' });
  assert.equal(j(row.after).firm_id, v.otherFirm);
});

test('an issue raised at a visit becomes a demand linked back: channel visit, source visit/ID, listed in /api/v1/demands', async () => {
  const staff = await h.as('staff');
  const vr = await staff.post('/api/v1/visits', visitBody({ firm_id: v.otherFirm, visited_on: '2024-04-08' }));
  expectStatus(vr, 201);
  const id = vr.body.id;
  const r = await staff.post(`/api/v1/visits/${id}/issues`, issue({ category: 'help', priority: 'high', topic: 'utilities', contact_name: '刘经理', contact_phone: '0456-1234567' }));
  expectStatus(r, 201);
  const d = r.body;
  assert.equal(r.headers.get('location'), `/api/v1/demands/${d.id}`);
  assert.match(d.code, /^SQ-\d{4}-\d{6}$/);
  assert.equal(d.channel, 'visit');
  assert.equal(d.source_kind, 'visit');
  assert.equal(d.source_id, id);
  assert.equal(d.firm_id, v.otherFirm, 'the visit\'s firm');
  assert.equal(d.state, 'accepted');
  assert.equal(d.category, 'help');
  await expectAudit(await h.as('admin'), r, { entity: 'demand', entityId: d.id, action: 'demand.file' });
  // the demands list filters by the source
  const list = expectList(await staff.get(`/api/v1/demands?source_kind=visit&source_id=${id}`));
  assert.deepEqual(list.items.map((x) => x.id), [d.id]);
  // and the visit shows it
  const got = await staff.get(`/api/v1/visits/${id}`);
  expectStatus(got, 200);
  assert.equal(got.body.issues, 1);
  assert.equal(got.body.issues_open, 1);
  assert.deepEqual(got.body.demands.map((x) => x.id), [d.id]);
  // a second issue at the same visit
  const r2 = await (await h.as('leader')).post(`/api/v1/visits/${id}/issues`, issue());
  expectStatus(r2, 201);
  // the count is of every issue raised; the list holds the demands the caller may read (the
  // leader's demand was accepted by the administration, outside INVEST's tree)
  const again = await staff.get(`/api/v1/visits/${id}`);
  assert.equal(again.body.issues, 2);
  assert.deepEqual(again.body.demands.map((x) => x.id), [d.id]);
  const byAdmin = await (await h.as('admin')).get(`/api/v1/visits/${id}`);
  assert.deepEqual(byAdmin.body.demands.map((x) => x.id).sort((a, b) => a - b), [d.id, r2.body.id].sort((a, b) => a - b));
  assert.equal(r2.body.source_id, id);
});

test('PATCH /api/v1/visits/{id}: version guards, a new leader brings their name, null clears, audit before/after', async () => {
  const staff = await h.as('staff');
  const vr = await staff.post('/api/v1/visits', visitBody({ notes: '初稿' }));
  expectStatus(vr, 201);
  let rec = vr.body;
  let r = await staff.patch(`/api/v1/visits/${rec.id}`, { version: rec.version, notes: null, purpose: '回访', leader_id: v.u_leader });
  expectStatus(r, 200);
  assert.equal(r.body.version, rec.version + 1);
  assert.equal(r.body.notes, null);
  assert.equal(r.body.purpose, '回访');
  assert.equal(r.body.leader_id, v.u_leader);
  assert.equal(r.body.leader_name, '王主任');
  const row = await expectAudit(await h.as('admin'), r, { entity: 'visit', entityId: rec.id, action: 'visit.update' });
  assert.equal(j(row.before).notes, '初稿');
  assert.equal(j(row.after).notes, null);
  // stale
  const stale = await staff.patch(`/api/v1/visits/${rec.id}`, { version: rec.version, notes: 'x' });
  expectProblem(stale, 412, { code: 'stale' });
  await expectNoAudit(await h.as('admin'), stale);
  // a visit in the future is refused on patch too
  expectProblem(await staff.patch(`/api/v1/visits/${rec.id}`, { version: r.body.version, visited_on: TOMORROW }), 422, { fields: ['visited_on:in_future'] });
  // moving it to a firm outside the caller's scope
  expectProblem(await staff.patch(`/api/v1/visits/${rec.id}`, { version: r.body.version, firm_id: v.customsFirm }), 422, { fields: ['firm_id:no_such'] });
  rec = r.body;
});

test('visit lists: scope in SQL, filters, sort, paging, XLSX and CSV', async () => {
  const admin = await h.as('admin');
  const all = expectList(await admin.get('/api/v1/visits?per_page=200'));
  assert.ok(all.items.some((x) => x.id === v.customsVisit));
  const staff = expectList(await (await h.as('staff')).get('/api/v1/visits?per_page=200'));
  assert.ok(!staff.items.some((x) => x.id === v.customsVisit), 'no Customs visit for INVEST staff');
  const com = expectList(await (await h.as('commissioner')).get('/api/v1/visits?per_page=200'));
  for (const x of com.items) assert.ok(h.ids.commissionerFirms.includes(x.firm_id), 'the commissioner lists visits to its firms only');
  // filters never widen the scope
  const wide = expectList(await (await h.as('staff')).get(`/api/v1/visits?firm_id=${v.customsFirm}`));
  assert.equal(wide.total, 0);
  // by firm, leader, dates, text
  const byFirm = expectList(await admin.get(`/api/v1/visits?firm_id=${v.comFirm}&per_page=200`));
  assert.ok(byFirm.items.length > 0 && byFirm.items.every((x) => x.firm_id === v.comFirm));
  const byLeader = expectList(await admin.get(`/api/v1/visits?leader_id=${v.u_leader}&per_page=200`));
  assert.ok(byLeader.items.length > 0 && byLeader.items.every((x) => x.leader_id === v.u_leader));
  const march = expectList(await admin.get('/api/v1/visits?from=2024-03-01&to=2024-03-31&per_page=200'));
  assert.ok(march.items.every((x) => x.visited_on >= '2024-03-01' && x.visited_on <= '2024-03-31'));
  assert.ok(march.items.some((x) => x.id === v.comVisit));
  const text = expectList(await admin.get(`/api/v1/visits?q=${encodeURIComponent('企业遇到困难')}`));
  assert.deepEqual(text.items.map((x) => x.id), [v.comVisit]);
  const byName = expectList(await admin.get(`/api/v1/visits?q=${encodeURIComponent('海关监管')}`));
  assert.deepEqual(byName.items.map((x) => x.id), [v.customsVisit]);
  // sort and paging
  const asc = expectList(await admin.get('/api/v1/visits?sort=visited_on&per_page=200'));
  const days = asc.items.map((x) => x.visited_on);
  assert.deepEqual(days, [...days].sort());
  const p1 = expectList(await admin.get('/api/v1/visits?sort=id&per_page=2&page=1'));
  const p2 = expectList(await admin.get('/api/v1/visits?sort=id&per_page=2&page=2'));
  assert.equal(p1.items.length, 2);
  assert.ok(p2.items.every((x) => x.id > p1.items[1].id));
  for (const s of ['-issues', 'firm', 'leader_name', '-created_at']) expectList(await admin.get(`/api/v1/visits?sort=${s}`));
  expectXlsx(await admin.get('/api/v1/visits.xlsx?sort=-visited_on'));
  const lines = expectCsv(await (await h.as('staff', { lang: 'en' })).get('/api/v1/visits.csv'), { header: ['Visited on', 'Firm', 'Leader'] });
  assert.equal(lines.length - 1, staff.total, 'the CSV holds the caller\'s scope only');
});

test('salons: create, attendance (audited), issues for attendees become demands; the organiser\'s department by default', async () => {
  const staff = await h.as('staff');
  const r = await staff.post('/api/v1/salons', { title: `政企沙龙 ${uniq(4)}`, held_on: '2024-04-12', place: '自贸片区服务大厅', topics: '用工、通关' });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/salons/${r.body.id}`);
  assert.equal(r.body.organiser_dept, v.d_INVEST, 'the creator\'s department organises by default');
  assert.equal(r.body.can_edit, true);
  assert.deepEqual(r.body.firms, []);
  await expectAudit(await h.as('admin'), r, { entity: 'salon', entityId: r.body.id, action: 'salon.create' });
  const id = r.body.id;
  const put = await staff.put(`/api/v1/salons/${id}/firms`, { firms: [{ firm_id: v.comFirm, attendees: '张总' }, { firm_id: v.otherFirm }], version: r.body.version });
  expectStatus(put, 200);
  assert.equal(put.body.version, r.body.version + 1);
  assert.deepEqual(put.body.firms.map((f) => f.firm_id).sort((a, b) => a - b), [v.comFirm, v.otherFirm].sort((a, b) => a - b));
  assert.equal(put.body.firms_count, 2);
  const row = await expectAudit(await h.as('admin'), put, { entity: 'salon', entityId: id, action: 'salon.firms' });
  assert.deepEqual(j(row.before).firms, []);
  assert.equal(j(row.after).firms.length, 2);
  // a stale version
  expectProblem(await staff.put(`/api/v1/salons/${id}/firms`, { firms: [], version: r.body.version }), 412, { code: 'stale' });
  // an issue for an attendee
  const i1 = await staff.post(`/api/v1/salons/${id}/issues`, issue({ firm_id: v.comFirm, lang: 'zh' }));
  expectStatus(i1, 201);
  assert.equal(i1.body.channel, 'salon');
  assert.equal(i1.body.source_kind, 'salon');
  assert.equal(i1.body.source_id, id);
  assert.equal(i1.body.firm_id, v.comFirm);
  const got = await staff.get(`/api/v1/salons/${id}`);
  expectStatus(got, 200);
  assert.equal(got.body.issues, 1);
  assert.deepEqual(got.body.demands.map((d) => d.id), [i1.body.id]);
  assert.equal(got.body.firms.find((f) => f.firm_id === v.comFirm).issues, 1);
  const list = expectList(await staff.get(`/api/v1/demands?source_kind=salon&source_id=${id}`));
  assert.deepEqual(list.items.map((d) => d.id), [i1.body.id]);
  // the commissioner sees the salon through its firm, with only its own attendees, and may raise issues for them
  const com = await h.as('commissioner');
  const cg = await com.get(`/api/v1/salons/${id}`);
  expectStatus(cg, 200);
  assert.equal(cg.body.can_edit, false);
  assert.deepEqual(cg.body.firms.map((f) => f.firm_id), [v.comFirm]);
  assert.equal(cg.body.firms_count, 2, 'the count is of every attendee');
  expectStatus(await com.post(`/api/v1/salons/${id}/issues`, issue({ firm_id: v.comFirm })), 201);
  // PATCH with version; the creator may change it
  const p = await staff.patch(`/api/v1/salons/${id}`, { version: got.body.version, title: '政企沙龙（改）', place: null });
  expectStatus(p, 200);
  assert.equal(p.body.title, '政企沙龙（改）');
  assert.equal(p.body.place, null);
  await expectAudit(await h.as('admin'), p, { entity: 'salon', entityId: id, action: 'salon.update' });
  expectProblem(await staff.patch(`/api/v1/salons/${id}`, { version: got.body.version, notes: 'x' }), 412, { code: 'stale' });
  expectProblem(await staff.patch(`/api/v1/salons/${id}`, { version: p.body.version, title: null, held_on: '2024-02-31' }), 422, { fields: ['title:required', 'held_on:format'] });
});

test('a salon planned ahead takes issues only once held: 409 salon_not_held', async () => {
  const staff = await h.as('staff');
  const r = await staff.post('/api/v1/salons', { title: '下月沙龙', held_on: TOMORROW });
  expectStatus(r, 201);
  expectStatus(await staff.put(`/api/v1/salons/${r.body.id}/firms`, { firms: [{ firm_id: v.otherFirm }] }), 200);
  const i = await staff.post(`/api/v1/salons/${r.body.id}/issues`, issue({ firm_id: v.otherFirm }));
  expectProblem(i, 409, { code: 'salon_not_held' });
  await expectNoAudit(await h.as('admin'), i);
});

test('salon lists: scope, filters, sort, exports', async () => {
  const admin = await h.as('admin');
  const staff = expectList(await (await h.as('staff')).get('/api/v1/salons?per_page=200'));
  assert.ok(!staff.items.some((s) => s.id === v.customsSalon));
  assert.ok(staff.items.some((s) => s.id === v.investSalon));
  const com = expectList(await (await h.as('commissioner')).get('/api/v1/salons?per_page=200'));
  assert.ok(com.items.some((s) => s.id === v.investSalon));
  assert.ok(!com.items.some((s) => s.id === v.customsSalon));
  const byFirm = expectList(await admin.get(`/api/v1/salons?firm_id=${v.customsFirm}`));
  assert.deepEqual(byFirm.items.map((s) => s.id), [v.customsSalon]);
  const byDept = expectList(await admin.get(`/api/v1/salons?organiser_dept=${v.d_CUSTOMS}`));
  assert.deepEqual(byDept.items.map((s) => s.id), [v.customsSalon]);
  const text = expectList(await admin.get(`/api/v1/salons?q=${encodeURIComponent('融资')}`));
  assert.ok(text.items.some((s) => s.id === v.investSalon));
  const dated = expectList(await admin.get('/api/v1/salons?from=2024-03-15&to=2024-03-31'));
  assert.ok(dated.items.every((s) => s.held_on >= '2024-03-15' && s.held_on <= '2024-03-31'));
  for (const s of ['title', '-firms', 'issues', 'held_on', 'created_at', 'id']) expectList(await admin.get(`/api/v1/salons?sort=${s}`));
  expectXlsx(await admin.get('/api/v1/salons.xlsx'));
  expectCsv(await (await h.as('admin', { lang: 'ru' })).get('/api/v1/salons.csv'), { header: ['Тема'] });
});

test('visit figures: visits per month and leader, issues raised, share resolved from the linked demands', async () => {
  const admin = await h.as('admin');
  // two visits of a fresh leader in one month, three issues, one resolved
  const u = await admin.post('/api/v1/users', { username: `leader-${uniq(4)}`, password: 'ftz-demo-2026', display_name: `赵副主任${uniq(3)}`, roles: ['leader'] });
  expectStatus(u, 201);
  const lid = u.body.id;
  const mk = async (day) => {
    const r = await admin.post('/api/v1/visits', { firm_id: v.otherFirm, visited_on: day, leader_id: lid });
    expectStatus(r, 201);
    return r.body.id;
  };
  const a = await mk('2023-06-03');
  const b = await mk('2023-06-20');
  const d1 = (await admin.post(`/api/v1/visits/${a}/issues`, issue())).body;
  expectStatus(await admin.post(`/api/v1/visits/${a}/issues`, issue()), 201);
  expectStatus(await admin.post(`/api/v1/visits/${b}/issues`, issue()), 201);
  // d1 through the loop to closed (resolved)
  let d = d1;
  const fire = async (event, members = {}) => {
    const r = await admin.post(`/api/v1/demands/${d.id}/events`, { event, version: d.version, ...members });
    expectStatus(r, 200);
    d = r.body;
  };
  await fire('assess', { category: 'enquiry', priority: 'normal', lead_dept_id: v.d_INVEST });
  await fire('dispatch');
  await fire('receive');
  await fire('reply', { reply: '已协调。' });
  await fire('evaluate', { solved: true, satisfaction: 5 });
  assert.equal(d.state, 'closed');
  const r = await admin.get('/api/v1/visits/figures?group=leader&from=2023-06-01&to=2023-06-30');
  expectStatus(r, 200);
  assert.equal(r.body.group, 'leader');
  const row = r.body.rows.find((x) => x.key === u.body.display_name);
  assert.ok(row, JSON.stringify(r.body.rows));
  assert.deepEqual(
    { visits: row.visits, firms: row.firms, issues: row.issues, open: row.open, resolved: row.resolved, resolved_bp: row.resolved_bp },
    { visits: 2, firms: 1, issues: 3, open: 2, resolved: 1, resolved_bp: 3333 },
  );
  assert.equal(r.body.total.visits, r.body.rows.reduce((s, x) => s + x.visits, 0));
  const m = await admin.get('/api/v1/visits/figures?group=month&from=2023-06-01&to=2023-06-30');
  expectStatus(m, 200);
  assert.deepEqual(m.body.rows.map((x) => x.key), ['2023-06']);
  assert.equal(m.body.rows[0].issues, 3);
  const f = await admin.get('/api/v1/visits/figures?group=firm&from=2023-06-01&to=2023-06-30');
  assert.equal(f.body.rows[0].key, v.otherFirm);
  assert.equal(typeof f.body.rows[0].label, 'string');
  // the whole period and the default group (month)
  const all = await admin.get('/api/v1/visits/figures');
  expectStatus(all, 200);
  assert.equal(all.body.group, 'month');
  assert.ok(all.body.total.visits >= 2);
  // scope: INVEST staff's figures leave out the Customs visit
  const sf = await (await h.as('staff')).get('/api/v1/visits/figures?group=all');
  assert.ok(sf.body.total.visits < all.body.total.visits);
  expectXlsx(await admin.get('/api/v1/visits/figures.xlsx?group=leader'));
  expectCsv(await (await h.as('admin', { lang: 'en' })).get('/api/v1/visits/figures.csv?group=month'), { header: ['Visits', 'Issues (denominator)'] });
});

test('Russian problem texts name the rule', async () => {
  const r = await (await h.as('staff', { lang: 'ru' })).post('/api/v1/visits', visitBody({ visited_on: TOMORROW }));
  const b = expectProblem(r, 422, { fields: ['visited_on:in_future'] });
  assert.match(b.errors[0].message, /позже/);
});
