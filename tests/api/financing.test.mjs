// financing.test.mjs — financing matchmaking: bank products (/api/v1/bank-products), needs
// (/api/v1/financing/needs), matches and their outcome (/api/v1/financing/matches), and the
// figure "financing arranged" (/api/v1/financing/figures): every route with its refusals
// (401, 403 per role, 404 outside the scope, 422 naming every field, 409, 412), the match
// machine, the need's status following it, money as integer fen with the report's wording
// (the report: two foreign-trade firms, 1100万元), exports and audit rows.
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

const h = useServer('financing');
let v = {};

const beijing = (days = 0) => new Date(Date.now() + 8 * 3600e3 + days * 86400e3).toISOString().slice(0, 10);
const TODAY = beijing();
const TOMORROW = beijing(1);
const j = (x) => (typeof x === 'string' ? JSON.parse(x) : x);
const WAN = 1000000; // 1万元 in fen

h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  const f = await admin.post('/api/v1/firms', { credit_code: newCreditCode(), name_zh: '海关监管企业（融资）', department_id: v.d_CUSTOMS });
  expectStatus(f, 201);
  v.customsFirm = f.body.id;
  if (f.body.commissioner_id) {
    const cur = (await admin.get(`/api/v1/firms/${v.customsFirm}`)).body;
    expectStatus(await admin.patch(`/api/v1/firms/${v.customsFirm}`, { version: cur.version, commissioner_id: null }), 200);
  }
  const p = await admin.post('/api/v1/bank-products', { bank: '中国银行黑河分行', name: '外贸贷', max_amount_fen: 1000 * WAN, rate_bp: 385, term_months: 12 });
  expectStatus(p, 201);
  v.product = p.body.id;
  const p2 = await admin.post('/api/v1/bank-products', { bank: '龙江银行黑河分行', name: '跨境e贷', max_amount_fen: 800 * WAN, rate_bp: 420, term_months: 24 });
  expectStatus(p2, 201);
  v.product2 = p2.body.id;
  const off = await admin.post('/api/v1/bank-products', { bank: '农业银行黑河分行', name: '停售产品', max_amount_fen: 100 * WAN, active: false });
  expectStatus(off, 201);
  v.inactive = off.body.id;
  // a need of the Customs firm (outside INVEST's and the commissioner's scope)
  const n = await admin.post('/api/v1/financing/needs', { firm_id: v.customsFirm, amount_fen: 200 * WAN, purpose: '设备采购', term_months: 36, raised_on: '2024-02-01' });
  expectStatus(n, 201);
  v.customsNeed = n.body.id;
  const m = await admin.post(`/api/v1/financing/needs/${v.customsNeed}/matches`, { product_id: v.product });
  expectStatus(m, 201);
  v.customsMatch = m.body.id;
  // the firm account's own need
  const own = await (await h.login('firm')).post('/api/v1/financing/needs', { amount_fen: 600 * WAN, purpose: '进口货款周转', term_months: 12, raised_on: '2024-03-01' });
  expectStatus(own, 201);
  v.ownNeed = own.body.id;
});

const needBody = (extra = {}) => ({ firm_id: v.otherFirm, amount_fen: 100 * WAN, purpose: '流动资金', term_months: 12, ...extra });

