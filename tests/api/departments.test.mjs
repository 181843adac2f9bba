// departments.test.mjs — /api/v1/departments: the department tree (list, create, read,
// update incl. moves, delete), permissions, versions, duplicates, dependents, audit rows.
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
  uniq,
  newCreditCode,
} from './lib.mjs';

const h = useServer('departments');
let v = {};
h.setup(async () => {
  v = demoVars(h);
});

const code = () => `D${uniq(8).toUpperCase()}`;

async function makeDept(extra = {}) {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/departments', { code: code(), name: '测试部门', ...extra });
  expectStatus(r, 201);
  return r.body;
}

const access = [
  { as: null, method: 'GET', path: '/api/v1/departments', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/departments/:d_ZONE', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/departments', body: { code: 'X', name: 'x' }, status: 401 },
  { as: null, method: 'PATCH', path: '/api/v1/departments/:d_ZONE', body: { version: 1 }, status: 401 },
  { as: null, method: 'DELETE', path: '/api/v1/departments/:d_POST', status: 401 },
  // every staff-like role reads the tree (auth.dept.read); the firm account does not
  { as: 'staff', method: 'GET', path: '/api/v1/departments', status: 200 },
  { as: 'commissioner', method: 'GET', path: '/api/v1/departments/:d_BIZENV', status: 200 },
  { as: 'firm', method: 'GET', path: '/api/v1/departments', status: 403, code: 'permission' },
  { as: 'firm', method: 'GET', path: '/api/v1/departments/:d_ZONE', status: 403, code: 'permission' },
  // only auth.dept.admin changes it
  { as: 'staff', method: 'POST', path: '/api/v1/departments', body: { code: 'NOPE', name: 'x' }, status: 403, code: 'permission' },
  { as: 'leader', method: 'POST', path: '/api/v1/departments', body: { code: 'NOPE', name: 'x' }, status: 403, code: 'permission' },
  { as: 'leader', method: 'PATCH', path: '/api/v1/departments/:d_ZONE', body: { version: 1, name: 'x' }, status: 403, code: 'permission' },
  { as: 'customs', method: 'DELETE', path: '/api/v1/departments/:d_POST', status: 403, code: 'permission' },
  // unknown ids
  { as: 'admin', method: 'GET', path: '/api/v1/departments/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/departments/ZONE', status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/departments/:missing', body: { version: 1, name: 'x' }, status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/departments/:missing', status: 404 },
  { as: 'admin', method: 'PUT', path: '/api/v1/departments/:d_ZONE', body: { name: 'x' }, status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

test('GET /api/v1/departments is the whole tree, parents before children', async () => {
  const r = await (await h.as('staff')).get('/api/v1/departments');
  expectStatus(r, 200);
  assert.equal(r.body.total, r.body.items.length);
  const byCode = Object.fromEntries(r.body.items.map((d) => [d.code, d]));
  for (const c of ['ZONE', 'INVEST', 'BIZENV', 'GOVSVC', 'STATION', 'ECON', 'CUSTOMS', 'POST']) assert.ok(byCode[c], c);
  assert.equal(byCode.STATION.parent_id, byCode.GOVSVC.id);
  assert.equal(byCode.ZONE.parent_id, null);
  assert.equal(byCode.STATION.path, `/${byCode.ZONE.id}/${byCode.GOVSVC.id}/${byCode.STATION.id}/`);
  const pos = (c) => r.body.items.findIndex((d) => d.code === c);
  assert.ok(pos('ZONE') < pos('GOVSVC') && pos('GOVSVC') < pos('STATION'));
});

test('POST creates a department under a parent: 201, Location, path, audit row', async () => {
  const admin = await h.as('admin');
  const c = code();
  const r = await admin.post('/api/v1/departments', { code: c, name: '自贸办', name_ru: 'Офис', name_en: 'Office', parent_id: v.d_ZONE });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/departments/${r.body.id}`);
  assert.equal(r.body.code, c);
  assert.equal(r.body.parent_id, v.d_ZONE);
  assert.equal(r.body.path, `/${v.d_ZONE}/${r.body.id}/`);
  assert.equal(r.body.version, 1);
  const row = await expectAudit(admin, r, { entity: 'department', entityId: r.body.id, action: 'department.create' });
  assert.equal(row.after.code, c);
  const got = await admin.get(`/api/v1/departments/${r.body.id}`);
  assert.deepEqual(got.body, r.body);
});

test('a duplicate department code → 409 (DESIGN.md §4: duplicate key)', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/departments', { code: 'INVEST', name: '又一个招商局' });
  expectProblem(r, 409);
  await expectNoAudit(admin, r);
});

const badCreates = [
  { name: 'nothing', body: {}, fields: ['code:required', 'name:required'] },
  { name: 'unknown and mistyped fields', body: { code: 12, name: ['x'], parent_id: 'ZONE', manager: 'me' }, fields: ['code:type', 'name:type', 'parent_id:type', 'manager:unknown'] },
  { name: 'a code with spaces', body: { code: 'NEW DEPT', name: 'x' }, fields: ['code:format'] },
  { name: 'a code over 32 characters', body: { code: 'A'.repeat(33), name: 'x' }, fields: ['code:too_long'] },
  { name: 'a parent that does not exist', body: { code: 'ORPHAN1', name: 'x', parent_id: 987654321 }, fields: ['parent_id:no_such'] },
  { name: 'a parent id of 0', body: { code: 'ORPHAN2', name: 'x', parent_id: 0 }, fields: ['parent_id:range'] },
  { name: 'a blank name', body: { code: 'BLANK', name: '   ' }, fields: ['name:required'] },
];
for (const c of badCreates) {
  test(`POST /api/v1/departments refused: ${c.name} → 422 ${c.fields.join(', ')}`, async () => {
    const admin = await h.as('admin');
    const r = await admin.post('/api/v1/departments', c.body);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(admin, r);
  });
}

test('PATCH renames with the current version; a stale version → 412', async () => {
  const admin = await h.as('admin');
  const d = await makeDept();
  const r = await admin.patch(`/api/v1/departments/${d.id}`, { version: d.version, name: '新名字', name_en: 'New name' });
  expectStatus(r, 200);
  assert.equal(r.body.name, '新名字');
  assert.equal(r.body.name_en, 'New name');
  assert.equal(r.body.version, d.version + 1);
  const row = await expectAudit(admin, r, { entity: 'department', entityId: d.id, action: 'department.update' });
  assert.equal(row.before.name, '测试部门');
  assert.equal(row.after.name, '新名字');
  const stale = await admin.patch(`/api/v1/departments/${d.id}`, { version: d.version, name: 'late' });
  expectProblem(stale, 412, { code: 'stale' });
  await expectNoAudit(admin, stale);
  // name_ru may be cleared with null; name may not
  const cleared = await admin.patch(`/api/v1/departments/${d.id}`, { version: d.version + 1, name_en: null });
  expectStatus(cleared, 200);
  assert.equal(cleared.body.name_en, null);
  expectProblem(await admin.patch(`/api/v1/departments/${d.id}`, { version: d.version + 2, name: null }), 422, { fields: ['name:required'] });
});

test('moving a department moves its subtree (paths rewritten); under itself → 422 cycle', async () => {
  const admin = await h.as('admin');
  const top = await makeDept();
  const mid = await makeDept({ parent_id: top.id });
  const leaf = await makeDept({ parent_id: mid.id });
  const r = await admin.patch(`/api/v1/departments/${mid.id}`, { version: mid.version, parent_id: v.d_ECON });
  expectStatus(r, 200);
  assert.equal(r.body.path, `/${v.d_ZONE}/${v.d_ECON}/${mid.id}/`);
  const moved = await admin.get(`/api/v1/departments/${leaf.id}`);
  assert.equal(moved.body.path, `/${v.d_ZONE}/${v.d_ECON}/${mid.id}/${leaf.id}/`);
  const cyc = await admin.patch(`/api/v1/departments/${mid.id}`, { version: r.body.version, parent_id: leaf.id });
  expectProblem(cyc, 422, { fields: ['parent_id:cycle'] });
  const self = await admin.patch(`/api/v1/departments/${mid.id}`, { version: r.body.version, parent_id: mid.id });
  expectProblem(self, 422, { fields: ['parent_id:cycle'] });
  // to the top level with null
  const root = await admin.patch(`/api/v1/departments/${mid.id}`, { version: r.body.version, parent_id: null });
  expectStatus(root, 200);
  assert.equal(root.body.parent_id, null);
  assert.equal(root.body.path, `/${mid.id}/`);
});

const badPatches = [
  { name: 'no version', body: { name: 'x' }, fields: ['version:required'] },
  { name: 'the code is not patchable', body: { version: 1, code: 'NEWCODE' }, fields: ['code:unknown'] },
  { name: 'mistyped', body: { version: '1', name: 5, parent_id: 'x' }, fields: ['version:type', 'name:type', 'parent_id:type'] },
  { name: 'version 0', body: { version: 0, name: 'x' }, fields: ['version:range'] },
];
for (const c of badPatches) {
  test(`PATCH /api/v1/departments/{id} refused: ${c.name} → 422`, async () => {
    const admin = await h.as('admin');
    expectProblem(await admin.patch(`/api/v1/departments/${v.d_ECON}`, c.body), 422, { fields: c.fields });
  });
}

test('DELETE: 204 and an audit row; a department with children or users → 409', async () => {
  const admin = await h.as('admin');
  const d = await makeDept();
  const r = await admin.del(`/api/v1/departments/${d.id}`);
  expectStatus(r, 204);
  assert.equal(r.text, '');
  const row = await expectAudit(admin, r, { entity: 'department', entityId: d.id, action: 'department.delete' });
  assert.equal(row.before.code, d.code);
  assert.equal(row.after, null);
  expectProblem(await admin.get(`/api/v1/departments/${d.id}`), 404);
  expectProblem(await admin.del(`/api/v1/departments/${d.id}`), 404);
  const withChild = await admin.del(`/api/v1/departments/${v.d_GOVSVC}`);
  expectProblem(withChild, 409, { code: 'has_dependents' });
  await expectNoAudit(admin, withChild);
  expectProblem(await admin.del(`/api/v1/departments/${v.d_CUSTOMS}`), 409, { code: 'has_dependents' });
});

test('DELETE of a department that still looks after a firm → 409 (no firm left pointing at nothing)', async () => {
  const admin = await h.as('admin');
  const lone = await makeDept();
  const firm = await admin.post('/api/v1/firms', { credit_code: newCreditCode(), name_zh: '部门下的企业', department_id: lone.id });
  expectStatus(firm, 201);
  const r = await admin.del(`/api/v1/departments/${lone.id}`);
  if (r.status === 204) {
    const f = await admin.get(`/api/v1/firms/${firm.body.id}`);
    assert.fail(`the department was deleted; the firm now has department_id ${f.body.department_id} ` +
      `(department_name ${JSON.stringify(f.body.department_name)})`);
  }
  expectProblem(r, 409, { code: 'has_dependents' });
  expectStatus(await admin.get(`/api/v1/departments/${lone.id}`), 200);
});
