// platform.test.mjs — the platform services' routes (DESIGN.md §4, §5): settings, files
// (types checked by content, scope, the download), dictionaries, /healthz /readyz /metrics,
// the static UI fallback, and the headers every response carries (CSP, nosniff,
// Referrer-Policy, X-Request-Id echo).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  CSP,
  XLSX_TYPE,
  useServer,
  demoVars,
  runCase,
  caseName,
  rawRequest,
  expectStatus,
  expectProblem,
  expectAudit,
  expectNoAudit,
  expectList,
  expectSecurityHeaders,
} from './lib.mjs';

const h = useServer('platform');
let v = {};
h.setup(async () => {
  v = demoVars(h);
  v.setting = 'auth.login_window_s';
  const admin = await h.login('admin');
  const f = await admin.request('POST', `/api/v1/files?name=other.pdf&firm_id=${v.otherFirm}`, {
    body: PDF,
    headers: { 'content-type': 'application/pdf' },
  });
  expectStatus(f, 201);
  v.otherFile = f.body.id;
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(32, 2)]);
const ELF = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56, 0)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.from([0x90, 0, 3, 0, 0, 0, 4, 0]), Buffer.alloc(32, 0)]);
const sha = (b) => createHash('sha256').update(b).digest('hex');

/** POST /api/v1/files?name=… with the bytes and (optionally) a declared Content-Type. */
async function upload(client, name, bytes, type, extraQuery = '') {
  const headers = type === undefined ? {} : { 'content-type': type };
  const q = name === null ? '' : `name=${encodeURIComponent(name)}`;
  return client.request('POST', `/api/v1/files?${q}${extraQuery}`, { body: bytes, headers });
}

// ---- who may do what ------------------------------------------------------------------