const access = [
  ...[
    ['GET', '/api/v1/bank-products'],
    ['GET', '/api/v1/bank-products.xlsx'],
    ['POST', '/api/v1/bank-products'],
    ['GET', '/api/v1/bank-products/:product'],
    ['PATCH', '/api/v1/bank-products/:product'],
    ['GET', '/api/v1/financing/figures'],
    ['GET', '/api/v1/financing/figures.xlsx'],
    ['GET', '/api/v1/financing/needs'],
    ['POST', '/api/v1/financing/needs'],
    ['GET', '/api/v1/financing/needs/:ownNeed'],
    ['PATCH', '/api/v1/financing/needs/:ownNeed'],
    ['POST', '/api/v1/financing/needs/:ownNeed/matches'],
    ['GET', '/api/v1/financing/matches'],
    ['GET', '/api/v1/financing/matches/:customsMatch'],
    ['PATCH', '/api/v1/financing/matches/:customsMatch'],
  ].map(([method, path]) => ({ as: null, method, path, body: method === 'GET' ? undefined : {}, status: 401 })),
  // roles without financing.*: 403 naming the permission
  ...['customs', 'postal', 'station', 'dispatcher'].flatMap((as) => [
    { as, method: 'GET', path: '/api/v1/financing/needs', status: 403, code: 'permission' },
    { as, method: 'GET', path: '/api/v1/bank-products', status: 403, code: 'permission' },
    { as, method: 'GET', path: '/api/v1/financing/figures', status: 403, code: 'permission' },
    { as, method: 'POST', path: '/api/v1/financing/needs', body: () => needBody(), status: 403, code: 'permission' },
  ]),
  // products: financing.admin only to change
  ...['leader', 'staff', 'commissioner', 'firm'].flatMap((as) => [
    { as, method: 'GET', path: '/api/v1/bank-products', status: 200 },
    { as, method: 'POST', path: '/api/v1/bank-products', body: { bank: 'x', name: 'y', max_amount_fen: 1 }, status: 403, code: 'permission' },
    { as, method: 'PATCH', path: '/api/v1/bank-products/:product', body: { version: 1, active: false }, status: 403, code: 'permission' },
  ]),
  // the leader reads, files nothing; the firm account files needs, matches nothing
  { as: 'leader', method: 'GET', path: '/api/v1/financing/needs/:customsNeed', status: 200 },
  { as: 'leader', method: 'POST', path: '/api/v1/financing/needs', body: () => needBody(), status: 403, code: 'permission' },
  { as: 'leader', method: 'PATCH', path: '/api/v1/financing/matches/:customsMatch', body: { version: 1, status: 'applied' }, status: 403, code: 'permission' },
  { as: 'firm', method: 'POST', path: '/api/v1/financing/needs/:ownNeed/matches', body: () => ({ product_id: v.product }), status: 403, code: 'permission' },
  { as: 'firm', method: 'PATCH', path: '/api/v1/financing/matches/:customsMatch', body: { version: 1, status: 'applied' }, status: 403, code: 'permission' },
  // scope: a record outside it is 404
  { as: 'firm', method: 'GET', path: '/api/v1/financing/needs/:ownNeed', status: 200 },
  { as: 'firm', method: 'GET', path: '/api/v1/financing/needs/:customsNeed', status: 404, code: 'not_found' },
  { as: 'firm', method: 'PATCH', path: '/api/v1/financing/needs/:customsNeed', body: { version: 1, notes: 'x' }, status: 404, code: 'not_found' },
  { as: 'firm', method: 'GET', path: '/api/v1/financing/matches/:customsMatch', status: 404, code: 'not_found' },
  { as: 'staff', method: 'GET', path: '/api/v1/financing/needs/:customsNeed', status: 404, code: 'not_found' },
  { as: 'staff', method: 'POST', path: '/api/v1/financing/needs/:customsNeed/matches', body: () => ({ product_id: v.product2 }), status: 404, code: 'not_found' },
  { as: 'staff', method: 'PATCH', path: '/api/v1/financing/matches/:customsMatch', body: { version: 1, status: 'applied' }, status: 404, code: 'not_found' },
  { as: 'commissioner', method: 'GET', path: '/api/v1/financing/needs/:ownNeed', status: 200 },
  { as: 'commissioner', method: 'GET', path: '/api/v1/financing/needs/:customsNeed', status: 404 },
  // filing for a firm outside the scope: the firm is "no such"
  { as: 'firm', method: 'POST', path: '/api/v1/financing/needs', body: () => needBody({ firm_id: v.otherFirm }), status: 422, fields: ['firm_id:no_such'] },
  { as: 'commissioner', method: 'POST', path: '/api/v1/financing/needs', body: () => needBody({ firm_id: v.otherFirm }), status: 422, fields: ['firm_id:no_such'] },
  { as: 'staff', method: 'POST', path: '/api/v1/financing/needs', body: () => needBody({ firm_id: v.customsFirm }), status: 422, fields: ['firm_id:no_such'] },
  // unknown ids
  { as: 'admin', method: 'GET', path: '/api/v1/bank-products/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'PATCH', path: '/api/v1/bank-products/:missing', body: { version: 1, active: true }, status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/financing/needs/:missing', status: 404 },
  { as: 'admin', method: 'POST', path: '/api/v1/financing/needs/:missing/matches', body: () => ({ product_id: v.product }), status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/financing/matches/:missing', status: 404 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/financing/matches/:missing', body: { version: 1, status: 'applied' }, status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/financing/needs/:ownNeed', status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

const bad = [
  { name: 'an empty product', as: 'admin', method: 'POST', path: '/api/v1/bank-products', body: {}, status: 422, fields: ['bank:required', 'name:required', 'max_amount_fen:required'] },
  {
    name: 'a product out of range',
    as: 'admin',
    method: 'POST',
    path: '/api/v1/bank-products',
    body: { bank: 'b'.repeat(101), name: 'x', max_amount_fen: 0, rate_bp: 10001, term_months: 601, active: 'yes', fee: 1 },
    status: 422,
    fields: ['bank:too_long', 'max_amount_fen:range', 'rate_bp:range', 'term_months:range', 'active:type', 'fee:unknown'],
  },
  { name: 'money is integer fen', as: 'admin', method: 'POST', path: '/api/v1/bank-products', body: { bank: 'x', name: 'y', max_amount_fen: 100.5 }, status: 422, fields: ['max_amount_fen:type'] },
  { name: 'money in a string', as: 'admin', method: 'POST', path: '/api/v1/bank-products', body: { bank: 'x', name: 'y', max_amount_fen: '1000' }, status: 422, fields: ['max_amount_fen:type'] },
  { name: 'over the cap', as: 'admin', method: 'POST', path: '/api/v1/bank-products', body: { bank: 'x', name: 'y', max_amount_fen: 1000000000001 }, status: 422, fields: ['max_amount_fen:range'] },
  { name: 'a duplicate product', as: 'admin', method: 'POST', path: '/api/v1/bank-products', body: { bank: '中国银行黑河分行', name: '外贸贷', max_amount_fen: 1 }, status: 409, code: 'duplicate' },
  { name: 'a product patch clearing the bank', as: 'admin', method: 'PATCH', path: '/api/v1/bank-products/:product', body: { version: 1, bank: null, max_amount_fen: null }, status: 422, fields: ['bank:required', 'max_amount_fen:required'] },
  { name: 'an empty need', as: 'staff', method: 'POST', path: '/api/v1/financing/needs', body: {}, status: 422, fields: ['amount_fen:required', 'purpose:required', 'term_months:required'] },
  { name: 'a need without a firm', as: 'staff', method: 'POST', path: '/api/v1/financing/needs', body: () => needBody({ firm_id: undefined }), status: 422, fields: ['firm_id:required'] },
  {
    name: 'a need out of range',
    as: 'staff',
    method: 'POST',
    path: '/api/v1/financing/needs',
    body: () => needBody({ amount_fen: 0, term_months: 601, purpose: 'p'.repeat(501), notes: 'n'.repeat(2001) }),
    status: 422,
    fields: ['amount_fen:range', 'term_months:range', 'purpose:too_long', 'notes:too_long'],
  },
  { name: 'a term of 0 months, a negative amount', as: 'firm', method: 'POST', path: '/api/v1/financing/needs', body: { amount_fen: -5, purpose: 'x', term_months: 0 }, status: 422, fields: ['amount_fen:range', 'term_months:range'] },
  { name: 'a need raised tomorrow', as: 'firm', method: 'POST', path: '/api/v1/financing/needs', body: () => ({ amount_fen: 1, purpose: 'x', term_months: 1, raised_on: TOMORROW }), status: 422, fields: ['raised_on:in_future'] },
  { name: 'a need on no date', as: 'firm', method: 'POST', path: '/api/v1/financing/needs', body: { amount_fen: 1, purpose: 'x', term_months: 1, raised_on: '2024/03/01' }, status: 422, fields: ['raised_on:format'] },
  { name: 'a need patch with a derived status', as: 'firm', method: 'PATCH', path: '/api/v1/financing/needs/:ownNeed', body: { version: 1, status: 'granted', term_months: 0 }, status: 422, fields: ['status:enum', 'term_months:range'] },
  { name: 'a need patch without version', as: 'firm', method: 'PATCH', path: '/api/v1/financing/needs/:ownNeed', body: { notes: 'x' }, status: 422, fields: ['version:required'] },
  { name: 'a match without product', as: 'staff', method: 'POST', path: '/api/v1/financing/needs/:ownNeed/matches', body: { note: 'x', bank: 'y' }, status: 422, fields: ['product_id:required', 'bank:unknown'] },
  { name: 'a match with no such product', as: 'staff', method: 'POST', path: '/api/v1/financing/needs/:ownNeed/matches', body: { product_id: 987654321 }, status: 422, fields: ['product_id:no_such'] },
  { name: 'a match with a product no longer offered', as: 'staff', method: 'POST', path: '/api/v1/financing/needs/:ownNeed/matches', body: () => ({ product_id: v.inactive }), status: 422, fields: ['product_id:inactive'] },
  { name: 'a match patch with an unknown status', as: 'admin', method: 'PATCH', path: '/api/v1/financing/matches/:customsMatch', body: { version: 1, status: 'paid', amount_granted_fen: 0 }, status: 422, fields: ['status:enum', 'amount_granted_fen:range'] },
  { name: 'list filters', as: 'staff', method: 'GET', path: '/api/v1/financing/needs?status=lost&from=2024-02-30&sort=colour', status: 422, fields: ['status:enum', 'from:format', 'sort:enum'] },
  { name: 'match list filters', as: 'staff', method: 'GET', path: '/api/v1/financing/matches?status=paid&to=x', status: 422, fields: ['status:enum', 'to:format'] },
  { name: 'product list filters', as: 'staff', method: 'GET', path: '/api/v1/bank-products?active=maybe&sort=-fee', status: 422, fields: ['active:enum', 'sort:enum'] },
  { name: 'figure filters', as: 'staff', method: 'GET', path: '/api/v1/financing/figures?group=year&from=2024-1-1', status: 422, fields: ['group:enum', 'from:format'] },
];
for (const c of bad) test(caseName(c), async () => runCase(h, c, v));

test('bank products: create (201, Location, audit), patch with version, list filters, exports', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/bank-products', { bank: `建设银行${uniq(3)}`, name: '善营贷', max_amount_fen: 300 * WAN, notes: '小微企业' });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/bank-products/${r.body.id}`);
  assert.equal(r.body.max_amount_fen, 300 * WAN);
  assert.equal(r.body.max_amount_words, '300万元');
  assert.equal(r.body.active, true);
  assert.equal(r.body.rate_bp, null);
  await expectAudit(admin, r, { entity: 'bank_product', entityId: r.body.id, action: 'financing.product.create' });
  const p = await admin.patch(`/api/v1/bank-products/${r.body.id}`, { version: 1, rate_bp: 350, term_months: 36, active: false, notes: null });
  expectStatus(p, 200);
  assert.deepEqual([p.body.rate_bp, p.body.term_months, p.body.active, p.body.notes, p.body.version], [350, 36, false, null, 2]);
  const row = await expectAudit(admin, p, { entity: 'bank_product', entityId: r.body.id, action: 'financing.product.update' });
  assert.equal(j(row.before).active, true);
  assert.equal(j(row.after).active, false);
  expectProblem(await admin.patch(`/api/v1/bank-products/${r.body.id}`, { version: 1, rate_bp: 1 }), 412, { code: 'stale' });
  const active = expectList(await (await h.as('staff')).get('/api/v1/bank-products?active=true&per_page=200'));
  assert.ok(active.items.every((x) => x.active));
  assert.ok(!active.items.some((x) => x.id === r.body.id));
  const text = expectList(await admin.get(`/api/v1/bank-products?q=${encodeURIComponent('e贷')}`));
  assert.deepEqual(text.items.map((x) => x.id), [v.product2]);
  const bySize = expectList(await admin.get('/api/v1/bank-products?sort=-max_amount_fen'));
  const sizes = bySize.items.map((x) => x.max_amount_fen);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a));
  expectXlsx(await admin.get('/api/v1/bank-products.xlsx'));
  const lines = expectCsv(await (await h.as('admin', { lang: 'en' })).get('/api/v1/bank-products.csv?sort=id'), { header: ['Bank', 'Maximum (yuan)'] });
  assert.ok(lines.some((l) => l.includes('10000000.00')), 'fen become yuan with two decimals in the file');
});

