// firms.test.mjs — /api/v1/firms: the firm registry and, above all, data scopes
// (DESIGN.md §7): a firm account sees its own firm only, a commissioner the firms assigned to
// them, a department user its department tree's firms; a record outside the caller's scope
// is 404, never 403.
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
  creditCode,
  uniq,
} from './lib.mjs';

const h = useServer('firms');
let v = {};
const KEEPER = 'invest-registrar'; // firm.admin + firm.edit + firm.read, scope dept_tree in INVEST
h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  // This file checks scopes against fixed assignments: firms registered here get no
  // commissioner automatically (commissioners.test.mjs tests the automatic assignment).
  const off = await admin.patch('/api/v1/settings', { 'firm.auto_assign': false });
  expectStatus(off, 200);
  // a firm looked after by Customs: outside INVEST's tree
  const f = await admin.post('/api/v1/firms', { credit_code: newCreditCode(), name_zh: '海关监管企业', department_id: v.d_CUSTOMS });
  expectStatus(f, 201);
  v.customsFirm = f.body.id;
  const role = await admin.post('/api/v1/roles', {
    name: 'registrar',
    title_zh: '登记员',
    title_ru: 'Регистратор',
    title_en: 'Registrar',
    permissions: ['firm.read', 'firm.edit', 'firm.admin'],
  });
  expectStatus(role, 201);
  const u = await admin.post('/api/v1/users', {
    username: KEEPER,
    password: DEMO_PASSWORD,
    display_name: '招商登记员',
    roles: ['registrar'],
    department_id: v.d_INVEST,
    scope: 'dept_tree',
  });
  expectStatus(u, 201);
});

const firmBody = (extra = {}) => ({ credit_code: newCreditCode(), name_zh: `测试企业${uniq(4)}`, ...extra });