const access = [
  { as: null, method: 'GET', path: '/api/v1/settings', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/settings/:setting', status: 401 },
  { as: null, method: 'PATCH', path: '/api/v1/settings', body: {}, status: 401 },
  { as: null, method: 'GET', path: '/api/v1/files', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/files/:otherFile', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/files/:otherFile/content', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/dicts', status: 401 },
  { as: null, method: 'GET', path: '/api/v1/dicts/countries', status: 401 },
  { as: 'staff', method: 'GET', path: '/api/v1/settings', status: 403, code: 'permission' },
  { as: 'staff', method: 'GET', path: '/api/v1/settings/:setting', status: 403, code: 'permission' },
  { as: 'leader', method: 'GET', path: '/api/v1/settings', status: 200 },
  { as: 'leader', method: 'PATCH', path: '/api/v1/settings', body: { 'auth.login_window_s': 60 }, status: 403, code: 'permission' },
  { as: 'admin', method: 'GET', path: '/api/v1/settings/no.such.setting', status: 404, code: 'not_found' },
  { as: 'admin', method: 'DELETE', path: '/api/v1/settings', status: 405 },
  { as: 'firm', method: 'GET', path: '/api/v1/dicts', status: 200 },
  { as: 'firm', method: 'GET', path: '/api/v1/dicts/currencies', status: 200 },
  { as: 'admin', method: 'GET', path: '/api/v1/dicts/no_such_table', status: 404, code: 'not_found' },
  // files: leader reads but may not upload
  { as: 'leader', method: 'GET', path: '/api/v1/files', status: 200 },
  { as: 'leader', method: 'GET', path: '/api/v1/files/:otherFile', status: 200 },
  { as: 'admin', method: 'GET', path: '/api/v1/files/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/files/:missing/content', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/files/x/content', status: 404 },
  // a file of another firm is outside the firm account's and the commissioner's scope
  { as: 'firm', method: 'GET', path: '/api/v1/files/:otherFile', status: 404, code: 'not_found' },
  { as: 'firm', method: 'GET', path: '/api/v1/files/:otherFile/content', status: 404, code: 'not_found' },
  { as: 'commissioner', method: 'GET', path: '/api/v1/files/:otherFile', status: 404 },
  { as: 'staff', method: 'GET', path: '/api/v1/files/:otherFile', status: 200 },
  { as: 'admin', method: 'PATCH', path: '/api/v1/files/:otherFile', body: { name: 'x' }, status: 405 },
  { as: 'admin', method: 'GET', path: '/api/v1/files?sort=content', status: 422, fields: ['sort:enum'] },
  { as: 'admin', method: 'GET', path: '/api/v1/files?firm_id=abc', status: 422, fields: ['firm_id:type'] },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

test('uploading needs files.upload: leader → 403; no session → 401', async () => {
  expectProblem(await upload(await h.as('leader'), 'a.pdf', PDF, 'application/pdf'), 403, { code: 'permission' });
  expectProblem(await upload(h.anon(), 'a.pdf', PDF, 'application/pdf'), 401);
});

// ---- settings --------------------------------------------------------------------------

test('GET /api/v1/settings: every setting with value, default and description, sorted by name', async () => {
  const admin = await h.as('admin');
  const b = expectList(await admin.get('/api/v1/settings'));
  const names = b.items.map((s) => s.name);
  assert.deepEqual(names, [...names].sort());
  const mf = b.items.find((s) => s.name === 'auth.login_max_failures');
  assert.equal(mf.type, 'integer');
  assert.equal(mf.default, 5);
  assert.equal(mf.value, 5);
  assert.equal(typeof mf.description, 'string');
  const en = (await admin.get('/api/v1/settings/auth.login_max_failures', { headers: { 'accept-language': 'en' } })).body;
  assert.match(en.description, /Failed log-ins/);
  assert.equal(en.value, 5);
});

test('PATCH /api/v1/settings changes a value, audits it; null resets it to the default', async () => {
  const admin = await h.as('admin');
  const r = await admin.patch('/api/v1/settings', { 'zone.name_en': 'Heihe Area (test)', 'auth.max_concurrent_hashes': 12 });
  expectStatus(r, 200);
  const byName = Object.fromEntries(r.body.items.map((s) => [s.name, s]));
  assert.equal(byName['zone.name_en'].value, 'Heihe Area (test)');
  assert.equal(byName['auth.max_concurrent_hashes'].value, 12);
  const row = await expectAudit(admin, r, { entity: 'setting', entityId: 'auth.max_concurrent_hashes', action: 'setting.set' });
  assert.deepEqual(row.after, { value: 12 });
  await expectAudit(admin, r, { entity: 'setting', entityId: 'zone.name_en', action: 'setting.set' });
  const one = await admin.get('/api/v1/settings/zone.name_en');
  assert.equal(one.body.value, 'Heihe Area (test)');
  assert.equal(one.body.updated_by, v.u_admin);
  const reset = await admin.patch('/api/v1/settings', { 'zone.name_en': null });
  expectStatus(reset, 200);
  const after = await admin.get('/api/v1/settings/zone.name_en');
  assert.equal(after.body.value, after.body.default);
  await expectAudit(admin, reset, { entity: 'setting', entityId: 'zone.name_en', action: 'setting.set' });
});

const badSettings = [
  { name: 'an unknown setting', body: { 'auth.magic': 1 }, fields: ['auth.magic:unknown'] },
  { name: 'a string for an integer', body: { 'auth.login_max_failures': '5' }, fields: ['auth.login_max_failures:type'] },
  { name: 'out of range', body: { 'auth.login_max_failures': 0 }, fields: ['auth.login_max_failures:range'] },
  { name: 'a number for a string', body: { 'zone.name_zh': 5 }, fields: ['zone.name_zh:type'] },
  { name: 'an empty name', body: { 'zone.name_ru': '' }, fields: ['zone.name_ru:required'] },
  {
    name: 'several at once, all or nothing',
    body: { 'auth.max_concurrent_hashes': 7, 'auth.login_window_s': 5, 'auth.argon2_opslimit': true, 'no.such': 'x' },
    fields: ['auth.login_window_s:range', 'auth.argon2_opslimit:type', 'no.such:unknown'],
  },
];
for (const c of badSettings) {
  test(`PATCH /api/v1/settings refused: ${c.name} → 422 ${c.fields.join(', ')}`, async () => {
    const admin = await h.as('admin');
    const before = (await admin.get('/api/v1/settings/auth.max_concurrent_hashes')).body.value;
    const r = await admin.patch('/api/v1/settings', c.body);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(admin, r);
    assert.equal((await admin.get('/api/v1/settings/auth.max_concurrent_hashes')).body.value, before, 'nothing changed');
  });
}

test('PATCH /api/v1/settings with a cookie needs the CSRF token', async () => {
  const admin = await h.as('admin');
  expectProblem(await admin.patch('/api/v1/settings', { 'auth.login_window_s': 600 }, { csrf: false }), 403, { code: 'csrf' });
});

test('a setting takes effect at once: auth.login_max_failures = 2 → the 3rd attempt is 429', async () => {
  const admin = await h.as('admin');
  expectStatus(await admin.patch('/api/v1/settings', { 'auth.login_max_failures': 2 }), 200);
  const c = h.anon();
  for (let i = 0; i < 2; i++) expectProblem(await c.login('postal', 'wrong-password'), 401);
  const r = await c.login('postal', 'ftz-demo-2026');
  expectProblem(r, 429, { code: 'throttled' });
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  expectStatus(await admin.patch('/api/v1/settings', { 'auth.login_max_failures': null }), 200);
});

// ---- files -----------------------------------------------------------------------------

const goodFiles = [
  { name: 'report.pdf', bytes: PDF, type: 'application/pdf', media: 'application/pdf' },
  { name: 'photo.png', bytes: PNG, type: 'image/png', media: 'image/png' },
  { name: 'photo.jpg', bytes: JPEG, type: 'image/jpg', media: 'image/jpeg' },
  { name: 'notes.txt', bytes: Buffer.from('申报说明 — заметки\n'), type: 'text/plain; charset=utf-8', media: 'text/plain' },
  { name: 'list.csv', bytes: Buffer.from('\uFEFFcode,name\nRU,Россия\n'), type: undefined, media: 'text/csv' },
  { name: 'manifest.xml', bytes: Buffer.from('<?xml version="1.0"?><a/>'), type: 'text/xml', media: 'application/xml' },
  { name: 'blob.pdf', bytes: PDF, type: 'application/octet-stream', media: 'application/pdf' },
];
for (const f of goodFiles) {
  test(`upload ${f.name} (${f.type ?? 'no Content-Type'}) → 201 as ${f.media}, downloadable as an attachment`, async () => {
    const staff = await h.as('staff');
    const r = await upload(staff, f.name, f.bytes, f.type);
    expectStatus(r, 201);
    assert.equal(r.headers.get('location'), `/api/v1/files/${r.body.id}`);
    assert.equal(r.body.media_type, f.media);
    assert.equal(r.body.size, f.bytes.length);
    assert.equal(r.body.sha256, sha(f.bytes));
    assert.equal(r.body.name, f.name);
    assert.equal(r.body.created_by, v.u_staff);
    const row = await expectAudit(await h.as('admin'), r, { entity: 'file', entityId: r.body.id, action: 'file.upload' });
    assert.equal(row.after.sha256, sha(f.bytes));
    const meta = await staff.get(`/api/v1/files/${r.body.id}`);
    expectStatus(meta, 200);
    assert.deepEqual(meta.body, r.body);
    const dl = await staff.get(`/api/v1/files/${r.body.id}/content`);
    expectStatus(dl, 200);
    assert.ok(dl.bytes.equals(f.bytes), 'the same bytes back');
    assert.equal(dl.type.split(';')[0], f.media);
    if (f.media.startsWith('text/')) assert.match(dl.type, /charset=utf-8/);
    assert.match(dl.headers.get('content-disposition'), /^attachment;/);
    assert.ok(dl.headers.get('content-disposition').includes(`filename*=UTF-8''${f.name}`));
    assert.equal(dl.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(dl.headers.get('content-security-policy'), CSP);
  });
}

test('an XLSX upload is recognised by its content (a ZIP with xl/ parts)', async () => {
  const admin = await h.as('admin');
  const xlsx = (await admin.get('/api/v1/users.xlsx')).bytes;
  const r = await upload(admin, 'users.xlsx', xlsx, XLSX_TYPE);
  expectStatus(r, 201);
  assert.equal(r.body.media_type, XLSX_TYPE);
  const zip = await upload(admin, 'x.zip', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(60, 0)]), 'application/zip');
  expectProblem(zip, 422, { fields: ['content:file_type'] });
});

test('a Chinese file name is sent back percent-encoded (RFC 5987)', async () => {
  const staff = await h.as('staff');
  const r = await upload(staff, '报关单.pdf', PDF, 'application/pdf');
  expectStatus(r, 201);
  const dl = await staff.get(`/api/v1/files/${r.body.id}/content`);
  assert.ok(dl.headers.get('content-disposition').includes(`filename*=UTF-8''${encodeURIComponent('报关单.pdf')}`));
});

const badFiles = [
  { name: 'an ELF executable', file: 'tool.pdf', bytes: ELF, type: 'application/pdf', fields: ['content:file_type'] },
  { name: 'a Windows executable', file: 'setup.exe', bytes: EXE, type: undefined, fields: ['content:file_type'] },
  { name: 'HTML declared as HTML', file: 'page.html', bytes: Buffer.from('<html><script>alert(1)</script></html>'), type: 'text/html', fields: ['content_type:file_type'] },
  { name: 'a PDF declared as PNG', file: 'x.png', bytes: PDF, type: 'image/png', fields: ['content_type:file_type'] },
  { name: 'text that is not UTF-8', file: 'x.txt', bytes: Buffer.from([0x41, 0xff, 0xfe, 0x42]), type: 'text/plain', fields: ['content:file_type'] },
  { name: 'an empty body', file: 'empty.pdf', bytes: Buffer.alloc(0), type: 'application/pdf', fields: ['content:required'] },
  { name: 'no name', file: null, bytes: PDF, type: 'application/pdf', fields: ['name:required'] },
  { name: 'a name with a slash', file: '../etc/passwd', bytes: PDF, type: 'application/pdf', fields: ['name:format'] },
  { name: 'a name of ".."', file: '..', bytes: PDF, type: 'application/pdf', fields: ['name:format'] },
  { name: 'a name over 200 characters', file: `${'名'.repeat(201)}.pdf`, bytes: PDF, type: 'application/pdf', fields: ['name:too_long'] },
];
for (const c of badFiles) {
  test(`upload refused: ${c.name} → 422 ${c.fields.join(', ')}`, async () => {
    const staff = await h.as('staff');
    const r = await upload(staff, c.file, c.bytes, c.type);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(await h.as('admin'), r);
  });
}

test('upload over the 20 MiB route cap → 413 in problem+json', async () => {
  const staff = await h.as('staff');
  const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x41);
  const r = await upload(staff, 'big.txt', big, 'text/plain');
  expectProblem(r, 413, { code: 'body_too_large' });
});

test('files and firms: the firm account files under its own firm and sees only its firm\'s files', async () => {
  const firm = await h.as('firm');
  const r = await upload(firm, 'licence.pdf', PDF, 'application/pdf');
  expectStatus(r, 201);
  assert.equal(r.body.firm_id, v.ownFirm);
  const other = await upload(firm, 'x.pdf', PDF, 'application/pdf', `&firm_id=${v.otherFirm}`);
  expectProblem(other, 422, { fields: ['firm_id:no_such'] });
  const list = expectList(await firm.get('/api/v1/files?per_page=200'));
  assert.ok(list.items.length >= 1);
  assert.ok(list.items.every((f) => f.firm_id === v.ownFirm), 'only its own firm\'s files');
  // the commissioner of that firm sees it; INVEST staff too
  expectStatus(await (await h.as('commissioner')).get(`/api/v1/files/${r.body.id}`), 200);
  expectStatus(await (await h.as('staff')).get(`/api/v1/files/${r.body.id}`), 200);
  // a commissioner may not file under a firm that is not theirs
  const com = await upload(await h.as('commissioner'), 'x.pdf', PDF, 'application/pdf', `&firm_id=${v.otherFirm}`);
  expectProblem(com, 422, { fields: ['firm_id:no_such'] });
  expectProblem(await upload(await h.as('admin'), 'x.pdf', PDF, 'application/pdf', '&firm_id=987654321'), 422, {
    fields: ['firm_id:no_such'],
  });
});

test('GET /api/v1/files filters by media type and pages', async () => {
  const admin = await h.as('admin');
  const b = expectList(await admin.get('/api/v1/files?media_type=application/pdf&per_page=200'));
  assert.ok(b.items.length >= 2);
  assert.ok(b.items.every((f) => f.media_type === 'application/pdf'));
  assert.ok(b.items.every((f) => f.content === undefined), 'the list holds no content');
  const p = expectList(await admin.get('/api/v1/files?per_page=1&sort=id'));
  assert.equal(p.items.length, 1);
  assert.equal(p.total, expectList(await admin.get('/api/v1/files?per_page=200')).total);
});

test('a file upload with a cookie needs the CSRF token', async () => {
  const staff = await h.as('staff');
  const r = await staff.request('POST', '/api/v1/files?name=a.pdf', {
    body: PDF,
    headers: { 'content-type': 'application/pdf' },
    csrf: false,
  });
  expectProblem(r, 403, { code: 'csrf' });
});

// ---- dictionaries ----------------------------------------------------------------------

test('GET /api/v1/dicts lists the tables with versions and counts', async () => {
  const b = expectList(await (await h.as('staff')).get('/api/v1/dicts'));
  const names = b.items.map((d) => d.name);
  for (const n of ['countries', 'currencies', 'hs_chapters', 'industries', 'units']) assert.ok(names.includes(n), n);
  for (const d of b.items) {
    assert.match(d.version, /\+[0-9a-f]{12}$/);
    assert.ok(d.count > 0);
    assert.equal(typeof d.has_parent, 'boolean');
  }
});

test('GET /api/v1/dicts/countries: the table, with its version as ETag; If-None-Match → 304', async () => {
  const c = await h.as('firm');
  const r = await c.get('/api/v1/dicts/countries');
  expectStatus(r, 200);
  assert.equal(r.body.name, 'countries');
  const ru = r.body.items.find((x) => x.code === 'RU');
  assert.ok(ru, 'Russia is in the table');
  assert.equal(ru.name_ru, 'Россия');
  assert.equal(ru.name_zh, '俄罗斯');
  const etag = r.headers.get('etag');
  assert.equal(etag, `"${r.body.version}"`);
  const again = await c.get('/api/v1/dicts/countries', { headers: { 'if-none-match': etag } });
  expectStatus(again, 304);
  assert.equal(again.bytes.length, 0);
  const weak = await c.get('/api/v1/dicts/countries', { headers: { 'if-none-match': `"old", W/${etag}` } });
  expectStatus(weak, 304);
  const other = await c.get('/api/v1/dicts/countries', { headers: { 'if-none-match': '"old"' } });
  expectStatus(other, 200);
});

// ---- operations endpoints, static files, headers ---------------------------------------

test('GET /healthz and /readyz answer without a session', async () => {
  const a = h.anon();
  const hz = await a.get('/healthz');
  expectStatus(hz, 200);
  assert.deepEqual(hz.body, { status: 'ok' });
  expectSecurityHeaders(hz);
  const rz = await a.get('/readyz');
  expectStatus(rz, 200);
  assert.deepEqual(rz.body, { status: 'ready' });
  const head = await a.head('/healthz');
  expectStatus(head, 200);
  assert.equal(head.bytes.length, 0);
  expectProblem(await a.post('/healthz', {}), 405);
});

test('GET /metrics: Prometheus text, every series prefixed ftz_, requests counted by route and status', async () => {
  const a = h.anon();
  await a.get('/api/v1/session'); // a 401 to count
  const r = await a.get('/metrics');
  expectStatus(r, 200);
  assert.match(r.type, /^text\/plain/);
  const series = r.text.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.ok(series.length > 5);
  for (const l of series) assert.match(l, /^ftz_[a-z_]+(\{.*\})? [0-9.e+-]+$/, l);
  assert.match(r.text, /ftz_http_requests_total\{method="GET",route="\/api\/v1\/session",status="401"\} [1-9]/);
  assert.match(r.text, /ftz_http_request_duration_seconds_bucket\{le="\+Inf"\} \d+/);
  assert.match(r.text, /ftz_jobs_run_total\{outcome="done"\}/);
});

test('every response carries CSP, nosniff, Referrer-Policy, X-Request-Id and Cache-Control', async () => {
  const admin = await h.as('admin');
  const cases = [
    await admin.get('/api/v1/firms'),
    await admin.get('/api/v1/firms/987654321'),
    await h.anon().get('/api/v1/users'),
    await h.anon().get('/metrics'),
    await h.anon().get('/'),
    await admin.get('/api/v1/users.xlsx'),
  ];
  for (const r of cases) {
    expectSecurityHeaders(r);
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
  }
  for (const r of cases.slice(0, 3)) assert.equal(r.headers.get('cache-control'), 'no-store');
});

const requestIds = [
  { name: 'a sane id is echoed', sent: 'client-req_42.a', echoed: true },
  { name: 'one with a space is replaced', sent: 'bad id', echoed: false },
  { name: 'one over 64 characters is replaced', sent: 'a'.repeat(65), echoed: false },
  { name: 'one with a quote is replaced', sent: 'x"y', echoed: false },
];
for (const c of requestIds) {
  test(`X-Request-Id: ${c.name}`, async () => {
    const r = await h.anon().get('/api/v1/nope', { reqId: null, headers: { 'x-request-id': c.sent } });
    expectStatus(r, 404);
    const got = r.headers.get('x-request-id');
    if (c.echoed) assert.equal(got, c.sent);
    else assert.match(got, /^[0-9a-f]{16}$/);
    assert.equal(r.body.request_id, got, 'the problem body carries it too');
  });
}

test('without X-Request-Id the server makes one, different per request', async () => {
  const a = await h.anon().get('/healthz', { reqId: null });
  const b = await h.anon().get('/healthz', { reqId: null });
  assert.match(a.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
  assert.notEqual(a.headers.get('x-request-id'), b.headers.get('x-request-id'));
});

test('the web UI: / and client-side routes get the HTML page; missing assets and traversal are 404', async () => {
  const a = h.anon();
  const root = await a.get('/');
  expectStatus(root, 200);
  assert.match(root.type, /^text\/html/);
  const spa = await a.get('/firms/12');
  expectStatus(spa, 200);
  assert.match(spa.type, /^text\/html/);
  expectStatus(await a.get('/assets/missing.js'), 404);
  const trav = await rawRequest(h.server.port, 'GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.equal(trav.status, 404);
  assert.ok(!trav.body.includes('root:'), 'no file outside the web directory');
  expectStatus(await a.post('/firms', {}), 404);
});