test('a firm account files its own need: its firm by default, open, money in fen with its words, audited', async () => {
  const firm = await h.as('firm');
  const r = await firm.post('/api/v1/financing/needs', { amount_fen: 1234567, purpose: '采购大豆', term_months: 6, notes: '急需' });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/financing/needs/${r.body.id}`);
  assert.equal(r.body.firm_id, v.ownFirm);
  assert.equal(r.body.status, 'open');
  assert.equal(r.body.raised_on, TODAY);
  assert.equal(r.body.amount_fen, 1234567);
  assert.equal(r.body.amount_words, '1.23万元');
  assert.deepEqual(r.body.matches, []);
  await expectAudit(await h.as('admin'), r, { entity: 'financing_need', entityId: r.body.id, action: 'financing.need.create' });
  // the firm sees its own needs only
  const list = expectList(await firm.get('/api/v1/financing/needs?per_page=200'));
  assert.ok(list.items.every((n) => n.firm_id === v.ownFirm));
  assert.ok(list.items.some((n) => n.id === r.body.id));
  // and edits them (version), closes and reopens
  const p = await firm.patch(`/api/v1/financing/needs/${r.body.id}`, { version: 1, amount_fen: 2000000, status: 'closed' });
  expectStatus(p, 200);
  assert.deepEqual([p.body.amount_fen, p.body.status, p.body.version], [2000000, 'closed', 2]);
  await expectAudit(await h.as('admin'), p, { entity: 'financing_need', entityId: r.body.id, action: 'financing.need.update' });
  const o = await firm.patch(`/api/v1/financing/needs/${r.body.id}`, { version: 2, status: 'open' });
  expectStatus(o, 200);
  assert.equal(o.body.status, 'open');
  expectProblem(await firm.patch(`/api/v1/financing/needs/${r.body.id}`, { version: 2, notes: 'x' }), 412, { code: 'stale' });
});

/** PATCH a match as staff with its current version; returns the response. */
async function patchMatch(m, body, as = 'staff') {
  return (await h.as(as)).patch(`/api/v1/financing/matches/${m.id}`, { version: m.version, ...body });
}

test('the match machine: proposed → applied → granted with amount and date; the need follows; every refusal', async () => {
  const staff = await h.as('staff');
  const n = await staff.post('/api/v1/financing/needs', needBody({ firm_id: v.otherFirm, amount_fen: 700 * WAN, raised_on: '2024-03-05' }));
  expectStatus(n, 201);
  const need = n.body;
  const r = await staff.post(`/api/v1/financing/needs/${need.id}/matches`, { product_id: v.product, note: '推荐外贸贷' });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/financing/matches/${r.body.id}`);
  let m = r.body;
  assert.equal(m.status, 'proposed');
  assert.deepEqual(m.next, ['applied', 'declined']);
  assert.equal(m.bank, '中国银行黑河分行');
  await expectAudit(await h.as('admin'), r, { entity: 'financing_match', entityId: m.id, action: 'financing.match.create' });
  const st = await expectAudit(await h.as('admin'), r, { entity: 'financing_need', entityId: need.id, action: 'financing.need.status' });
  assert.deepEqual([j(st.before).status, j(st.after).status], ['open', 'matched']);
  assert.equal((await staff.get(`/api/v1/financing/needs/${need.id}`)).body.status, 'matched');
  // the same product twice: 409
  expectProblem(await staff.post(`/api/v1/financing/needs/${need.id}/matches`, { product_id: v.product }), 409, { code: 'duplicate' });
  // proposed → granted skips a step: 409; amount on a match that is not granted: 422
  let x = await patchMatch(m, { status: 'granted', amount_granted_fen: 100 * WAN, granted_on: '2024-03-20' });
  expectProblem(x, 409, { code: 'match_transition' });
  await expectNoAudit(await h.as('admin'), x);
  expectProblem(await patchMatch(m, { status: 'applied', amount_granted_fen: 5, granted_on: '2024-03-20' }), 422, {
    fields: ['amount_granted_fen:granted_only', 'granted_on:granted_only'],
  });
  x = await patchMatch(m, { status: 'applied' });
  expectStatus(x, 200);
  m = x.body;
  assert.equal(m.status, 'applied');
  assert.deepEqual(m.next, ['granted', 'declined']);
  // granted needs an amount and a date
  expectProblem(await patchMatch(m, { status: 'granted' }), 422, { fields: ['amount_granted_fen:required', 'granted_on:required'] });
  // at most the product's maximum (1000万) and the need (700万); a date from the need to today
  expectProblem(await patchMatch(m, { status: 'granted', amount_granted_fen: 701 * WAN, granted_on: '2024-03-04' }), 422, {
    fields: ['amount_granted_fen:range', 'granted_on:before_need'],
  });
  expectProblem(await patchMatch(m, { status: 'granted', amount_granted_fen: 100 * WAN, granted_on: TOMORROW }), 422, { fields: ['granted_on:in_future'] });
  expectProblem(await patchMatch(m, { status: 'granted', amount_granted_fen: 100 * WAN, granted_on: '2024-3-20' }), 422, { fields: ['granted_on:format'] });
  // stale
  expectProblem(await patchMatch({ ...m, version: 1 }, { note: 'x' }), 412, { code: 'stale' });
  x = await patchMatch(m, { status: 'granted', amount_granted_fen: 500 * WAN, granted_on: '2024-03-20' });
  expectStatus(x, 200);
  m = x.body;
  assert.deepEqual([m.status, m.amount_granted_fen, m.amount_granted_words, m.granted_on], ['granted', 500 * WAN, '500万元', '2024-03-20']);
  assert.deepEqual(m.next, []);
  const up = await expectAudit(await h.as('admin'), x, { entity: 'financing_match', entityId: m.id, action: 'financing.match.update' });
  assert.deepEqual([j(up.before).status, j(up.after).status], ['applied', 'granted']);
  await expectAudit(await h.as('admin'), x, { entity: 'financing_need', entityId: need.id, action: 'financing.need.status' });
  const after = (await staff.get(`/api/v1/financing/needs/${need.id}`)).body;
  assert.deepEqual([after.status, after.granted_fen, after.granted_words, after.matches.length], ['granted', 500 * WAN, '500万元', 1]);
  // granted is final
  expectProblem(await patchMatch(m, { status: 'declined' }), 409, { code: 'match_transition' });
  // a second product for the rest: the cap is what is left of the need (200万)
  let m2 = (await staff.post(`/api/v1/financing/needs/${need.id}/matches`, { product_id: v.product2 })).body;
  m2 = (await patchMatch(m2, { status: 'applied' })).body;
  expectProblem(await patchMatch(m2, { status: 'granted', amount_granted_fen: 201 * WAN, granted_on: '2024-03-25' }), 422, { fields: ['amount_granted_fen:range'] });
  // declined is final too
  m2 = (await patchMatch(m2, { status: 'declined', note: '银行未通过' })).body;
  assert.equal(m2.status, 'declined');
  expectProblem(await patchMatch(m2, { status: 'applied' }), 409, { code: 'match_transition' });
  assert.equal((await staff.get(`/api/v1/financing/needs/${need.id}`)).body.status, 'granted', 'a granted match keeps the need granted');
  // the amount of a need never drops below what was granted
  const cur = (await staff.get(`/api/v1/financing/needs/${need.id}`)).body;
  expectProblem(await staff.patch(`/api/v1/financing/needs/${need.id}`, { version: cur.version, amount_fen: 499 * WAN }), 422, { fields: ['amount_fen:range'] });
  expectProblem(await staff.patch(`/api/v1/financing/needs/${need.id}`, { version: cur.version, raised_on: '2024-03-21' }), 422, { fields: ['raised_on:after_grant'] });
  // closed: no match changes and no new matches until reopened
  const closed = await staff.patch(`/api/v1/financing/needs/${need.id}`, { version: cur.version, status: 'closed' });
  expectStatus(closed, 200);
  assert.equal(closed.body.status, 'closed');
  const p3 = (await (await h.as('admin')).post('/api/v1/bank-products', { bank: '邮储银行', name: `极速贷${uniq(3)}`, max_amount_fen: 50 * WAN })).body;
  expectProblem(await staff.post(`/api/v1/financing/needs/${need.id}/matches`, { product_id: p3.id }), 409, { code: 'need_closed' });
  expectProblem(await patchMatch(m, { note: 'x' }), 409, { code: 'need_closed' });
  const reopened = await staff.patch(`/api/v1/financing/needs/${need.id}`, { version: closed.body.version, status: 'open' });
  expectStatus(reopened, 200);
  assert.equal(reopened.body.status, 'granted', 'a reopened need follows its matches again');
});

