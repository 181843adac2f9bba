// roles.test.mjs — /api/v1/roles and /api/v1/permissions: roles as rows holding a set of
// permissions (DESIGN.md §7); built-ins editable but not deletable; audit rows.
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
  uniq,
} from './lib.mjs';

const h = useServer('roles');
let v = {};
h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  const roles = (await admin.get('/api/v1/roles')).body.items;
  for (const r of roles) v[`r_${r.name}`] = r.id;
});

const roleName = () => `r_${uniq(8)}`;
function newRole(extra = {}) {
  return { name: roleName(), title_zh: '测试角色', title_ru: 'Тестовая роль', title_en: 'Test role', permissions: ['firm.read'], ...extra };
}

const access = [
  { as: null, method: 'GET', path: '/api/v1/roles', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/roles/:r_staff', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/roles', body: {}, status: 401 },
  { as: null, method: 'PATCH', path: '/api/v1/roles/:r_staff', body: { version: 1 }, status: 401 },
  { as: null, method: 'DELETE', path: '/api/v1/roles/:r_staff', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/permissions', status: 401 },
  { as: 'leader', method: 'GET', path: '/api/v1/roles', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/roles/:r_admin', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/permissions', status: 200 },
  { as: 'staff', method: 'GET', path: '/api/v1/roles', status: 403, code: 'permission' },
  { as: 'staff', method: 'GET', path: '/api/v1/roles/:r_staff', status: 403, code: 'permission' },
  { as: 'staff', method: 'GET', path: '/api/v1/permissions', status: 403, code: 'permission' },
  { as: 'leader', method: 'POST', path: '/api/v1/roles', body: () => newRole(), status: 403, code: 'permission' },
  { as: 'leader', method: 'PATCH', path: '/api/v1/roles/:r_staff', body: { version: 1, title_en: 'x' }, status: 403, code: 'permission' },
  { as: 'leader', method: 'DELETE', path: '/api/v1/roles/:r_staff', status: 403, code: 'permission' },
  { as: 'admin', method: 'GET', path: '/api/v1/roles/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/roles/staff', status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/roles/:missing', body: { version: 1, title_en: 'x' }, status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/roles/:missing', status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/permissions', body: {}, status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

test('the built-in roles are listed with their permissions; admin holds every permission', async () => {
  const r = await (await h.as('admin')).get('/api/v1/roles');
  expectStatus(r, 200);
  const byName = Object.fromEntries(r.body.items.map((x) => [x.name, x]));
  for (const n of ['admin', 'leader', 'staff', 'commissioner', 'customs', 'postal', 'station', 'firm']) {
    assert.ok(byName[n], n);
    assert.equal(byName[n].builtin, true);
  }
  const perms = (await (await h.as('admin')).get('/api/v1/permissions')).body.items.map((p) => p.name);
  assert.deepEqual([...byName.admin.permissions].sort(), [...perms].sort());
  assert.ok(!byName.staff.permissions.includes('auth.user.admin'));
  assert.deepEqual(byName.firm.permissions, [...byName.firm.permissions].sort());
  assert.equal(byName.firm.users, 1);
});

test('GET /api/v1/permissions: the catalogue, titled in the request language', async () => {
  const admin = await h.as('admin');
  const zh = (await admin.get('/api/v1/permissions')).body.items;
  const ru = (await admin.get('/api/v1/permissions', { headers: { 'accept-language': 'ru' } })).body.items;
  const en = (await admin.get('/api/v1/permissions', { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).body.items;
  const t = (items, n) => items.find((p) => p.name === n).title;
  assert.equal(t(zh, 'audit.read'), '查看审计日志');
  assert.equal(t(ru, 'audit.read'), 'Просмотр журнала аудита');
  assert.equal(t(en, 'audit.read'), 'Read the audit trail');
  for (const p of zh) assert.match(p.name, /^[a-z]+(\.[a-z]+)+$/);
});

test('POST creates a role: 201, Location, the record, an audit row; it can be granted at once', async () => {
  const admin = await h.as('admin');
  const body = newRole({ permissions: ['firm.read', 'auth.dept.read'] });
  const r = await admin.post('/api/v1/roles', body);
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/roles/${r.body.id}`);
  assert.equal(r.body.name, body.name);
  assert.equal(r.body.builtin, false);
  assert.deepEqual(r.body.permissions, ['auth.dept.read', 'firm.read']);
  assert.equal(r.body.users, 0);
  const row = await expectAudit(admin, r, { entity: 'role', entityId: r.body.id, action: 'role.create' });
  assert.deepEqual(row.after.permissions, ['auth.dept.read', 'firm.read']);
  // a user holding only this role can read departments and nothing about users
  const u = await admin.post('/api/v1/users', {
    username: `holder-${uniq(6)}`,
    password: DEMO_PASSWORD,
    display_name: 'x',
    roles: [body.name],
    department_id: v.d_ECON,
  });
  expectStatus(u, 201);
  const c = await h.as(u.body.username);
  expectStatus(await c.get('/api/v1/departments'), 200);
  expectProblem(await c.get('/api/v1/users'), 403, { code: 'permission' });
});

test('a duplicate role name → 409 (DESIGN.md §4: duplicate key)', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/roles', newRole({ name: 'staff' }));
  expectProblem(r, 409);
  await expectNoAudit(admin, r);
});

const badCreates = [
  { name: 'nothing', body: {}, fields: ['name:required', 'title_zh:required', 'title_ru:required', 'title_en:required', 'permissions:required'] },
  { name: 'an unknown permission', body: { permissions: ['firm.read', 'launch.missiles'] }, fields: ['permissions[1]:enum'] },
  { name: 'a bad name', body: { name: 'Bad-Name' }, fields: ['name:format'] },
  { name: 'unknown and mistyped fields', body: { builtin: true, title_zh: 1, permissions: 'firm.read' }, fields: ['builtin:unknown', 'title_zh:type', 'permissions:type'] },
  { name: 'a non-string permission', body: { permissions: [7] }, fields: ['permissions[0]:type'] },
];
for (const c of badCreates) {
  test(`POST /api/v1/roles refused: ${c.name} → 422`, async () => {
    const admin = await h.as('admin');
    const body = c.name === 'nothing' ? {} : newRole(c.body);
    const r = await admin.post('/api/v1/roles', body);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(admin, r);
  });
}

test('PATCH changes titles and permissions with the version; stale → 412; audited', async () => {
  const admin = await h.as('admin');
  const role = (await admin.post('/api/v1/roles', newRole())).body;
  const r = await admin.patch(`/api/v1/roles/${role.id}`, { version: role.version, title_en: 'Renamed', permissions: ['files.read'] });
  expectStatus(r, 200);
  assert.equal(r.body.title_en, 'Renamed');
  assert.deepEqual(r.body.permissions, ['files.read']);
  assert.equal(r.body.version, role.version + 1);
  const row = await expectAudit(admin, r, { entity: 'role', entityId: role.id, action: 'role.update' });
  assert.deepEqual(row.before.permissions, ['firm.read']);
  assert.deepEqual(row.after.permissions, ['files.read']);
  const stale = await admin.patch(`/api/v1/roles/${role.id}`, { version: role.version, title_en: 'Late' });
  expectProblem(stale, 412, { code: 'stale' });
  await expectNoAudit(admin, stale);
  expectProblem(await admin.patch(`/api/v1/roles/${role.id}`, { version: r.body.version, name: 'rename' }), 422, { fields: ['name:unknown'] });
  expectProblem(await admin.patch(`/api/v1/roles/${role.id}`, { title_en: 'x' }), 422, { fields: ['version:required'] });
  expectProblem(await admin.patch(`/api/v1/roles/${role.id}`, { version: r.body.version, permissions: ['nope'] }), 422, { fields: ['permissions[0]:enum'] });
});

test('a built-in role can be edited but not deleted (409)', async () => {
  const admin = await h.as('admin');
  const staff = (await admin.get(`/api/v1/roles/${v.r_staff}`)).body;
  const r = await admin.patch(`/api/v1/roles/${staff.id}`, { version: staff.version, title_en: 'Zone staff' });
  expectStatus(r, 200);
  assert.equal(r.body.title_en, 'Zone staff');
  const del = await admin.del(`/api/v1/roles/${v.r_postal}`);
  expectProblem(del, 409);
  await expectNoAudit(admin, del);
});

test('DELETE: 204 + audit row; a role still held by a user → 409 has_dependents', async () => {
  const admin = await h.as('admin');
  const role = (await admin.post('/api/v1/roles', newRole())).body;
  const r = await admin.del(`/api/v1/roles/${role.id}`);
  expectStatus(r, 204);
  const row = await expectAudit(admin, r, { entity: 'role', entityId: role.id, action: 'role.delete' });
  assert.equal(row.before.name, role.name);
  expectProblem(await admin.get(`/api/v1/roles/${role.id}`), 404);
  const held = (await admin.post('/api/v1/roles', newRole())).body;
  expectStatus(
    await admin.post('/api/v1/users', {
      username: `held-${uniq(6)}`,
      password: DEMO_PASSWORD,
      display_name: 'x',
      roles: [held.name],
      department_id: v.d_ECON,
    }),
    201,
  );
  expectProblem(await admin.del(`/api/v1/roles/${held.id}`), 409, { code: 'has_dependents' });
});

test('a role administrator cannot put permissions it lacks into a role (not_held)', async () => {
  const admin = await h.as('admin');
  const keeper = (await admin.post('/api/v1/roles', newRole({ permissions: ['auth.role.admin', 'auth.role.read', 'firm.read'] }))).body;
  const u = await admin.post('/api/v1/users', {
    username: `keeper-${uniq(6)}`,
    password: DEMO_PASSWORD,
    display_name: 'x',
    roles: [keeper.name],
    department_id: v.d_ECON,
  });
  expectStatus(u, 201);
  const c = await h.as(u.body.username);
  const r = await c.post('/api/v1/roles', newRole({ permissions: ['firm.read', 'auth.user.admin'] }));
  expectProblem(r, 422, { fields: ['permissions[1]:not_held'] });
  expectStatus(await c.post('/api/v1/roles', newRole({ permissions: ['firm.read'] })), 201);
});

test('a role administrator cannot strip or rewrite a role holding permissions it lacks (the admin role)', async () => {
  const admin = await h.as('admin');
  const keeper = (await admin.post('/api/v1/roles', newRole({ permissions: ['auth.role.admin', 'auth.role.read', 'firm.read'] }))).body;
  const u = await admin.post('/api/v1/users', {
    username: `keeper-${uniq(6)}`,
    password: DEMO_PASSWORD,
    display_name: 'x',
    roles: [keeper.name],
    department_id: v.d_ECON,
  });
  expectStatus(u, 201);
  const c = await h.as(u.body.username);
  const adminRole = (await c.get(`/api/v1/roles/${v.r_admin}`)).body;
  const r = await c.patch(`/api/v1/roles/${adminRole.id}`, { version: adminRole.version, permissions: ['firm.read'] });
  assert.ok([403, 422].includes(r.status), `refused, got ${r.status} ${r.text.slice(0, 300)}`);
  const still = (await admin.get(`/api/v1/roles/${v.r_admin}`)).body;
  assert.ok(still.permissions.includes('auth.user.admin'), 'the admin role keeps its permissions');
  // (if the strip went through, put the admin role back for the rest of the file)
  if (r.status === 200) {
    const all = (await admin.get('/api/v1/permissions')).body.items.map((p) => p.name);
    await admin.patch(`/api/v1/roles/${v.r_admin}`, { version: still.version, permissions: all });
  }
});
