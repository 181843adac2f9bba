// commissioners.test.mjs — chief service commissioners and the start-up package
// (docs/internals/firm.md): automatic assignment at registration (industry, load, the
// setting), reassignment with a reason and its history, profiles, the list with loads, the
// commissioner's workspace, each new firm's package, an item's status changes, the board with
// its export and figures — every route with its refusals (401, 403 per role, 404 outside the
// scope, 409, 412, 422 naming the fields).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD,
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

const h = useServer('commissioners');
let v = {};
const COM_B = 'com-b'; // a second commissioner (food industry)
const COM_C = 'com-c'; // a third one, made inactive later
const ASSIGNER = 'assigner'; // firm.assign + firm.read, scope dept_tree in CUSTOMS
const PKG_ITEMS = ['licence', 'seal_set', 'tax_ukey', 'bank_account', 'delivery', 'commissioner', 'policy_pack'];

h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  for (const [name, display] of [
    [COM_B, '食品专员'],
    [COM_C, '备用专员'],
  ]) {
    const u = await admin.post('/api/v1/users', {
      username: name,
      password: DEMO_PASSWORD,
      display_name: display,
      roles: ['commissioner'],
      department_id: v.d_BIZENV,
    });
    expectStatus(u, 201);
    v[`u_${name.replace('-', '_')}`] = u.body.id;
  }
  const role = await admin.post('/api/v1/roles', {
    name: 'assigner',
    title_zh: '专员调度',
    title_ru: 'Распределитель',
    title_en: 'Assigner',
    permissions: ['firm.read', 'firm.assign'],
  });
  expectStatus(role, 201);
  const u = await admin.post('/api/v1/users', {
    username: ASSIGNER,
    password: DEMO_PASSWORD,
    display_name: '海关专员调度',
    roles: ['assigner'],
    department_id: v.d_CUSTOMS,
    scope: 'dept_tree',
  });
  expectStatus(u, 201);
  // profiles: the demo commissioner trades (section F), com-b food (13, 14), com-c none
  await putProfile(admin, v.u_commissioner, { industries: ['F'], max_firms: 0 });
  await putProfile(admin, v.u_com_b, { industries: ['13', '14'], max_firms: 0 });
});

async function putProfile(client, userId, body) {
  const cur = await client.get(`/api/v1/commissioners/${userId}/profile`);
  expectStatus(cur, 200);
  const r = await client.put(`/api/v1/commissioners/${userId}/profile`, { active: true, ...body, version: cur.body.version });
  expectStatus(r, 200);
  return r.body;
}

const firmBody = (extra = {}) => ({ credit_code: newCreditCode(), name_zh: `专员测试企业${uniq(4)}`, ...extra });

async function register(extra = {}) {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/firms', firmBody(extra));
  expectStatus(r, 201);
  return r;
}

async function packageOf(client, firmId) {
  const r = await client.get(`/api/v1/firms/${firmId}/package`);
  expectStatus(r, 200);
  return r.body;
}

const itemOf = (pkg, code) => pkg.items.find((i) => i.item === code);

// ---- access: every route, per role -------------------------------------------------------