test('a declined match leaves the need open again; the commissioner matches for its firms', async () => {
  const com = await h.as('commissioner');
  const n = await com.post('/api/v1/financing/needs', needBody({ firm_id: v.comFirm, amount_fen: 50 * WAN }));
  expectStatus(n, 201);
  const r = await com.post(`/api/v1/financing/needs/${n.body.id}/matches`, { product_id: v.product2 });
  expectStatus(r, 201);
  assert.equal((await com.get(`/api/v1/financing/needs/${n.body.id}`)).body.status, 'matched');
  const d = await patchMatch(r.body, { status: 'declined' }, 'commissioner');
  expectStatus(d, 200);
  assert.equal((await com.get(`/api/v1/financing/needs/${n.body.id}`)).body.status, 'open');
});

test('the figure: financing arranged — two foreign-trade firms, 1100万元 — by bank and by month, within scope', async () => {
  const admin = await h.as('admin');
  const staff = await h.as('staff');
  const granted = async (firmId, fen, productId, day) => {
    const n = await staff.post('/api/v1/financing/needs', needBody({ firm_id: firmId, amount_fen: fen, raised_on: '2023-01-02', purpose: '外贸融资' }));
    expectStatus(n, 201);
    let m = (await staff.post(`/api/v1/financing/needs/${n.body.id}/matches`, { product_id: productId })).body;
    m = (await patchMatch(m, { status: 'applied' })).body;
    const g = await patchMatch(m, { status: 'granted', amount_granted_fen: fen, granted_on: day });
    expectStatus(g, 200);
    return g.body;
  };
  const before = (await admin.get('/api/v1/financing/figures?from=2023-01-01&to=2023-12-31')).body;
  assert.equal(before.granted_fen, 0);
  assert.equal(before.granted_words, '0元');
  // 品优 600万 (中国银行, March), 宇鑫 500万 (龙江银行, April)
  const pinyou = h.ids.firms[0];
  const yuxin = h.ids.firms[1];
  await granted(pinyou, 600 * WAN, v.product, '2023-03-15');
  await granted(yuxin, 500 * WAN, v.product2, '2023-04-10');
  const r = await admin.get('/api/v1/financing/figures?from=2023-01-01&to=2023-12-31');
  expectStatus(r, 200);
  const f = r.body;
  assert.equal(f.granted_fen, 1100 * WAN);
  assert.equal(f.granted_words, '1100万元');
  assert.equal(f.firms_financed, 2);
  assert.equal(f.matches_granted, 2);
  assert.deepEqual(f.by_month.map((x) => [x.key, x.granted_fen, x.granted_words]), [
    ['2023-03', 600 * WAN, '600万元'],
    ['2023-04', 500 * WAN, '500万元'],
  ]);
  assert.deepEqual(f.by_bank.map((x) => [x.key, x.granted_fen, x.matches, x.firms]).sort(), [
    ['中国银行黑河分行', 600 * WAN, 1, 1],
    ['龙江银行黑河分行', 500 * WAN, 1, 1],
  ].sort());
  assert.equal(f.by_bank.reduce((s, x) => s + x.granted_fen, 0), f.granted_fen, 'the banks add up to the total');
  assert.equal(f.needs_total, 2);
  assert.equal(f.needs_open, 0);
  assert.equal(typeof f.needs_open_words, 'string');
  // the whole period holds more: the Customs firm's need is open, the others granted
  const all = (await admin.get('/api/v1/financing/figures')).body;
  assert.ok(all.granted_fen >= 1100 * WAN);
  assert.ok(all.needs_open >= 1);
  // scope: the firm account's figure is its own firm's (品优, 600万 in 2023)
  const own = (await (await h.as('firm')).get('/api/v1/financing/figures?from=2023-01-01&to=2023-12-31')).body;
  assert.deepEqual([own.granted_fen, own.granted_words, own.firms_financed], [600 * WAN, '600万元', 1]);
  // exports of the rows
  expectXlsx(await admin.get('/api/v1/financing/figures.xlsx?group=bank&from=2023-01-01&to=2023-12-31'));
  const lines = expectCsv(await (await h.as('admin', { lang: 'en' })).get('/api/v1/financing/figures.csv?from=2023-01-01&to=2023-12-31'), { header: ['Arranged (yuan)'] });
  assert.equal(lines.length, 3);
  assert.ok(lines[1].includes('6000000.00') && lines[1].includes('600万元'));
});

