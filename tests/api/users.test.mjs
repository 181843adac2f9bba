// users.test.mjs — /api/v1/users: list (and its XLSX/CSV), create, read, update, password
// reset, disable/enable; permissions, data scope, versions, duplicates, audit rows
// (DESIGN.md §4 "Users", §7).
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
  uniq,
} from './lib.mjs';

const h = useServer('users');
let v = {};

// A user administrator limited to its department tree (INVEST): a custom role holding
// auth.user.read + auth.user.admin, given to a user with scope dept_tree.
const SCOPED = 'invest-hr';
h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  const role = await admin.post('/api/v1/roles', {
    name: 'user_keeper',
    title_zh: '用户管理员',
    title_ru: 'Кадровик',
    title_en: 'User keeper',
    permissions: ['auth.user.read', 'auth.user.admin', 'auth.dept.read'],
  });
  expectStatus(role, 201);
  const u = await admin.post('/api/v1/users', {
    username: SCOPED,
    password: DEMO_PASSWORD,
    display_name: '招商人事',
    roles: ['user_keeper'],
    department_id: v.d_INVEST,
    scope: 'dept_tree',
  });
  expectStatus(u, 201);
  v.u_scoped = u.body.id;
});

function newUser(extra = {}) {
  return {
    username: `u-${uniq(8)}`,
    password: 'a-good-password-2026',
    display_name: '新用户',
    roles: ['staff'],
    department_id: v.d_INVEST,
    ...extra,
  };
}

// ---- who may do what: (request, expected status and problem code) as data -------------