const access = [
  { as: null, method: 'GET', path: '/api/v1/firms', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/firms.xlsx', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/firms/:ownFirm', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/firms', body: {}, status: 401 },
  { as: null, method: 'PATCH', path: '/api/v1/firms/:ownFirm', body: { version: 1 }, status: 401 },
  { as: 'staff', method: 'POST', path: '/api/v1/firms', body: () => firmBody(), status: 403, code: 'permission' },
  { as: 'firm', method: 'POST', path: '/api/v1/firms', body: () => firmBody(), status: 403, code: 'permission' },
  // firm.edit without firm.admin: the firm's own details only, never status, commissioner or department
  { as: 'firm', method: 'PATCH', path: '/api/v1/firms/:ownFirm', body: { version: 1, status: 'closed' }, status: 403, code: 'permission' },
  { as: 'firm', method: 'PATCH', path: '/api/v1/firms/:ownFirm', body: { version: 1, department_id: 1 }, status: 403, code: 'permission' },
  { as: 'commissioner', method: 'PATCH', path: '/api/v1/firms/:comFirm', body: { version: 1, commissioner_id: 1 }, status: 403, code: 'permission' },
  { as: 'firm', method: 'PATCH', path: '/api/v1/firms/:otherFirm', body: { version: 1, name_en: 'x' }, status: 404 },
  { as: 'leader', method: 'PATCH', path: '/api/v1/firms/:ownFirm', body: { version: 1, name_en: 'x' }, status: 403, code: 'permission' },
  // the firm account: its own firm only
  { as: 'firm', method: 'GET', path: '/api/v1/firms/:ownFirm', status: 200 },
  { as: 'firm', method: 'GET', path: '/api/v1/firms/:otherFirm', status: 404, code: 'not_found' },
  { as: 'firm', method: 'GET', path: '/api/v1/firms/:comFirm', status: 404 },
  { as: 'firm', method: 'GET', path: '/api/v1/firms/:customsFirm', status: 404 },
  // the commissioner: the firms assigned to them
  { as: 'commissioner', method: 'GET', path: '/api/v1/firms/:comFirm', status: 200 },
  { as: 'commissioner', method: 'GET', path: '/api/v1/firms/:otherFirm', status: 404, code: 'not_found' },
  // staff of INVEST: the firms of INVEST's tree
  { as: 'staff', method: 'GET', path: '/api/v1/firms/:otherFirm', status: 200 },
  { as: 'staff', method: 'GET', path: '/api/v1/firms/:customsFirm', status: 404, code: 'not_found' },
  // the overseas station's tree looks after no firm
  { as: 'station', method: 'GET', path: '/api/v1/firms/:ownFirm', status: 404 },
  { as: 'station', method: 'GET', path: '/api/v1/firms', status: 200, check: (r) => assert.equal(r.body.total, 0) },
  // scope all
  { as: 'customs', method: 'GET', path: '/api/v1/firms/:customsFirm', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/firms/:customsFirm', status: 200 },
  // a firm administrator limited to INVEST's tree cannot change Customs' firm: 404
  { as: KEEPER, method: 'PATCH', path: '/api/v1/firms/:customsFirm', body: { version: 1, name_en: 'x' }, status: 404, code: 'not_found' },
  { as: KEEPER, method: 'GET', path: '/api/v1/firms/:customsFirm', status: 404 },
  // unknown ids
  { as: 'admin', method: 'GET', path: '/api/v1/firms/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/firms/91231100MA1B2C3D', status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/firms/:missing', body: { version: 1, name_en: 'x' }, status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/firms/:ownFirm', status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

test('the firm account lists exactly one firm: its own', async () => {
  const b = expectList(await (await h.as('firm')).get('/api/v1/firms'));
  assert.equal(b.total, 1);
  assert.deepEqual(b.items.map((f) => f.id), [v.ownFirm]);
  // no filter widens the scope
  const q = expectList(await (await h.as('firm')).get(`/api/v1/firms?department_id=${v.d_INVEST}&per_page=200`));
  assert.deepEqual(q.items.map((f) => f.id), [v.ownFirm]);
});

test('the commissioner lists exactly the firms assigned to them', async () => {
  const b = expectList(await (await h.as('commissioner')).get('/api/v1/firms?per_page=200'));
  assert.deepEqual(b.items.map((f) => f.id).sort((a, c) => a - c), [...h.ids.commissionerFirms].sort((a, c) => a - c));
  assert.equal(h.ids.commissionerFirms.length, 3, 'the demo assigns three firms');
  for (const f of b.items) assert.equal(f.commissioner_id, v.u_commissioner);
});

test('INVEST staff list the firms of INVEST\'s tree, not Customs\' firm; scope all lists every one', async () => {
  const staff = expectList(await (await h.as('staff')).get('/api/v1/firms?per_page=200'));
  assert.ok(!staff.items.some((f) => f.id === v.customsFirm));
  assert.ok(staff.items.some((f) => f.id === v.otherFirm));
  const customs = expectList(await (await h.as('customs')).get('/api/v1/firms?per_page=200'));
  assert.ok(customs.items.some((f) => f.id === v.customsFirm));
  assert.ok(customs.total > staff.total);
});

test('a commissioner assignment moves the firm into and out of the commissioner\'s scope', async () => {
  const admin = await h.as('admin');
  const com = await h.as('commissioner');
  const f = (await admin.get(`/api/v1/firms/${v.otherFirm}`)).body;
  expectProblem(await com.get(`/api/v1/firms/${f.id}`), 404);
  const r = await admin.patch(`/api/v1/firms/${f.id}`, { version: f.version, commissioner_id: v.u_commissioner });
  expectStatus(r, 200);
  assert.equal(r.body.commissioner_id, v.u_commissioner);
  expectStatus(await com.get(`/api/v1/firms/${f.id}`), 200);
  const back = await admin.patch(`/api/v1/firms/${f.id}`, { version: r.body.version, commissioner_id: null });
  expectStatus(back, 200);
  assert.equal(back.body.commissioner_id, null);
  expectProblem(await com.get(`/api/v1/firms/${f.id}`), 404);
});

test('POST /api/v1/firms creates: 201, Location, the record (code upper-cased), an audit row', async () => {
  const admin = await h.as('admin');
  const code = newCreditCode();
  const r = await admin.post('/api/v1/firms', {
    credit_code: code.toLowerCase(),
    name_zh: '黑河测试贸易有限公司',
    name_ru: 'ООО «Тест»',
    name_en: 'Test Trading',
    department_id: v.d_INVEST,
    commissioner_id: v.u_commissioner,
  });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/firms/${r.body.id}`);
  assert.equal(r.body.credit_code, code);
  assert.equal(r.body.status, 'active');
  assert.equal(r.body.version, 1);
  const row = await expectAudit(admin, r, { entity: 'firm', entityId: r.body.id, action: 'firm.create' });
  assert.equal(row.after.credit_code, code);
  assert.equal(row.before, null);
  // the assigned commissioner sees it now
  expectStatus(await (await h.as('commissioner')).get(`/api/v1/firms/${r.body.id}`), 200);
});

test('creating a firm outside one\'s own scope still answers 201 (with the id only)', async () => {
  const keeper = await h.as(KEEPER);
  const r = await keeper.post('/api/v1/firms', firmBody({ department_id: v.d_CUSTOMS }));
  expectStatus(r, 201);
  assert.ok(r.body.id > 0);
  assert.equal(r.headers.get('location'), `/api/v1/firms/${r.body.id}`);
  expectProblem(await keeper.get(`/api/v1/firms/${r.body.id}`), 404);
  await expectAudit(await h.as('admin'), r, { entity: 'firm', entityId: r.body.id, action: 'firm.create' });
});

test('a duplicate credit code → 409 (DESIGN.md §4: duplicate key)', async () => {
  const admin = await h.as('admin');
  const body = firmBody();
  expectStatus(await admin.post('/api/v1/firms', body), 201);
  const r = await admin.post('/api/v1/firms', { ...body, name_zh: '另一家' });
  expectProblem(r, 409);
  await expectNoAudit(admin, r);
  // the same code typed in lower case is the same code
  expectProblem(await admin.post('/api/v1/firms', { ...body, credit_code: body.credit_code.toLowerCase() }), 409);
});

const good = creditCode('MA9A8B7C');
const badCheck = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
const badCreates = [
  { name: 'nothing', body: {}, fields: ['credit_code:required', 'name_zh:required'] },
  { name: 'a wrong check character', body: { credit_code: badCheck, name_zh: 'x' }, fields: ['credit_code:check_digit'] },
  { name: 'a code of the wrong length', body: { credit_code: '91231100MA1B2C3', name_zh: 'x' }, fields: ['credit_code:format'] },
  { name: 'letters outside the alphabet (I, O, S, V, Z)', body: { credit_code: '91231100MA1B2C3DIO', name_zh: 'x' }, fields: ['credit_code:format'] },
  { name: 'a code over 18 characters', body: { credit_code: `${good}0`, name_zh: 'x' }, fields: ['credit_code:too_long'] },
  { name: 'an unknown status', body: { credit_code: newCreditCode(), name_zh: 'x', status: 'bankrupt' }, fields: ['status:enum'] },
  { name: 'references that do not exist', body: { credit_code: newCreditCode(), name_zh: 'x', commissioner_id: 987654321, department_id: 987654321 }, fields: ['commissioner_id:no_such', 'department_id:no_such'] },
  { name: 'unknown and mistyped fields', body: { credit_code: 91231100, name_zh: true, name_ru: [], commissioner_id: 'zhang', owner: 'x', id: 5 }, fields: ['credit_code:type', 'name_zh:type', 'name_ru:type', 'commissioner_id:type', 'owner:unknown', 'id:unknown'] },
  { name: 'a name over 200 characters', body: { credit_code: newCreditCode(), name_zh: '企'.repeat(201) }, fields: ['name_zh:too_long'] },
];
for (const c of badCreates) {
  test(`POST /api/v1/firms refused: ${c.name} → 422 ${c.fields.join(', ')}`, async () => {
    const admin = await h.as('admin');
    const r = await admin.post('/api/v1/firms', c.body);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(admin, r);
  });
}

test('PATCH: the current version updates and audits before/after; a stale one → 412', async () => {
  const admin = await h.as('admin');
  const f = (await admin.post('/api/v1/firms', firmBody())).body;
  const r = await admin.patch(`/api/v1/firms/${f.id}`, { version: f.version, status: 'suspended', name_en: 'Suspended Co.' });
  expectStatus(r, 200);
  assert.equal(r.body.status, 'suspended');
  assert.equal(r.body.version, f.version + 1);
  const row = await expectAudit(admin, r, { entity: 'firm', entityId: f.id, action: 'firm.update' });
  assert.equal(row.before.status, 'active');
  assert.equal(row.after.status, 'suspended');
  const stale = await admin.patch(`/api/v1/firms/${f.id}`, { version: f.version, status: 'closed' });
  expectProblem(stale, 412, { code: 'stale' });
  await expectNoAudit(admin, stale);
  assert.equal((await admin.get(`/api/v1/firms/${f.id}`)).body.status, 'suspended');
});

const badPatches = [
  { name: 'no version', body: { name_en: 'x' }, fields: ['version:required'] },
  { name: 'the credit code cannot change', body: { version: 1, credit_code: 'x' }, fields: ['credit_code:unknown'] },
  { name: 'name_zh emptied', body: { version: 1, name_zh: '  ' }, fields: ['name_zh:required'] },
  { name: 'mistyped', body: { version: 1, status: 1, department_id: 'INVEST' }, fields: ['status:type', 'department_id:type'] },
];
for (const c of badPatches) {
  test(`PATCH /api/v1/firms/{id} refused: ${c.name} → 422`, async () => {
    expectProblem(await (await h.as('admin')).patch(`/api/v1/firms/${v.otherFirm}`, c.body), 422, { fields: c.fields });
  });
}

test('PATCH to an unknown status → 422 status:enum', async () => {
  const admin = await h.as('admin');
  const f = (await admin.get(`/api/v1/firms/${v.otherFirm}`)).body;
  expectProblem(await admin.patch(`/api/v1/firms/${f.id}`, { version: f.version, status: 'gone' }), 422, { fields: ['status:enum'] });
});

const searches = [
  { q: 'q=%E4%B8%9C%E5%A5%A5', name: 'Chinese (东奥)', expect: '黑河东奥能源有限公司' },
  { q: `q=${encodeURIComponent('ДУНЪАО')}`, name: 'Cyrillic upper case', expect: '黑河东奥能源有限公司' },
  { q: 'q=dong%27ao', name: 'Latin', expect: '黑河东奥能源有限公司' },
  { q: 'q=ma3d4e5f', name: 'a piece of the credit code, lower case', expect: '黑河东奥能源有限公司' },
  { q: 'q=%25', name: 'a LIKE wildcard (%), taken literally', expect: null },
  { q: 'q=_', name: 'a LIKE wildcard (_), taken literally', expect: null },
];
for (const s of searches) {
  test(`search ?q= in ${s.name}`, async () => {
    const b = expectList(await (await h.as('admin')).get(`/api/v1/firms?${s.q}`));
    assert.deepEqual(b.items.map((f) => f.name_zh), s.expect === null ? [] : [s.expect]);
  });
}

const badQueries = [
  { q: 'sort=password', fields: ['sort:enum'] },
  { q: 'per_page=500', fields: ['per_page:range'] },
  { q: 'commissioner_id=zhang', fields: ['commissioner_id:type'] },
  { q: 'department_id=x&sort=nope', fields: ['department_id:type', 'sort:enum'] },
];
for (const c of badQueries) {
  test(`list query ?${c.q} → 422`, async () => {
    expectProblem(await (await h.as('admin')).get(`/api/v1/firms?${c.q}`), 422, { fields: c.fields });
  });
}

test('exports: firms.xlsx and firms.csv, within the caller\'s scope', async () => {
  expectXlsx(await (await h.as('admin')).get('/api/v1/firms.xlsx'));
  const lines = expectCsv(await (await h.as('firm')).get('/api/v1/firms.csv'));
  assert.equal(lines.length, 2, 'the header and the firm account\'s one firm');
  assert.ok(lines[1].includes(h.ids.firmRec.find((f) => f.id === v.ownFirm).credit_code));
  const com = await h.as('commissioner');
  const en = expectCsv(await com.get('/api/v1/firms.csv', { headers: { 'accept-language': 'en' } }), {
    header: ['Credit code'],
  });
  const json = expectList(await com.get('/api/v1/firms?per_page=200'));
  assert.equal(en.length, 1 + json.total, 'one row per firm in scope');
  expectProblem(await (await h.as('admin')).get('/api/v1/firms.pdf'), 404);
});


test("a firm's own account edits its own details; they are checked, audited and listed", async () => {
  const firm = await h.login('firm');
  const own = (await firm.get(`/api/v1/firms/${v.ownFirm}`)).body;
  const r = await firm.patch(`/api/v1/firms/${v.ownFirm}`, {
    version: own.version,
    name_ru: 'ООО «Пинью»',
    industry: '51',
    customs_code: '2311960abc',
    cross_border: true,
    address: '黑龙江省黑河市自贸片区',
    legal_rep: '张三',
    contact_name: 'Иван',
    contact_phone: '+86 (456) 822-1234',
    contact_email: 'trade@pinyou.example',
  });
  expectStatus(r, 200);
  assert.equal(r.body.industry, '51');
  assert.equal(r.body.customs_code, '2311960ABC', 'upper-cased');
  assert.equal(r.body.cross_border, true);
  assert.equal(r.body.contact_email, 'trade@pinyou.example');
  const admin = await h.login('admin');
  const a = await admin.get(`/api/v1/audit?entity=firm&entity_id=${v.ownFirm}&action=firm.update`);
  assert.ok(a.body.items.some((row) => row.after && row.after.industry === '51' && row.actor === 'firm'));
  // every broken detail listed in one 422, nothing changed
  const now = (await firm.get(`/api/v1/firms/${v.ownFirm}`)).body;
  const bad = await firm.patch(`/api/v1/firms/${v.ownFirm}`, {
    version: now.version,
    industry: '999',
    customs_code: '12-45',
    contact_phone: 'call me',
    contact_email: 'no-at-sign',
  });
  expectProblem(bad, 422, { fields: ['industry:enum', 'customs_code:format', 'contact_phone:format', 'contact_email:format'] });
  expectProblem(await firm.patch(`/api/v1/firms/${v.ownFirm}`, { version: now.version, cross_border: 'yes' }), 422, {
    fields: ['cross_border:type'],
  });
  assert.equal((await firm.get(`/api/v1/firms/${v.ownFirm}`)).body.version, now.version);
  // the export carries the details
  const csv = expectCsv(await admin.get('/api/v1/firms.csv'));
  assert.ok(csv.some((line) => line.includes('2311960ABC')));
});

test('GET /api/v1/firms refuses broken filters with one 422 naming each', async () => {
  const admin = await h.login('admin');
  expectProblem(await admin.get('/api/v1/firms?commissioner_id=12abc&department_id=-1&status=gone'), 422, {
    fields: ['commissioner_id:type', 'department_id:type', 'status:enum'],
  });
  const ok = await admin.get('/api/v1/firms?status=active&q=%E9%BB%91%E6%B2%B3');
  expectStatus(ok, 200);
  assert.ok(ok.body.items.every((f) => f.status === 'active'));
});