test('need and match lists: scope, filters, sort, exports', async () => {
  const admin = await h.as('admin');
  const staff = expectList(await (await h.as('staff')).get('/api/v1/financing/needs?per_page=200'));
  assert.ok(!staff.items.some((n) => n.id === v.customsNeed));
  const com = expectList(await (await h.as('commissioner')).get('/api/v1/financing/needs?per_page=200'));
  assert.ok(com.items.every((n) => h.ids.commissionerFirms.includes(n.firm_id)));
  const byFirm = expectList(await admin.get(`/api/v1/financing/needs?firm_id=${v.customsFirm}`));
  assert.deepEqual(byFirm.items.map((n) => n.id), [v.customsNeed]);
  const act = expectList(await admin.get('/api/v1/financing/needs?status=active&per_page=200'));
  assert.ok(act.items.every((n) => n.status === 'open' || n.status === 'matched'));
  const gr = expectList(await admin.get('/api/v1/financing/needs?status=granted&per_page=200'));
  assert.ok(gr.items.length >= 2 && gr.items.every((n) => n.status === 'granted' && n.granted_fen > 0));
  const dated = expectList(await admin.get('/api/v1/financing/needs?from=2024-02-01&to=2024-02-29'));
  assert.ok(dated.items.some((n) => n.id === v.customsNeed));
  assert.ok(dated.items.every((n) => n.raised_on.startsWith('2024-02')));
  const text = expectList(await admin.get(`/api/v1/financing/needs?q=${encodeURIComponent('设备')}`));
  assert.deepEqual(text.items.map((n) => n.id), [v.customsNeed]);
  const amounts = expectList(await admin.get('/api/v1/financing/needs?sort=-amount_fen&per_page=200')).items.map((n) => n.amount_fen);
  assert.deepEqual(amounts, [...amounts].sort((a, b) => b - a));
  for (const s of ['raised_on', 'firm', 'status', '-granted_fen', 'id']) expectList(await admin.get(`/api/v1/financing/needs?sort=${s}`));
  expectXlsx(await admin.get('/api/v1/financing/needs.xlsx'));
  expectCsv(await (await h.as('admin', { lang: 'ru' })).get('/api/v1/financing/needs.csv'), { header: ['Сумма (юани)'] });
  // matches
  const ms = expectList(await (await h.as('staff')).get('/api/v1/financing/matches?per_page=200'));
  assert.ok(!ms.items.some((m) => m.id === v.customsMatch));
  const byNeed = expectList(await admin.get(`/api/v1/financing/matches?need_id=${v.customsNeed}`));
  assert.deepEqual(byNeed.items.map((m) => m.id), [v.customsMatch]);
  const byProduct = expectList(await admin.get(`/api/v1/financing/matches?product_id=${v.product2}&status=granted`));
  assert.ok(byProduct.items.every((m) => m.product_id === v.product2 && m.status === 'granted'));
  const dates = expectList(await admin.get('/api/v1/financing/matches?from=2023-01-01&to=2023-12-31&sort=granted_on'));
  assert.deepEqual(dates.items.map((m) => m.granted_on), ['2023-03-15', '2023-04-10']);
  for (const s of ['bank', '-amount_granted_fen', 'status', 'created_at']) expectList(await admin.get(`/api/v1/financing/matches?sort=${s}`));
  expectXlsx(await admin.get('/api/v1/financing/matches.xlsx'));
  expectCsv(await (await h.as('admin', { lang: 'en' })).get('/api/v1/financing/matches.csv?status=granted'), { header: ['Granted (yuan)', 'Bank'] });
  // the firm account's match list is its own firm's
  const fm = expectList(await (await h.as('firm')).get('/api/v1/financing/matches?per_page=200'));
  assert.ok(fm.items.length > 0 && fm.items.every((m) => m.firm_id === v.ownFirm));
});