const access = [
  { as: null, method: 'GET', path: '/api/v1/users', status: 401, code: 'login_required' },
  { as: null, method: 'GET', path: '/api/v1/users/:u_staff', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/users', body: {}, status: 401 },
  { as: null, method: 'PATCH', path: '/api/v1/users/:u_staff', body: { version: 1 }, status: 401 },
  { as: null, method: 'POST', path: '/api/v1/users/:u_staff/password', body: { password: 'x' }, status: 401 },
  { as: null, method: 'POST', path: '/api/v1/users/:u_staff/disable', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/users/:u_staff/enable', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/users.xlsx', status: 401 },
  { as: 'staff', method: 'GET', path: '/api/v1/users', status: 403, code: 'permission' },
  { as: 'staff', method: 'GET', path: '/api/v1/users/:u_staff', status: 403, code: 'permission' },
  { as: 'staff', method: 'GET', path: '/api/v1/users.xlsx', status: 403, code: 'permission' },
  { as: 'staff', method: 'GET', path: '/api/v1/users.csv', status: 403, code: 'permission' },
  { as: 'firm', method: 'GET', path: '/api/v1/users', status: 403, code: 'permission' },
  { as: 'staff', method: 'POST', path: '/api/v1/users', body: () => newUser(), status: 403, code: 'permission' },
  { as: 'leader', method: 'POST', path: '/api/v1/users', body: () => newUser(), status: 403, code: 'permission' },
  { as: 'leader', method: 'PATCH', path: '/api/v1/users/:u_staff', body: { version: 1, display_name: 'x' }, status: 403, code: 'permission' },
  { as: 'leader', method: 'POST', path: '/api/v1/users/:u_staff/password', body: { password: 'another-password-1' }, status: 403, code: 'permission' },
  { as: 'leader', method: 'POST', path: '/api/v1/users/:u_staff/disable', status: 403, code: 'permission' },
  { as: 'customs', method: 'POST', path: '/api/v1/users/:u_staff/enable', status: 403, code: 'permission' },
  // leader reads users (auth.user.read, scope all)
  { as: 'leader', method: 'GET', path: '/api/v1/users', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/users/:u_customs', status: 200 },
  // unknown ids, and ids that can name no record
  { as: 'admin', method: 'GET', path: '/api/v1/users/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/users/abc', status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/users/0', status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/users/-1', status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/users/:missing', body: { version: 1, display_name: 'x' }, status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/users/:missing/password', body: { password: 'another-password-1' }, status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/users/:missing/disable', status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/users/:missing/enable', status: 404 },
  // outside the caller's scope: 404, as if it did not exist (DESIGN.md §4)
  { as: SCOPED, method: 'GET', path: '/api/v1/users/:u_customs', status: 404, code: 'not_found' },
  { as: SCOPED, method: 'GET', path: '/api/v1/users/:u_admin', status: 404 },
  { as: SCOPED, method: 'PATCH', path: '/api/v1/users/:u_customs', body: { version: 1, display_name: 'x' }, status: 404 },
  { as: SCOPED, method: 'POST', path: '/api/v1/users/:u_customs/password', body: { password: 'another-password-1' }, status: 404 },
  { as: SCOPED, method: 'POST', path: '/api/v1/users/:u_customs/disable', status: 404 },
  { as: SCOPED, method: 'POST', path: '/api/v1/users/:u_leader/enable', status: 404 },
  { as: SCOPED, method: 'GET', path: '/api/v1/users/:u_staff', status: 200 },
  // method not allowed on a known path
  { as: 'admin', method: 'DELETE', path: '/api/v1/users/:u_staff', status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

// ---- list ------------------------------------------------------------------------------

test('admin lists every user, paged, with roles and no password hash', async () => {
  const admin = await h.as('admin');
  const b = expectList(await admin.get('/api/v1/users?per_page=200'));
  const names = b.items.map((u) => u.username);
  for (const n of ['admin', 'leader', 'staff', 'commissioner', 'customs', 'postal', 'station', 'firm']) assert.ok(names.includes(n), n);
  assert.equal(b.total, b.items.length);
  assert.equal(b.page, 1);
  assert.equal(b.per_page, 200);
  const firm = b.items.find((u) => u.username === 'firm');
  assert.deepEqual(firm.roles, ['firm']);
  assert.equal(firm.scope, 'own_firm');
  assert.equal(firm.firm_id, v.ownFirm);
  for (const u of b.items) assert.equal(u.password_hash, undefined);
  const p2 = expectList(await admin.get('/api/v1/users?per_page=2&page=2&sort=username'));
  assert.equal(p2.items.length, 2);
  assert.equal(p2.total, b.total);
  assert.deepEqual(p2.items.map((u) => u.username), [...names].sort().slice(2, 4));
});

const listFilters = [
  { q: 'role=commissioner', expect: ['commissioner'] },
  { q: 'q=CUSTOMS', expect: ['customs'] },
  { q: `department_id=:d_STATION`, expect: ['station'] },
  { q: 'sort=-username&role=staff', expect: ['staff'] },
  { q: 'q=%25', expect: [] },
  { q: 'q=_', expect: [] },
];
for (const f of listFilters) {
  test(`list filter ?${f.q}`, async () => {
    const admin = await h.as('admin');
    const q = f.q.replace(/:([a-zA-Z_]+)/g, (_, k) => v[k]);
    const b = expectList(await admin.get(`/api/v1/users?${q}`));
    assert.deepEqual(b.items.map((u) => u.username), f.expect);
  });
}

const badQueries = [
  { q: 'sort=password_hash', fields: ['sort:enum'] },
  { q: 'per_page=201', fields: ['per_page:range'] },
  { q: 'page=0', fields: ['page:range'] },
  { q: 'disabled=maybe', fields: ['disabled:enum'] },
  { q: 'department_id=x', fields: ['department_id:type'] },
  { q: 'sort=nope&per_page=0&disabled=2', fields: ['sort:enum', 'per_page:range', 'disabled:enum'] },
];
for (const c of badQueries) {
  test(`list query ?${c.q} → 422 listing ${c.fields.join(', ')}`, async () => {
    expectProblem(await (await h.as('admin')).get(`/api/v1/users?${c.q}`), 422, { fields: c.fields });
  });
}

test('a dept_tree user administrator lists only its department tree', async () => {
  const c = await h.as(SCOPED);
  const b = expectList(await c.get('/api/v1/users?per_page=200'));
  assert.deepEqual(b.items.map((u) => u.username).sort(), [SCOPED, 'staff'].sort());
  assert.equal(b.total, 2);
});

test('GET /api/v1/users.xlsx is an XLSX download; .csv has a header row', async () => {
  const admin = await h.as('admin');
  expectXlsx(await admin.get('/api/v1/users.xlsx'));
  const lines = expectCsv(await admin.get('/api/v1/users.csv?role=customs'));
  assert.equal(lines.length, 2, 'header + the one customs user');
  assert.ok(lines[1].includes('customs'));
  const en = expectCsv(await admin.get('/api/v1/users.csv', { headers: { 'accept-language': 'en' } }), {
    header: ['User name', 'Display name'],
  });
  assert.ok(en.length >= 9);
});

// ---- create ----------------------------------------------------------------------------

test('POST /api/v1/users creates: 201, Location, the record, an audit row', async () => {
  const admin = await h.as('admin');
  const body = newUser({ lang: 'en' });
  const r = await admin.post('/api/v1/users', body);
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/users/${r.body.id}`);
  assert.equal(r.body.username, body.username);
  assert.deepEqual(r.body.roles, ['staff']);
  assert.equal(r.body.scope, 'dept_tree', 'scope derived from the role');
  assert.equal(r.body.lang, 'en');
  assert.equal(r.body.version, 1);
  assert.equal(r.body.password, undefined);
  const row = await expectAudit(admin, r, { entity: 'user', entityId: r.body.id, action: 'user.create' });
  assert.equal(row.actor, 'admin');
  assert.equal(row.before, null);
  assert.equal(row.after.username, body.username);
  assert.equal(JSON.stringify(row.after).includes(body.password), false, 'no password in the audit trail');
  const got = await admin.get(r.headers.get('location'));
  expectStatus(got, 200);
  assert.deepEqual(got.body, r.body);
  // the new account logs in
  expectStatus(await h.anon().login(body.username, body.password), 200);
});

test('a duplicate user name → 409 (DESIGN.md §4: duplicate key)', async () => {
  const admin = await h.as('admin');
  const body = newUser();
  expectStatus(await admin.post('/api/v1/users', body), 201);
  const r = await admin.post('/api/v1/users', { ...body, display_name: 'again' });
  expectProblem(r, 409);
  await expectNoAudit(admin, r);
});

const badCreates = [
  {
    name: 'every broken field listed in one 422',
    body: { username: 'X', password: 'short', display_name: 5, roles: ['staff'], lang: 'de', scope: 'planet', bogus: 1 },
    fields: ['username:format', 'password:too_short', 'display_name:type', 'lang:enum', 'scope:enum', 'bogus:unknown'],
  },
  { name: 'nothing at all', body: {}, fields: ['username:required', 'password:required', 'display_name:required', 'roles:required'] },
  { name: 'password = user name', body: { username: 'same-as-pass', password: 'same-as-pass', display_name: 'x', roles: ['staff'], department_id: 'd_INVEST' }, fields: ['password:same_as_username'] },
  { name: 'roles not an array', body: { username: 'abc-roles', password: 'a-good-password-1', display_name: 'x', roles: 'staff' }, fields: ['roles:type'] },
  { name: 'an unknown role', body: { username: 'abc-role2', password: 'a-good-password-1', display_name: 'x', roles: ['wizard'], department_id: 'd_INVEST' }, fields: ['roles[0]:no_such'] },
  { name: 'a firm user without firm_id', body: { username: 'abc-firm', password: 'a-good-password-1', display_name: 'x', roles: ['firm'] }, fields: ['firm_id:required'] },
  { name: 'references that do not exist', body: { username: 'abc-refs', password: 'a-good-password-1', display_name: 'x', roles: ['firm'], firm_id: 'missing', department_id: 'missing' }, fields: ['firm_id:no_such', 'department_id:no_such'] },
  { name: 'ids of the wrong type', body: { username: 'abc-ids', password: 'a-good-password-1', display_name: 'x', roles: ['staff'], department_id: '3', firm_id: 1.5 }, fields: ['department_id:type', 'firm_id:type'] },
  { name: 'a display name over 100 characters', body: { username: 'abc-long', password: 'a-good-password-1', display_name: '长'.repeat(101), roles: ['customs'] }, fields: ['display_name:too_long'] },
];
for (const c of badCreates) {
  test(`POST /api/v1/users refused: ${c.name} → 422 ${c.fields.join(', ')}`, async () => {
    const admin = await h.as('admin');
    const body = { ...c.body };
    for (const k of ['department_id', 'firm_id']) if (typeof body[k] === 'string' && body[k] in v) body[k] = v[body[k]];
    const r = await admin.post('/api/v1/users', body);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(admin, r);
  });
}

test('a department is optional for every role (DESIGN.md §4): staff without one → 201', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/users', newUser({ department_id: undefined }));
  expectStatus(r, 201);
  assert.equal(r.body.department_id, null);
});

test('a user administrator cannot grant a role holding permissions it lacks (not_held)', async () => {
  const c = await h.as(SCOPED);
  const r = await c.post('/api/v1/users', newUser({ roles: ['admin'] }));
  expectProblem(r, 422);
  assert.equal(r.body.errors[0].field, 'roles[0]');
  assert.equal(r.body.errors[0].code, 'not_held');
  // a role within its own permissions is fine, inside its own tree
  const ok = await c.post('/api/v1/users', newUser({ roles: ['user_keeper'], scope: 'dept_tree' }));
  expectStatus(ok, 201);
});

test('a department-scoped user administrator cannot create a user wider than itself (scope all)', async () => {
  const c = await h.as(SCOPED);
  const r = await c.post('/api/v1/users', newUser({ roles: ['user_keeper'], scope: 'all' }));
  expectProblem(r, 422);
  assert.ok(r.body.errors.some((e) => e.field === 'scope'), `the scope is refused: ${r.text}`);
});

test('a department-scoped user administrator cannot create users in another department (a login into Customs\' tree)', async () => {
  const c = await h.as(SCOPED);
  const r = await c.post('/api/v1/users', newUser({ roles: ['user_keeper'], scope: 'dept_tree', department_id: v.d_CUSTOMS }));
  assert.ok([404, 422].includes(r.status), `refused, got ${r.status} ${r.text}`);
});

test('a department-scoped user administrator cannot widen the scope of a user in its tree', async () => {
  const admin = await h.as('admin');
  const made = await admin.post('/api/v1/users', newUser({ roles: ['user_keeper'], scope: 'dept_tree' }));
  expectStatus(made, 201);
  const c = await h.as(SCOPED);
  const r = await c.patch(`/api/v1/users/${made.body.id}`, { version: made.body.version, scope: 'all' });
  expectProblem(r, 422);
});

test('no escalation: a user made by a scoped administrator cannot reset an administrator\'s password', async () => {
  // The chain a scoped administrator could follow if scopes were not bounded by its own:
  // make a helper with scope all, log in as it, reset an administrator's password. (The
  // victim is a second administrator, so that the file's own admin session survives.)
  const admin = await h.as('admin');
  const victim = newUser({ roles: ['admin'], scope: 'all', department_id: undefined });
  const vr = await admin.post('/api/v1/users', victim);
  expectStatus(vr, 201);
  const c = await h.as(SCOPED);
  const helper = newUser({ roles: ['user_keeper'], scope: 'all' });
  const made = await c.post('/api/v1/users', helper);
  if (made.status !== 201) return; // refused at the first step, as it should be
  const hc = h.anon();
  expectStatus(await hc.login(helper.username, helper.password), 200);
  const reset = await hc.post(`/api/v1/users/${vr.body.id}/password`, { password: 'taken-over-2026' });
  assert.notEqual(reset.status, 204, 'a department-scoped user administrator took over an administrator account');
});

test('a scoped user administrator cannot reset the password of a user holding permissions it lacks', async () => {
  // An administrator whose home department lies inside INVEST's tree is within the scoped
  // user administrator's scope; resetting its password would hand over the admin role.
  const admin = await h.as('admin');
  const big = newUser({ roles: ['admin'], department_id: v.d_INVEST });
  const made = await admin.post('/api/v1/users', big);
  expectStatus(made, 201);
  const c = await h.as(SCOPED);
  expectStatus(await c.get(`/api/v1/users/${made.body.id}`), 200);
  const reset = await c.post(`/api/v1/users/${made.body.id}/password`, { password: 'taken-over-2026' });
  assert.ok([403, 404, 422].includes(reset.status), `refused, got ${reset.status} ${reset.text}`);
  const dis = await c.post(`/api/v1/users/${made.body.id}/disable`);
  assert.ok([403, 404, 422].includes(dis.status), `disable refused, got ${dis.status}`);
  if (dis.status === 200) await admin.post(`/api/v1/users/${made.body.id}/enable`);
});

test('exports guard against CSV injection: a display name starting with "=" is quoted', async () => {
  const admin = await h.as('admin');
  const u = await admin.post('/api/v1/users', newUser({ display_name: '=HYPERLINK("http://evil","x")' }));
  expectStatus(u, 201);
  const lines = expectCsv(await admin.get(`/api/v1/users.csv?q=${encodeURIComponent(u.body.username)}`));
  assert.equal(lines.length, 2);
  assert.ok(!/(^|,)"?=HYPERLINK/.test(lines[1]), lines[1]);
  assert.ok(lines[1].includes("'=HYPERLINK"), lines[1]);
});

// ---- update ----------------------------------------------------------------------------

test('PATCH with the current version updates, bumps the version and audits before/after', async () => {
  const admin = await h.as('admin');
  const u = (await admin.post('/api/v1/users', newUser())).body;
  const r = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, display_name: '改名了', lang: 'ru', roles: ['customs'] });
  expectStatus(r, 200);
  assert.equal(r.body.display_name, '改名了');
  assert.equal(r.body.lang, 'ru');
  assert.deepEqual(r.body.roles, ['customs']);
  assert.equal(r.body.scope, 'all', 'the scope follows the new role');
  assert.equal(r.body.version, u.version + 1);
  const row = await expectAudit(admin, r, { entity: 'user', entityId: u.id, action: 'user.update' });
  assert.equal(row.before.display_name, u.display_name);
  assert.equal(row.after.display_name, '改名了');
});

test('PATCH with a stale version → 412, nothing changed', async () => {
  const admin = await h.as('admin');
  const u = (await admin.post('/api/v1/users', newUser())).body;
  expectStatus(await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, display_name: 'first' }), 200);
  const r = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, display_name: 'second' });
  expectProblem(r, 412, { code: 'stale' });
  await expectNoAudit(admin, r);
  assert.equal((await admin.get(`/api/v1/users/${u.id}`)).body.display_name, 'first');
});

const badPatches = [
  { name: 'no version', body: { display_name: 'x' }, fields: ['version:required'] },
  { name: 'unknown and mistyped fields', body: { version: 'one', username: 'rename', disabled: 'yes', department_id: 'x', password: 'p' }, fields: ['version:type', 'username:unknown', 'password:unknown', 'disabled:type', 'department_id:type'] },
  { name: 'empty roles', body: { version: 1, roles: [] }, fields: ['roles:required'] },
  { name: 'bad lang and scope', body: { version: 1, lang: 'fr', scope: 'galaxy' }, fields: ['lang:enum', 'scope:enum'] },
  { name: 'display_name null', body: { version: 1, display_name: null }, fields: ['display_name:required'] },
];
for (const c of badPatches) {
  test(`PATCH /api/v1/users/{id} refused: ${c.name} → 422`, async () => {
    const admin = await h.as('admin');
    expectProblem(await admin.patch(`/api/v1/users/${v.u_station}`, c.body), 422, { fields: c.fields });
  });
}

test('an administrator cannot disable its own account', async () => {
  const admin = await h.as('admin');
  const me = (await admin.get(`/api/v1/users/${v.u_admin}`)).body;
  expectProblem(await admin.patch(`/api/v1/users/${v.u_admin}`, { version: me.version, disabled: true }), 422, {
    fields: ['disabled:self_disable'],
  });
  expectProblem(await admin.post(`/api/v1/users/${v.u_admin}/disable`), 422, { fields: ['disabled:self_disable'] });
});

// ---- password reset, disable, enable ---------------------------------------------------

test('POST /users/{id}/password resets it, ends the user\'s sessions, audits it', async () => {
  const admin = await h.as('admin');
  const body = newUser();
  const u = (await admin.post('/api/v1/users', body)).body;
  const them = h.anon();
  expectStatus(await them.login(body.username, body.password), 200);
  let r = await admin.post(`/api/v1/users/${u.id}/password`, { password: 'short' });
  expectProblem(r, 422, { fields: ['password:too_short'] });
  r = await admin.post(`/api/v1/users/${u.id}/password`, { password: body.username });
  expectProblem(r, 422);
  r = await admin.post(`/api/v1/users/${u.id}/password`, { password: 'reset-password-2026', extra: true });
  expectProblem(r, 422, { fields: ['extra:unknown'] });
  r = await admin.post(`/api/v1/users/${u.id}/password`, { password: 'reset-password-2026' });
  expectStatus(r, 204);
  await expectAudit(admin, r, { entity: 'user', entityId: u.id, action: 'user.password.reset' });
  expectProblem(await them.get('/api/v1/session'), 401);
  expectProblem(await h.anon().login(body.username, body.password), 401);
  expectStatus(await h.anon().login(body.username, 'reset-password-2026'), 200);
});

test('disable ends the sessions and blocks log-in; enable lets the user back; both audited', async () => {
  const admin = await h.as('admin');
  const body = newUser();
  const u = (await admin.post('/api/v1/users', body)).body;
  const them = h.anon();
  expectStatus(await them.login(body.username, body.password), 200);
  let r = await admin.post(`/api/v1/users/${u.id}/disable`);
  expectStatus(r, 200);
  assert.equal(r.body.disabled, true);
  await expectAudit(admin, r, { entity: 'user', entityId: u.id, action: 'user.update' });
  expectProblem(await them.get('/api/v1/session'), 401);
  expectProblem(await h.anon().login(body.username, body.password), 401);
  const disabled = expectList(await admin.get('/api/v1/users?disabled=true'));
  assert.ok(disabled.items.some((x) => x.id === u.id));
  r = await admin.post(`/api/v1/users/${u.id}/enable`);
  expectStatus(r, 200);
  assert.equal(r.body.disabled, false);
  await expectAudit(admin, r, { entity: 'user', entityId: u.id, action: 'user.update' });
  expectStatus(await h.anon().login(body.username, body.password), 200);
  // the action routes take no body members
  expectProblem(await admin.post(`/api/v1/users/${u.id}/disable`, { now: true }), 422, { fields: ['now:unknown'] });
});