const access = [
  // no credentials
  { as: null, method: 'GET', path: '/api/v1/commissioners', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/commissioners/me/workspace', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/commissioners/:u_commissioner/profile', status: 401 },
  { as: null, method: 'PUT', path: '/api/v1/commissioners/:u_commissioner/profile', body: {}, status: 401 },
  { as: null, method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: {}, status: 401 },
  { as: null, method: 'GET', path: '/api/v1/firms/:comFirm/commissioner-history', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/firms/:comFirm/package', status: 401 },
  { as: null, method: 'PATCH', path: '/api/v1/firms/:comFirm/package/delivery', body: {}, status: 401 },
  { as: null, method: 'GET', path: '/api/v1/startup-package', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/startup-package.xlsx', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/startup-package/figures', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/startup-package/catalogue', status: 401 },
  // the permissions: firm.assign (admin only among the built-in roles)
  { as: 'staff', method: 'POST', path: '/api/v1/firms/:otherFirm/commissioner', body: { user_id: 1, reason: 'x' }, status: 403, code: 'permission' },
  { as: 'commissioner', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: { user_id: 1, reason: 'x' }, status: 403, code: 'permission' },
  { as: 'leader', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: { user_id: 1, reason: 'x' }, status: 403, code: 'permission' },
  { as: 'dispatcher', method: 'PUT', path: '/api/v1/commissioners/:u_commissioner/profile', body: { industries: [], version: 0 }, status: 403, code: 'permission' },
  { as: 'commissioner', method: 'PUT', path: '/api/v1/commissioners/:u_commissioner/profile', body: { industries: [], version: 0 }, status: 403, code: 'permission' },
  // firm.package: staff and commissioners, not the leader, the firm or the officers
  { as: 'leader', method: 'PATCH', path: '/api/v1/firms/:comFirm/package/delivery', body: { status: 'done', version: 1 }, status: 403, code: 'permission' },
  { as: 'firm', method: 'PATCH', path: '/api/v1/firms/:ownFirm/package/delivery', body: { status: 'done', version: 1 }, status: 403, code: 'permission' },
  { as: 'customs', method: 'PATCH', path: '/api/v1/firms/:comFirm/package/delivery', body: { status: 'done', version: 1 }, status: 403, code: 'permission' },
  // firm.workspace: commissioners
  { as: 'staff', method: 'GET', path: '/api/v1/commissioners/me/workspace', status: 403, code: 'permission' },
  { as: 'firm', method: 'GET', path: '/api/v1/commissioners/me/workspace', status: 403, code: 'permission' },
  { as: 'leader', method: 'GET', path: '/api/v1/commissioners/me/workspace', status: 403, code: 'permission' },
  { as: 'commissioner', method: 'GET', path: '/api/v1/commissioners/me/workspace', status: 200 },
  // reads: firm.read, within the data scope
  { as: 'leader', method: 'GET', path: '/api/v1/startup-package', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/startup-package/figures', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/commissioners', status: 200 },
  { as: 'firm', method: 'GET', path: '/api/v1/firms/:ownFirm/package', status: 200 },
  { as: 'firm', method: 'GET', path: '/api/v1/firms/:otherFirm/package', status: 404, code: 'not_found' },
  { as: 'firm', method: 'GET', path: '/api/v1/firms/:otherFirm/commissioner-history', status: 404, code: 'not_found' },
  { as: 'commissioner', method: 'GET', path: '/api/v1/firms/:comFirm/package', status: 200 },
  { as: 'commissioner', method: 'GET', path: '/api/v1/firms/:otherFirm/package', status: 404, code: 'not_found' },
  { as: 'commissioner', method: 'PATCH', path: '/api/v1/firms/:otherFirm/package/delivery', body: { status: 'done', version: 1 }, status: 404, code: 'not_found' },
  { as: 'station', method: 'GET', path: '/api/v1/firms/:ownFirm/package', status: 404 },
  { as: 'station', method: 'GET', path: '/api/v1/startup-package', status: 200, check: (r) => assert.equal(r.body.total, 0) },
  // a firm's own account sees its own commissioner only
  { as: 'firm', method: 'GET', path: '/api/v1/commissioners', status: 200, check: (r, x) => assert.deepEqual(r.body.items.map((c) => c.user_id), [x.u_commissioner]) },
  { as: 'firm', method: 'GET', path: '/api/v1/commissioners/:u_commissioner/profile', status: 200 },
  { as: 'firm', method: 'GET', path: '/api/v1/commissioners/:u_com_b/profile', status: 404, code: 'not_found' },
  // a holder of firm.assign limited to CUSTOMS' tree cannot reach INVEST's firms
  { as: ASSIGNER, method: 'POST', path: '/api/v1/firms/:otherFirm/commissioner', body: (x) => ({ user_id: x.u_com_b, reason: '调整' }), status: 404, code: 'not_found' },
  // unknown records
  { as: 'admin', method: 'GET', path: '/api/v1/firms/:missing/package', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/firms/:missing/commissioner-history', status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/firms/:missing/commissioner', body: (x) => ({ user_id: x.u_com_b, reason: 'x' }), status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/firms/:missing/package/delivery', body: { status: 'done', version: 1 }, status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/firms/:comFirm/package/rocket', body: { status: 'done', version: 1 }, status: 404, code: 'not_found' },
  { as: 'admin', method: 'PATCH', path: `/api/v1/firms/:comFirm/package/${'x'.repeat(40)}`, body: { status: 'done', version: 1 }, status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/firms/abc/package', status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/commissioners/:u_staff/profile', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/commissioners/:missing/profile', status: 404 },
  { as: 'admin', method: 'PUT', path: '/api/v1/commissioners/:u_staff/profile', body: { industries: [], version: 0 }, status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/commissioners?firm_id=:missing', status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/firms/:comFirm/package', status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

// ---- input refusals ---------------------------------------------------------------------

const bad = [
  { name: 'reassign: nothing', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: {}, fields: ['user_id:required', 'reason:required'] },
  {
    name: 'reassign: wrong types and unknown members',
    method: 'POST',
    path: '/api/v1/firms/:comFirm/commissioner',
    body: { user_id: 'zhang', reason: 5, version: 'x', why: 'x' },
    fields: ['user_id:type', 'reason:type', 'version:type', 'why:unknown'],
  },
  { name: 'reassign: a blank reason', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: (x) => ({ user_id: x.u_com_b, reason: '   ' }), fields: ['reason:required'] },
  { name: 'reassign: a reason over 500', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: (x) => ({ user_id: x.u_com_b, reason: '因'.repeat(501) }), fields: ['reason:too_long'] },
  { name: 'reassign: no such user', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: { user_id: 987654321, reason: 'x' }, fields: ['user_id:no_such'] },
  { name: 'reassign: not a commissioner', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: (x) => ({ user_id: x.u_staff, reason: 'x' }), fields: ['user_id:not_commissioner'] },
  { name: 'reassign: user id 0', method: 'POST', path: '/api/v1/firms/:comFirm/commissioner', body: { user_id: 0, reason: 'x' }, fields: ['user_id:range'] },
  { name: 'profile: nothing', method: 'PUT', path: '/api/v1/commissioners/:u_com_c/profile', body: {}, fields: ['industries:required', 'version:required'] },
  {
    name: 'profile: bad codes, cap out of range, wrong types',
    method: 'PUT',
    path: '/api/v1/commissioners/:u_com_c/profile',
    body: { industries: ['Z', '51', '5', 7], max_firms: -1, active: 'yes', version: 0, extra: 1 },
    fields: ['industries[3]:type', 'max_firms:range', 'active:type', 'extra:unknown'],
  },
  {
    name: 'profile: codes outside GB/T 4754',
    method: 'PUT',
    path: '/api/v1/commissioners/:u_com_c/profile',
    body: { industries: ['Z', '51', '5', '99', '51911'], version: 0 },
    fields: ['industries[0]:format', 'industries[2]:format', 'industries[3]:format', 'industries[4]:format'],
  },
  { name: 'profile: industries not a list', method: 'PUT', path: '/api/v1/commissioners/:u_com_c/profile', body: { industries: 'F', version: 0 }, fields: ['industries:type'] },
  { name: 'profile: over 32 codes', method: 'PUT', path: '/api/v1/commissioners/:u_com_c/profile', body: { industries: Array(33).fill('F'), version: 0 }, fields: ['industries:too_many'] },
  { name: 'package item: nothing', method: 'PATCH', path: '/api/v1/firms/:comFirm/package/delivery', body: {}, fields: ['version:required', 'status:required'] },
  { name: 'package item: a status outside the set', method: 'PATCH', path: '/api/v1/firms/:comFirm/package/delivery', body: { status: 'finished', version: 1 }, fields: ['status:enum'] },
  {
    name: 'package item: wrong types, unknown members, a long note',
    method: 'PATCH',
    path: '/api/v1/firms/:comFirm/package/delivery',
    body: { status: 3, note: 'n'.repeat(501), version: 'one', cost_fen: 0 },
    fields: ['status:type', 'note:too_long', 'version:type', 'cost_fen:unknown'],
  },
  { name: 'board: bad filters', method: 'GET', path: '/api/v1/startup-package?status=gone&item=rocket&commissioner_id=abc&firm_id=-1&sort=cost', fields: ['status:enum', 'item:enum', 'commissioner_id:type', 'firm_id:type', 'sort:enum'] },
  { name: 'board: bad paging', method: 'GET', path: '/api/v1/startup-package?page=0&per_page=500', fields: ['page:range', 'per_page:range'] },
  { name: 'figures: bad filters', method: 'GET', path: '/api/v1/startup-package/figures?commissioner_id=x&firm_id=0', fields: ['commissioner_id:type', 'firm_id:range'] },
  { name: 'list: bad filters', method: 'GET', path: '/api/v1/commissioners?available=maybe&firm_id=x&sort=load', fields: ['available:enum', 'firm_id:type', 'sort:enum'] },
];
for (const c of bad) {
  test(`422 ${c.name}`, async () => {
    const r = await runCase(h, { as: 'admin', method: c.method, path: c.path, body: c.body, status: 422, fields: c.fields }, v);
    if (c.method !== 'GET') await expectNoAudit(await h.as('admin'), r);
  });
}

// ---- registration -----------------------------------------------------------------------

test('a new firm gets a commissioner by industry before load, audited, with its package', async () => {
  const admin = await h.as('admin');
  // the demo commissioner already looks after three firms, com-b none: industry wins
  const r = await register({ industry: '51', name_en: 'Trade Co.' });
  assert.equal(r.body.commissioner_id, v.u_commissioner);
  const created = await expectAudit(admin, r, { entity: 'firm', entityId: r.body.id, action: 'firm.create' });
  assert.equal(created.after.commissioner_id, v.u_commissioner);
  const auto = await expectAudit(admin, r, { entity: 'firm', entityId: r.body.id, action: 'commissioner.auto_assign' });
  assert.equal(auto.after.commissioner_id, v.u_commissioner);
  assert.match(auto.after.reason, /^auto: industry 51 matches profile F, load \d+$/);
  // the history: one automatic row
  const hist = await admin.get(`/api/v1/firms/${r.body.id}/commissioner-history`);
  expectStatus(hist, 200);
  assert.equal(hist.body.items.length, 1);
  const row = hist.body.items[0];
  assert.equal(row.user_id, v.u_commissioner);
  assert.equal(row.auto, true);
  assert.equal(row.assigned_by, null);
  assert.equal(row.current, true);
  assert.equal(row.reason, auto.after.reason);
  // the package: every item, pending but the commissioner's
  const pkg = await packageOf(admin, r.body.id);
  assert.deepEqual(pkg.items.map((i) => i.item), PKG_ITEMS);
  for (const it of pkg.items) {
    assert.equal(it.status, it.item === 'commissioner' ? 'done' : 'pending', it.item);
    assert.equal(it.version, 1);
    assert.ok(Array.isArray(it.next));
  }
  assert.equal(itemOf(pkg, 'seal_set').cost_fen, 30000);
  assert.ok(itemOf(pkg, 'commissioner').done_at);
  assert.equal(pkg.outstanding, 6);
  assert.equal(pkg.complete, false);
  assert.equal(pkg.cost_fen, 0);
  // the commissioner sees the new firm at once
  expectStatus(await (await h.as('commissioner')).get(`/api/v1/firms/${r.body.id}`), 200);
});

test('no profile matches: the least loaded commissioner of all; a food firm goes to com-b', async () => {
  const farm = await register({ industry: '01' });
  // com-c has no profile and no firm yet: least load (ties: lowest id → com-b or com-c)
  const list = expectList(await (await h.as('admin')).get('/api/v1/commissioners?per_page=200'));
  const load = Object.fromEntries(list.items.map((c) => [c.user_id, c.firms]));
  assert.notEqual(farm.body.commissioner_id, v.u_commissioner, 'the most loaded one is not chosen');
  assert.ok([v.u_com_b, v.u_com_c].includes(farm.body.commissioner_id));
  const food = await register({ industry: '14' });
  assert.equal(food.body.commissioner_id, v.u_com_b);
  const hist = (await (await h.as('admin')).get(`/api/v1/firms/${food.body.id}/commissioner-history`)).body.items;
  assert.match(hist[0].reason, /^auto: industry 14 matches profile 14, load \d+$/);
  assert.ok(load[v.u_commissioner] >= 3);
});

test('a commissioner given at registration is kept and recorded, not chosen', async () => {
  const admin = await h.as('admin');
  const r = await register({ industry: '14', commissioner_id: v.u_commissioner });
  assert.equal(r.body.commissioner_id, v.u_commissioner);
  const hist = (await admin.get(`/api/v1/firms/${r.body.id}/commissioner-history`)).body.items;
  assert.equal(hist.length, 1);
  assert.equal(hist[0].reason, 'registration');
  assert.equal(hist[0].auto, false);
  const a = await admin.get(`/api/v1/audit?entity=firm&entity_id=${r.body.id}&per_page=50`);
  assert.ok(!a.body.items.some((x) => x.action === 'commissioner.auto_assign'));
});

test('an inactive or disabled commissioner is never chosen; with nobody active the firm is registered without one', async () => {
  const admin = await h.as('admin');
  // every commissioner inactive for a moment
  const saved = [];
  for (const id of [v.u_commissioner, v.u_com_b, v.u_com_c]) {
    const cur = (await admin.get(`/api/v1/commissioners/${id}/profile`)).body;
    saved.push(cur);
    await putProfile(admin, id, { industries: cur.industries, max_firms: cur.max_firms, active: false });
  }
  try {
    const avail = expectList(await admin.get('/api/v1/commissioners?available=true'));
    assert.equal(avail.total, 0);
    const r = await register({ industry: '51' });
    assert.equal(r.body.commissioner_id, null);
    const auto = await expectAudit(admin, r, { entity: 'firm', entityId: r.body.id, action: 'commissioner.auto_assign' });
    assert.equal(auto.after.commissioner_id, null);
    assert.equal(auto.after.reason, 'auto: no active commissioner');
    const pkg = await packageOf(admin, r.body.id);
    assert.equal(itemOf(pkg, 'commissioner').status, 'pending');
    assert.equal((await admin.get(`/api/v1/firms/${r.body.id}/commissioner-history`)).body.items.length, 0);
    // and nobody inactive can be given the firm by hand
    expectProblem(await admin.post(`/api/v1/firms/${r.body.id}/commissioner`, { user_id: v.u_com_b, reason: '试试' }), 422, {
      fields: ['user_id:not_commissioner'],
    });
  } finally {
    for (const cur of saved) await putProfile(admin, cur.user_id, { industries: cur.industries, max_firms: cur.max_firms, active: true });
  }
});

test('the setting firm.auto_assign off: firms register without a commissioner', async () => {
  const admin = await h.as('admin');
  expectStatus(await admin.patch('/api/v1/settings', { 'firm.auto_assign': false }), 200);
  try {
    const r = await register({ industry: '51' });
    assert.equal(r.body.commissioner_id, null);
    const a = await admin.get(`/api/v1/audit?entity=firm&entity_id=${r.body.id}&per_page=50`);
    assert.deepEqual(a.body.items.map((x) => x.action), ['firm.create']);
    assert.equal((await packageOf(admin, r.body.id)).items.length, 7);
  } finally {
    expectStatus(await admin.patch('/api/v1/settings', { 'firm.auto_assign': null }), 200);
  }
  assert.equal((await register({ industry: '51' })).body.commissioner_id, v.u_commissioner);
});

// ---- reassignment -----------------------------------------------------------------------

test('reassignment with a reason: audited, the history ends the old row, access moves', async () => {
  const admin = await h.as('admin');
  const f = (await register({ industry: '52' })).body;
  assert.equal(f.commissioner_id, v.u_commissioner);
  const r = await admin.post(`/api/v1/firms/${f.id}/commissioner`, { user_id: v.u_com_b, reason: '企业转型食品加工', version: f.version });
  expectStatus(r, 200);
  assert.equal(r.body.commissioner_id, v.u_com_b);
  assert.equal(r.body.commissioner_name, '食品专员');
  assert.equal(r.body.version, f.version + 1);
  const row = await expectAudit(admin, r, { entity: 'firm', entityId: f.id, action: 'commissioner.assign' });
  assert.equal(row.before.commissioner_id, v.u_commissioner);
  assert.equal(row.after.commissioner_id, v.u_com_b);
  assert.equal(row.after.reason, '企业转型食品加工');
  const hist = (await admin.get(`/api/v1/firms/${f.id}/commissioner-history`)).body.items;
  assert.equal(hist.length, 2);
  assert.equal(hist[0].user_id, v.u_com_b);
  assert.equal(hist[0].reason, '企业转型食品加工');
  assert.equal(hist[0].assigned_by_name !== null, true);
  assert.equal(hist[0].current, true);
  assert.equal(hist[1].current, false);
  assert.ok(hist[1].ended_at);
  // the old commissioner loses the firm, the new one has it
  expectProblem(await (await h.as('commissioner')).get(`/api/v1/firms/${f.id}`), 404);
  expectStatus(await (await h.as(COM_B)).get(`/api/v1/firms/${f.id}/package`), 200);
  // refusals on the same firm: the same commissioner again, a stale version
  const same = await admin.post(`/api/v1/firms/${f.id}/commissioner`, { user_id: v.u_com_b, reason: '再次' });
  expectProblem(same, 409, { code: 'same_commissioner' });
  await expectNoAudit(admin, same);
  const stale = await admin.post(`/api/v1/firms/${f.id}/commissioner`, { user_id: v.u_commissioner, reason: '回调', version: f.version });
  expectProblem(stale, 412, { code: 'stale' });
  await expectNoAudit(admin, stale);
});

test('a reassignment fills the package item of a firm registered without a commissioner', async () => {
  const admin = await h.as('admin');
  expectStatus(await admin.patch('/api/v1/settings', { 'firm.auto_assign': false }), 200);
  let f;
  try {
    f = (await register()).body;
  } finally {
    expectStatus(await admin.patch('/api/v1/settings', { 'firm.auto_assign': null }), 200);
  }
  assert.equal(itemOf(await packageOf(admin, f.id), 'commissioner').status, 'pending');
  expectStatus(await admin.post(`/api/v1/firms/${f.id}/commissioner`, { user_id: v.u_com_c, reason: '补派' }), 200);
  const it = itemOf(await packageOf(admin, f.id), 'commissioner');
  assert.equal(it.status, 'done');
  assert.equal(it.version, 2);
});

test('PATCH of a firm\'s commissioner_id is recorded in the history too', async () => {
  const admin = await h.as('admin');
  const f = (await register({ industry: '51' })).body;
  const r = await admin.patch(`/api/v1/firms/${f.id}`, { version: f.version, commissioner_id: v.u_com_c });
  expectStatus(r, 200);
  const hist = (await admin.get(`/api/v1/firms/${f.id}/commissioner-history`)).body.items;
  assert.equal(hist.length, 2);
  assert.equal(hist[0].user_id, v.u_com_c);
  assert.match(hist[0].reason, /^edit:/);
  assert.ok(hist[1].ended_at);
});

// ---- profiles and the list --------------------------------------------------------------

test('profiles: the default one, a replacement (audited), a stale version', async () => {
  const admin = await h.as('admin');
  // a commissioner never given a profile has the default one, version 0
  const fresh = await admin.post('/api/v1/users', {
    username: `com-${uniq(4)}`,
    password: DEMO_PASSWORD,
    display_name: '新专员',
    roles: ['commissioner'],
  });
  expectStatus(fresh, 201);
  const def = await admin.get(`/api/v1/commissioners/${fresh.body.id}/profile`);
  expectStatus(def, 200);
  assert.equal(def.body.version, 0);
  assert.deepEqual(def.body.industries, []);
  assert.equal(def.body.max_firms, 0);
  assert.equal(def.body.available, true);
  assert.equal(def.body.firms, 0);
  // the account disabled: not available
  const u = (await admin.get(`/api/v1/users/${fresh.body.id}`)).body;
  expectStatus(await admin.patch(`/api/v1/users/${fresh.body.id}`, { version: u.version, disabled: true }), 200);
  assert.equal((await admin.get(`/api/v1/commissioners/${fresh.body.id}/profile`)).body.available, false);
  const cur = await admin.get(`/api/v1/commissioners/${v.u_com_c}/profile`);
  expectStatus(cur, 200);
  const ver = cur.body.version;
  assert.deepEqual(cur.body.industries, []);
  const r = await admin.put(`/api/v1/commissioners/${v.u_com_c}/profile`, { industries: ['C', '13', 'C', '5191'], max_firms: 40, version: ver });
  expectStatus(r, 200);
  assert.deepEqual(r.body.industries, ['C', '13', '5191']);
  assert.equal(r.body.max_firms, 40);
  assert.equal(r.body.version, ver + 1);
  const row = await expectAudit(admin, r, { entity: 'user', entityId: v.u_com_c, action: 'commissioner.profile' });
  assert.deepEqual(row.before.industries, []);
  assert.deepEqual(row.after.industries, ['C', '13', '5191']);
  const stale = await admin.put(`/api/v1/commissioners/${v.u_com_c}/profile`, { industries: [], version: ver });
  expectProblem(stale, 412, { code: 'stale' });
  await expectNoAudit(admin, stale);
  // back to no industries, no cap
  expectStatus(await admin.put(`/api/v1/commissioners/${v.u_com_c}/profile`, { industries: [], version: ver + 1 }), 200);
});

test('the list: every commissioner with profile and load; matches for a firm; search and sort', async () => {
  const admin = await h.as('admin');
  const all = expectList(await admin.get('/api/v1/commissioners?per_page=200'));
  const ids = all.items.map((c) => c.user_id);
  for (const id of [v.u_commissioner, v.u_com_b, v.u_com_c]) assert.ok(ids.includes(id));
  assert.ok(!ids.includes(v.u_staff));
  const me = all.items.find((c) => c.user_id === v.u_commissioner);
  assert.deepEqual(me.industries, ['F']);
  assert.ok(me.firms >= 3);
  assert.equal(typeof me.open_demands, 'number');
  assert.equal(typeof me.package_outstanding, 'number');
  // firms counted as the registry does
  const firms = expectList(await admin.get(`/api/v1/firms?commissioner_id=${v.u_commissioner}&per_page=200`));
  assert.equal(me.firms, firms.items.filter((f) => f.status !== 'closed').length);
  // matches a trading firm
  const m = expectList(await admin.get(`/api/v1/commissioners?firm_id=${(await register({ industry: '52' })).body.id}&per_page=200`));
  assert.equal(m.items.find((c) => c.user_id === v.u_commissioner).matches, true);
  assert.equal(m.items.find((c) => c.user_id === v.u_com_b).matches, false);
  // search, sort by load
  const q = expectList(await admin.get(`/api/v1/commissioners?q=${encodeURIComponent('食品')}`));
  assert.deepEqual(q.items.map((c) => c.user_id), [v.u_com_b]);
  const sorted = expectList(await admin.get('/api/v1/commissioners?sort=-firms&per_page=200')).items.map((c) => c.firms);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a));
  // loads count within the caller's scope: the commissioner sees none of com-b's firms
  const mine = expectList(await (await h.as('commissioner')).get('/api/v1/commissioners?per_page=200'));
  assert.equal(mine.items.find((c) => c.user_id === v.u_com_b).firms, 0);
});

// ---- the package ------------------------------------------------------------------------

test('the commissioner works through a package item: done (audited), note, reopen; refused moves', async () => {
  const com = await h.as('commissioner');
  const f = (await register({ industry: '51' })).body;
  assert.equal(f.commissioner_id, v.u_commissioner);
  let it = itemOf(await packageOf(com, f.id), 'seal_set');
  const r = await com.patch(`/api/v1/firms/${f.id}/package/seal_set`, { status: 'done', note: '四枚印章已交付', version: it.version });
  expectStatus(r, 200);
  it = itemOf(r.body, 'seal_set');
  assert.equal(it.status, 'done');
  assert.ok(it.done_at);
  assert.equal(it.note, '四枚印章已交付');
  assert.equal(it.updated_by, v.u_commissioner);
  assert.deepEqual(it.next, ['in_progress']);
  assert.equal(r.body.cost_fen, 30000);
  assert.equal(r.body.cost_words, '300元');
  const row = await expectAudit(await h.as('admin'), r, { entity: 'firm', entityId: f.id, action: 'startup_item.update' });
  assert.equal(row.before.status, 'pending');
  assert.equal(row.after.status, 'done');
  // refused: done → pending (409), a stale version (412)
  const back = await com.patch(`/api/v1/firms/${f.id}/package/seal_set`, { status: 'pending', version: it.version });
  expectProblem(back, 409, { code: 'package_transition' });
  assert.match(back.body.detail, /done → pending/);
  await expectNoAudit(await h.as('admin'), back);
  expectProblem(await com.patch(`/api/v1/firms/${f.id}/package/seal_set`, { status: 'in_progress', version: 1 }), 412, { code: 'stale' });
  // a note alone; then reopened (done_at cleared)
  const n = await com.patch(`/api/v1/firms/${f.id}/package/seal_set`, { note: '补刻合同章', version: it.version });
  expectStatus(n, 200);
  it = itemOf(n.body, 'seal_set');
  assert.equal(it.status, 'done');
  assert.equal(it.note, '补刻合同章');
  const re = await com.patch(`/api/v1/firms/${f.id}/package/seal_set`, { status: 'in_progress', version: it.version });
  expectStatus(re, 200);
  assert.equal(itemOf(re.body, 'seal_set').done_at, null);
  // not needed, and needed after all
  let lic = itemOf(re.body, 'licence');
  const nn = await com.patch(`/api/v1/firms/${f.id}/package/licence`, { status: 'not_needed', version: lic.version });
  expectStatus(nn, 200);
  lic = itemOf(nn.body, 'licence');
  expectProblem(await com.patch(`/api/v1/firms/${f.id}/package/licence`, { status: 'done', version: lic.version }), 409, { code: 'package_transition' });
  expectStatus(await com.patch(`/api/v1/firms/${f.id}/package/licence`, { status: 'pending', version: lic.version }), 200);
});

test('staff of INVEST work on their tree\'s packages; a firm outside it is 404', async () => {
  const admin = await h.as('admin');
  const staff = await h.as('staff');
  const mine = (await register({ department_id: v.d_INVEST })).body;
  const theirs = (await register({ department_id: v.d_CUSTOMS })).body;
  expectStatus(await staff.patch(`/api/v1/firms/${mine.id}/package/delivery`, { status: 'in_progress', version: 1 }), 200);
  expectProblem(await staff.patch(`/api/v1/firms/${theirs.id}/package/delivery`, { status: 'in_progress', version: 1 }), 404, { code: 'not_found' });
  expectProblem(await staff.get(`/api/v1/firms/${theirs.id}/package`), 404);
  const board = expectList(await staff.get(`/api/v1/startup-package?firm_id=${theirs.id}`));
  assert.equal(board.total, 0);
  // the assigner of CUSTOMS' tree may reassign CUSTOMS' firm
  const target = theirs.commissioner_id === v.u_com_c ? v.u_com_b : v.u_com_c;
  const r = await (await h.as(ASSIGNER)).post(`/api/v1/firms/${theirs.id}/commissioner`, { user_id: target, reason: '海关片区专员' });
  expectStatus(r, 200);
  assert.equal(r.body.commissioner_id, target);
  await expectAudit(admin, r, { entity: 'firm', entityId: theirs.id, action: 'commissioner.assign' });
});

test('the board: filters, sort, scope, XLSX and CSV', async () => {
  const admin = await h.as('admin');
  const f = (await register({ industry: '51' })).body;
  const all = expectList(await admin.get(`/api/v1/startup-package?firm_id=${f.id}&sort=item`));
  assert.equal(all.total, 7);
  assert.deepEqual(all.items.map((r) => r.item), PKG_ITEMS);
  const row = all.items[0];
  for (const k of ['firm_id', 'credit_code', 'firm_name', 'commissioner_id', 'commissioner_name', 'item_name', 'status_name', 'cost_fen', 'version', 'next']) assert.ok(k in row, k);
  const out = expectList(await admin.get(`/api/v1/startup-package?firm_id=${f.id}&status=outstanding`));
  assert.equal(out.total, 6);
  const seal = expectList(await admin.get(`/api/v1/startup-package?item=seal_set&status=pending&commissioner_id=${v.u_commissioner}&per_page=200`));
  assert.ok(seal.items.length > 0);
  for (const r of seal.items) {
    assert.equal(r.item, 'seal_set');
    assert.equal(r.status, 'pending');
    assert.equal(r.commissioner_id, v.u_commissioner);
  }
  const q = expectList(await admin.get(`/api/v1/startup-package?q=${encodeURIComponent(f.credit_code.slice(8, 16).toLowerCase())}`));
  assert.equal(q.total, 7);
  // the commissioner's board: their firms only
  const com = expectList(await (await h.as('commissioner')).get('/api/v1/startup-package?per_page=200&status=outstanding'));
  assert.ok(com.items.every((r) => r.commissioner_id === v.u_commissioner));
  // the firm account: its own firm's items only
  const own = expectList(await (await h.as('firm')).get('/api/v1/startup-package?per_page=200'));
  assert.ok(own.items.every((r) => r.firm_id === v.ownFirm));
  assert.equal(own.total, 7);
  expectXlsx(await admin.get(`/api/v1/startup-package.xlsx?firm_id=${f.id}`));
  const lines = expectCsv(await admin.get(`/api/v1/startup-package.csv?firm_id=${f.id}&sort=item`), { header: ['统一社会信用代码', '片区承担费用（元）'] });
  assert.equal(lines.length, 8);
  assert.match(lines[2], /免费刻制印章（一套）.*300\.00/);
  const en = expectCsv(await admin.get(`/api/v1/startup-package.csv?firm_id=${f.id}`, { headers: { 'accept-language': 'en' } }), { header: ['Cost to the zone (yuan)'] });
  assert.equal(en.length, 8);
});

test('figures: items done per type, the cost the zone bore (fen and words), complete packages', async () => {
  const admin = await h.as('admin');
  const f = (await register({ industry: '51' })).body;
  const before = (await admin.get(`/api/v1/startup-package/figures?firm_id=${f.id}`)).body;
  assert.equal(before.firms, 1);
  assert.equal(before.firms_complete, 0);
  assert.equal(before.cost_fen, 0);
  assert.equal(before.cost_fen_planned, 47000);
  assert.equal(before.outstanding, 6);
  const com = await h.as('commissioner');
  let pkg = await packageOf(com, f.id);
  for (const it of pkg.items) {
    if (it.status !== 'pending') continue;
    const status = it.item === 'licence' ? 'not_needed' : 'done';
    expectStatus(await com.patch(`/api/v1/firms/${f.id}/package/${it.item}`, { status, version: it.version }), 200);
  }
  pkg = await packageOf(com, f.id);
  assert.equal(pkg.complete, true);
  assert.equal(pkg.cost_fen, 47000);
  assert.equal(pkg.cost_words, '470元');
  const fig = (await admin.get(`/api/v1/startup-package/figures?firm_id=${f.id}`)).body;
  assert.equal(fig.firms_complete, 1);
  assert.equal(fig.cost_fen, 47000);
  assert.equal(fig.cost_words, '470元');
  assert.equal(fig.outstanding, 0);
  assert.deepEqual(fig.by_item.map((b) => b.item), PKG_ITEMS);
  assert.equal(fig.by_item.find((b) => b.item === 'licence').not_needed, 1);
  assert.equal(fig.by_item.find((b) => b.item === 'seal_set').done, 1);
  assert.equal(fig.by_item.find((b) => b.item === 'seal_set').cost_fen, 30000);
  // over everything: at least this one
  const whole = (await admin.get('/api/v1/startup-package/figures')).body;
  assert.ok(whole.firms >= 1 && whole.firms_complete >= 1 && whole.cost_fen >= 47000);
  // a commissioner's figures are their firms' only
  const other = (await admin.get(`/api/v1/startup-package/figures?commissioner_id=${v.u_com_b}`)).body;
  assert.ok(other.firms < whole.firms);
  // in Russian the wording stays Chinese report wording; names follow the language
  const ru = await admin.get('/api/v1/startup-package/figures', { headers: { 'accept-language': 'ru' } });
  assert.equal(ru.body.by_item[1].name, 'Бесплатный комплект печатей');
});

test('the catalogue: items and costs from data/startup_package.csv, statuses and their moves', async () => {
  const r = await (await h.as('leader')).get('/api/v1/startup-package/catalogue');
  expectStatus(r, 200);
  assert.deepEqual(r.body.items.map((i) => i.code), PKG_ITEMS);
  assert.equal(r.body.items.reduce((s, i) => s + i.cost_fen, 0), 47000);
  assert.deepEqual(
    Object.fromEntries(r.body.statuses.map((s) => [s.status, s.next])),
    { pending: ['in_progress', 'done', 'not_needed'], in_progress: ['done', 'not_needed'], done: ['in_progress'], not_needed: ['pending'] },
  );
});

// ---- the workspace ----------------------------------------------------------------------

test('the workspace: the commissioner\'s firms, open demands, visits due, package items outstanding', async () => {
  const com = await h.as('commissioner');
  const f = (await register({ industry: '51' })).body;
  const d = await com.post('/api/v1/demands', { firm_id: f.id, channel: 'commissioner', title: '开户咨询', body: '询问开户流程' });
  expectStatus(d, 201);
  const r = await com.get('/api/v1/commissioners/me/workspace');
  expectStatus(r, 200);
  const w = r.body;
  assert.equal(w.user_id, v.u_commissioner);
  assert.match(w.today, /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(w.visit_due_days, 90);
  const firms = expectList(await com.get('/api/v1/firms?per_page=200'));
  assert.equal(w.firms.count, firms.total);
  assert.deepEqual(w.firms.items.map((x) => x.id).sort((a, b) => a - b), firms.items.map((x) => x.id).sort((a, b) => a - b));
  const mine = w.firms.items.find((x) => x.id === f.id);
  assert.equal(mine.open_demands, 1);
  assert.equal(mine.package_outstanding, 6);
  assert.equal(mine.visit_due, true);
  assert.equal(mine.last_visit_on, null);
  // demands: by state, the one just filed among them
  assert.ok(w.demands.open >= 1);
  assert.equal(w.demands.by_state.reduce((s, x) => s + x.count, 0), w.demands.open);
  assert.ok(w.demands.by_state.find((x) => x.state === 'accepted').count >= 1);
  assert.equal(typeof w.demands.overdue, 'number');
  assert.ok(w.demands.items.some((x) => x.id === d.body.id && x.firm_id === f.id));
  // package: the same count as the board
  const board = expectList(await com.get('/api/v1/startup-package?status=outstanding&per_page=1'));
  assert.equal(w.package.outstanding, board.total);
  assert.ok(w.package.items.some((x) => x.firm_id === f.id && x.item === 'seal_set'));
  // visits: never visited is due; a visit today is not, one 120 days ago is
  assert.ok(w.visits_due.items.some((x) => x.firm_id === f.id && x.last_visit_on === null && x.days_since === null));
  const now = new Date().toISOString();
  const old = new Date(Date.now() - 120 * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  h.db.sql(`INSERT INTO visits (firm_id, visited_on, leader_name, created_at, updated_at) VALUES (${f.id}, '${w.today}', '王主任', '${now}', '${now}')`);
  const f2 = (await register({ industry: '52' })).body;
  h.db.sql(`INSERT INTO visits (firm_id, visited_on, leader_name, created_at, updated_at) VALUES (${f2.id}, '${old}', '王主任', '${now}', '${now}')`);
  const w2 = (await com.get('/api/v1/commissioners/me/workspace')).body;
  assert.ok(!w2.visits_due.items.some((x) => x.firm_id === f.id));
  assert.equal(w2.firms.items.find((x) => x.id === f.id).last_visit_on, w.today);
  const due2 = w2.visits_due.items.find((x) => x.firm_id === f2.id);
  assert.ok(due2, 'visited 120 days ago: due');
  assert.ok(due2.days_since >= 119 && due2.days_since <= 121, String(due2.days_since));
  assert.equal(w2.visits_due.count, w2.visits_due.items.length);
  // another commissioner's workspace holds none of these
  const b = (await (await h.as(COM_B)).get('/api/v1/commissioners/me/workspace')).body;
  assert.ok(!b.firms.items.some((x) => x.id === f.id));
});
