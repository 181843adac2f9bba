// input.test.mjs — what the server does with bad input before any handler runs, and the
// shape of every error (DESIGN.md §4 "Status codes", "Errors", §7): 400 for a body that does
// not parse, 415 for a wrong content type, 413 over a route's cap, JSON nested too deep,
// unknown and mistyped fields in ONE 422 listing each, invalid UTF-8, RFC 9457 problem+json
// in the request's language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD,
  useServer,
  demoVars,
  rawRequest,
  expectStatus,
  expectProblem,
  expectNoAudit,
  newCreditCode,
} from './lib.mjs';

const h = useServer('input');
let v = {};
h.setup(async () => {
  v = demoVars(h);
});

/** Sends raw bytes as the body of a cookie-authenticated admin request. */
async function send(method, path, body, type, extra = {}) {
  const admin = await h.as('admin');
  const headers = type === undefined ? {} : { 'content-type': type };
  return admin.request(method, path, { body: Buffer.isBuffer(body) ? body : Buffer.from(body), headers, ...extra });
}

// ---- 400: the body does not parse -------------------------------------------------------

const unparsable = [
  { name: 'truncated JSON', body: '{"code": "X", "name": ', code: 'bad_json' },
  { name: 'a trailing comma', body: '{"code": "X",}', code: 'bad_json' },
  { name: 'single quotes', body: "{'code': 'X'}", code: 'bad_json' },
  { name: 'a duplicate key', body: '{"code": "A", "code": "B", "name": "x"}', code: 'bad_json' },
  { name: 'an array, not an object', body: '[{"code": "X"}]', code: 'not_object' },
  { name: 'a bare string', body: '"hello"', code: 'bad_json' },
  { name: 'an empty body', body: '', code: 'bad_json' },
  { name: 'invalid UTF-8 in a string', body: Buffer.concat([Buffer.from('{"code": "X", "name": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), code: 'bad_json' },
  { name: 'NaN', body: '{"code": "X", "name": "x", "parent_id": NaN}', code: 'bad_json' },
];
for (const c of unparsable) {
  test(`400: ${c.name}`, async () => {
    const r = await send('POST', '/api/v1/departments', c.body, 'application/json');
    expectProblem(r, 400, { code: c.code });
    await expectNoAudit(await h.as('admin'), r);
  });
}

test('400 bad_json names the line and column', async () => {
  const r = await send('POST', '/api/v1/departments', '{\n  "code": "X",\n  "name": oops\n}', 'application/json');
  expectProblem(r, 400, { code: 'bad_json', detail: /line 3/ });
});

// ---- 415: wrong content type ------------------------------------------------------------

const json = JSON.stringify({ code: 'CT', name: 'x' });
const types = [
  { type: 'text/plain', status: 415 },
  { type: 'application/x-www-form-urlencoded', status: 415 },
  { type: 'multipart/form-data; boundary=x', status: 415 },
  { type: 'application/jsonx', status: 415 },
  { type: 'application/xml', status: 415 },
  { type: undefined, status: 415, name: 'no Content-Type with a body' },
];
for (const c of types) {
  test(`415: ${c.name ?? c.type}`, async () => {
    const r = await send('POST', '/api/v1/departments', json, c.type);
    expectProblem(r, 415, { code: 'media_type' });
    assert.match(r.body.detail, /application\/json/);
  });
}

const goodTypes = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8'];
for (const t of goodTypes) {
  test(`accepted Content-Type: ${t}`, async () => {
    const r = await send('POST', '/api/v1/departments', JSON.stringify({ code: `CT${Math.floor(Math.random() * 1e8)}`, name: 'x' }), t);
    expectStatus(r, 201);
  });
}

test('a POST action without body or Content-Type is an empty object', async () => {
  const admin = await h.as('admin');
  expectStatus(await admin.post(`/api/v1/users/${v.u_station}/enable`), 200);
});

// ---- 413: over the route's cap ----------------------------------------------------------

test('413: a log-in body over its 16 KiB cap, in problem+json', async () => {
  const body = JSON.stringify({ username: 'admin', password: 'x'.repeat(17 * 1024) });
  const r = await h.anon().request('POST', '/api/v1/session', { body: Buffer.from(body), headers: { 'content-type': 'application/json' } });
  expectProblem(r, 413, { code: 'body_too_large' });
  assert.match(r.body.detail, /16384/);
});

test('413: a JSON body over the 1 MiB default cap', async () => {
  const big = JSON.stringify({ code: 'BIG', name: 'x'.repeat(1024 * 1024) });
  const r = await send('POST', '/api/v1/departments', big, 'application/json');
  expectProblem(r, 413, { code: 'body_too_large' });
});

test('a body just under the cap is read (and then judged on its fields)', async () => {
  const body = JSON.stringify({ code: 'NEAR', name: 'x'.repeat(1024 * 1024 - 40) });
  assert.ok(Buffer.byteLength(body) <= 1024 * 1024);
  const r = await send('POST', '/api/v1/departments', body, 'application/json');
  expectProblem(r, 422, { fields: ['name:too_long'] });
});

// ---- JSON depth -------------------------------------------------------------------------

test('400: JSON nested deeper than 32 levels', async () => {
  const deep = `{"code": "D", "name": "x", "x": ${'['.repeat(40)}${']'.repeat(40)}}`;
  const r = await send('POST', '/api/v1/departments', deep, 'application/json');
  expectProblem(r, 400, { code: 'too_deep' });
  assert.match(r.body.detail, /32/);
});

test('32 levels are parsed (and the unknown member is then a 422)', async () => {
  const ok = `{"code": "D", "name": "x", "x": ${'['.repeat(31)}${']'.repeat(31)}}`;
  const r = await send('POST', '/api/v1/departments', ok, 'application/json');
  expectProblem(r, 422, { fields: ['x:unknown'] });
});

test('brackets inside strings do not count as depth', async () => {
  const body = JSON.stringify({ code: `BR${Math.floor(Math.random() * 1e6)}`, name: '['.repeat(100) });
  expectStatus(await send('POST', '/api/v1/departments', body, 'application/json'), 201);
});

// ---- one 422 listing every unknown and mistyped field -----------------------------------

const fieldCases = [
  {
    route: 'POST /api/v1/departments',
    body: { code: 1, name: null, parent_id: 'root', colour: 'red', size: 3 },
    fields: ['code:type', 'name:required', 'parent_id:type', 'colour:unknown', 'size:unknown'],
  },
  {
    route: 'POST /api/v1/users',
    body: { username: ['a'], password: 5, display_name: {}, roles: [1, 'staff'], department_id: true, email: 'a@b', admin: true },
    fields: ['username:type', 'password:type', 'display_name:type', 'roles[0]:type', 'department_id:type', 'email:unknown', 'admin:unknown'],
  },
  {
    route: 'POST /api/v1/firms',
    body: { credit_code: false, name_zh: 1, status: [], department_id: '2', phone: '123' },
    fields: ['credit_code:type', 'name_zh:type', 'status:type', 'department_id:type', 'phone:unknown'],
  },
  {
    route: 'POST /api/v1/roles',
    body: { name: 'ok_name', title_zh: 1, title_ru: 2, title_en: 'x', permissions: ['firm.read', 3], level: 9 },
    fields: ['title_zh:type', 'title_ru:type', 'permissions[1]:type', 'level:unknown'],
  },
  {
    route: 'POST /api/v1/tokens',
    body: { name: [], permissions: {}, expires_at: 3, user: 'x' },
    fields: ['name:type', 'permissions:type', 'expires_at:type', 'user:unknown'],
  },
  {
    route: 'POST /api/v1/jobs',
    body: { kind: 5, payload: 'x', priority: 1 },
    fields: ['kind:type', 'payload:type', 'priority:unknown'],
  },
  {
    route: 'PATCH /api/v1/settings',
    body: { 'auth.login_window_s': 'long', 'zone.name_zh': 7, 'nope.nope': 1 },
    fields: ['auth.login_window_s:type', 'zone.name_zh:type', 'nope.nope:unknown'],
  },
];
for (const c of fieldCases) {
  test(`${c.route}: unknown and mistyped fields → ONE 422 listing each (${c.fields.length})`, async () => {
    const [method, path] = c.route.split(' ');
    const admin = await h.as('admin');
    const r = await admin.request(method, path, { json: c.body });
    const b = expectProblem(r, 422, { code: 'invalid_fields', fields: c.fields });
    for (const e of b.errors) assert.ok(e.message.length > 0);
    await expectNoAudit(admin, r);
  });
}

test('PATCH bodies too: unknown + mistyped members of a user update, each listed', async () => {
  const admin = await h.as('admin');
  const r = await admin.patch(`/api/v1/users/${v.u_postal}`, { version: 'x', display_name: 1, lang: 2, disabled: 'no', nickname: 'p' });
  expectProblem(r, 422, { fields: ['version:type', 'display_name:type', 'lang:type', 'disabled:type', 'nickname:unknown'] });
});

// ---- invalid UTF-8 and odd paths --------------------------------------------------------

const badPaths = [
  { name: 'a percent-encoded invalid byte in the path', path: '/api/v1/users/%FF', status: 400, code: 'bad_utf8' },
  { name: 'an overlong encoding in the path', path: '/api/v1/departments/%C0%AF', status: 400, code: 'bad_utf8' },
  { name: 'a NUL byte in the path', path: '/api/v1/users/1%00', status: 400, code: 'bad_utf8' },
  { name: 'invalid UTF-8 in the query', path: '/api/v1/users?q=%C3%28', status: 400, code: 'bad_query' },
  { name: 'an unknown API path', path: '/api/v1/nothing-here', status: 404, code: 'no_route' },
  { name: 'an unknown API version', path: '/api/v2/users', status: 404, code: 'no_route' },
  { name: 'an export suffix on a route that has no export', path: '/api/v1/departments.xlsx', status: 404, code: 'no_route' },
];
for (const c of badPaths) {
  test(`${c.status}: ${c.name}`, async () => {
    const r = await (await h.as('admin')).get(c.path);
    expectProblem(r, c.status, { code: c.code });
  });
}

test('400: raw bytes that are not UTF-8 in the request line', async () => {
  const req = Buffer.concat([
    Buffer.from('GET /api/v1/users/'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(' HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'),
  ]);
  const r = await rawRequest(h.server.port, req);
  assert.ok(r.status === 400, `status ${r.status}`);
  if (r.headers['content-type']) assert.match(r.headers['content-type'], /problem\+json|text\/html/);
});

test('405 lists the allowed methods in Allow', async () => {
  const r = await (await h.as('admin')).put('/api/v1/users', {});
  expectProblem(r, 405, { code: 'method' });
  const allow = r.headers.get('allow').split(/,\s*/).sort();
  assert.deepEqual(allow, ['GET', 'POST']);
});

test('HEAD of a GET route answers its headers without a body', async () => {
  const r = await (await h.as('admin')).head('/api/v1/firms');
  expectStatus(r, 200);
  assert.equal(r.bytes.length, 0);
  assert.match(r.type, /^application\/json/);
});

// ---- problem+json in the request's language ---------------------------------------------

const langs = [
  { al: undefined, title: '输入有误', required: '必填', unknown: '未知字段' },
  { al: 'ru', title: 'Ошибка во входных данных', required: 'Обязательное поле', unknown: 'Неизвестное поле' },
  { al: 'en', title: 'Unprocessable content', required: 'Required', unknown: 'Unknown field' },
  { al: 'ru-RU,ru;q=0.9,en;q=0.8', title: 'Ошибка во входных данных', required: 'Обязательное поле', unknown: 'Неизвестное поле' },
  { al: 'de-DE,en;q=0.5', title: 'Unprocessable content', required: 'Required', unknown: 'Unknown field' },
  { al: 'fr', title: '输入有误', required: '必填', unknown: '未知字段' },
  { al: 'en;q=0.1, ru;q=0.9', title: 'Ошибка во входных данных', required: 'Обязательное поле', unknown: 'Неизвестное поле' },
  { al: 'zh-CN,zh;q=0.9,en;q=0.8', title: '输入有误', required: '必填', unknown: '未知字段' },
];
for (const c of langs) {
  test(`problem messages for Accept-Language: ${c.al ?? '(none) → Chinese'}`, async () => {
    const admin = await h.as('admin');
    const headers = c.al ? { 'accept-language': c.al } : {};
    const r = await admin.request('POST', '/api/v1/departments', { json: { name: 'x', extra: 1 }, headers });
    const b = expectProblem(r, 422, { fields: ['code:required', 'extra:unknown'] });
    assert.equal(b.title, c.title);
    assert.equal(b.errors.find((e) => e.field === 'code').message, c.required);
    assert.equal(b.errors.find((e) => e.field === 'extra').message, c.unknown);
  });
}

const statusTitles = [
  { status: 401, en: 'Authentication required', ru: 'Требуется вход', req: (c) => c.get('/api/v1/session') },
  { status: 404, en: 'Not found', ru: 'Не найдено', req: (c) => c.get('/api/v1/nope') },
];
for (const s of statusTitles) {
  for (const lang of ['en', 'ru']) {
    test(`${s.status} title in ${lang}`, async () => {
      const r = await s.req(h.anon({ lang }));
      const b = expectProblem(r, s.status);
      assert.equal(b.title, s[lang]);
    });
  }
}

test('with no Accept-Language a signed-in user gets their own language (station: ru)', async () => {
  // fetch always sends "Accept-Language: *", so this request goes over a raw socket.
  const station = await h.as('station');
  const body = JSON.stringify({ name: 1, permissions: ['firm.read'] });
  const raw = await rawRequest(
    h.server.port,
    `POST /api/v1/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
      `Cookie: ${station.cookieHeader()}\r\nX-CSRF-Token: ${station.csrf}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  assert.equal(raw.status, 422, raw.body);
  assert.match(raw.headers['content-type'], /^application\/problem\+json/);
  const b = JSON.parse(raw.body);
  assert.equal(b.title, 'Ошибка во входных данных');
  assert.equal(b.errors[0].message, 'Ожидается тип string');
  const en = await station.post('/api/v1/tokens', { name: 1, permissions: ['firm.read'] }, { headers: { 'accept-language': 'en' } });
  assert.equal(en.body.title, 'Unprocessable content', 'Accept-Language wins over the preference');
});

test('problem+json shape: type, title, status, detail, errors[{field, code, message}], request_id', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/firms', { credit_code: newCreditCode(), name_zh: 'x', status: 'gone' }, { headers: { 'accept-language': 'en' } });
  assert.equal(r.type, 'application/problem+json; charset=utf-8');
  const b = expectProblem(r, 422, { fields: ['status:enum'] });
  assert.equal(b.type, 'about:blank');
  assert.equal(b.detail, 'Some fields break a rule');
  assert.equal(b.request_id, r.reqId);
  assert.deepEqual(Object.keys(b.errors[0]).sort(), ['code', 'field', 'message', 'param']);
  assert.match(b.errors[0].message, /active, suspended, closed/);
});

test('a login with the demo password in a body with a BOM is not JSON (400)', async () => {
  const r = await h.anon().request('POST', '/api/v1/session', {
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ username: 'staff', password: DEMO_PASSWORD }))]),
    headers: { 'content-type': 'application/json' },
  });
  expectProblem(r, 400, { code: 'bad_json' });
});
