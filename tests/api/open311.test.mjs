// open311.test.mjs — Open311 GeoReport v2 under /open311/v2/ (src/firm/open311.c,
// docs/open311.md; the spec: wiki.open311.org/GeoReport_v2).
//
// Responses are checked against the standard's field names, order and types, in JSON and
// in XML (parsed here by a small strict reader: no npm packages), and the XML is checked to
// carry exactly what the JSON carries. Errors are the standard's [{code, description}] /
// <errors><error>…. A POST with a revoked, expired, unknown or under-privileged api_key is
// refused with 403 and files nothing; a POST files a demand that /api/v1/demands shows with
// source_kind open311; firm A's key never sees firm B's requests. The lifecycle of a demand
// (assess → dispatch → receive → reply → evaluate) shows through status, status_notes,
// agency_responsible and expected_datetime.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, useServer, demoVars, expectStatus, routeTable, uniq } from './lib.mjs';

const h = useServer('open311');
let v = {};
const keys = {}; // name → secret
const code = {}; // firm credit codes: own (firm A, the demo firm account's), other (firm B)
const B = '/open311/v2';

const SERVICE_KEYS = ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'];
const ATTRIBUTE_KEYS = ['variable', 'code', 'datatype', 'required', 'datatype_description', 'order', 'description'];
const DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'];
const REQUEST_KEYS = [
  'service_request_id',
  'status',
  'status_notes',
  'service_name',
  'service_code',
  'description',
  'agency_responsible',
  'service_notice',
  'requested_datetime',
  'updated_datetime',
  'expected_datetime',
  'address',
  'address_id',
  'zipcode',
  'lat',
  'long',
  'media_url',
];
const POST_KEYS = ['service_request_id', 'service_notice', 'account_id'];
const W3 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/;
const TOPICS = ['policy', 'finance', 'labour', 'approval', 'customs', 'land', 'utilities', 'tax', 'other'];

h.setup(async (hh) => {
  v = demoVars(hh);
  const admin = await hh.login('admin');
  const own = hh.ids.firmRec.find((f) => f.id === v.ownFirm);
  const other = hh.ids.firmRec.find((f) => f.id === v.otherFirm);
  code.own = own.credit_code;
  code.other = other.credit_code;
  // firm B's own account
  const u = await admin.post('/api/v1/users', {
    username: 'firmb',
    password: DEMO_PASSWORD,
    display_name: '乙企业',
    roles: ['firm'],
    firm_id: v.otherFirm,
  });
  assert.equal(u.status, 201, u.text);
  const mk = async (user, name, permissions) => {
    const c = await hh.login(user);
    const t = await c.post('/api/v1/tokens', { name, permissions });
    assert.equal(t.status, 201, t.text);
    keys[name] = t.body.secret;
    return t.body;
  };
  await mk('firm', 'firmA', ['demand.read', 'demand.file']);
  await mk('firmb', 'firmB', ['demand.read', 'demand.file']);
  await mk('firm', 'firmA-read', ['demand.read']);
  await mk('staff', 'staff-firms', ['firm.read']);
  await mk('admin', 'admin', ['demand.read', 'demand.file']);
  const revoked = await mk('firm', 'firmA-revoked', ['demand.read', 'demand.file']);
  const firm = await hh.login('firm');
  expectStatus(await firm.del(`/api/v1/tokens/${revoked.id}`), 204);
  const expired = await mk('firm', 'firmA-expired', ['demand.read', 'demand.file']);
  hh.db.sql(`UPDATE tokens SET expires_at = 1000 WHERE id = ${expired.id}`);
});

// ---------------------------------------------------------------------------------------
// A small strict XML reader: the declaration, elements without attributes, text with the
// five entities and character references, comments. Throws on anything else.

function decodeText(t, at) {
  if (/&(?!(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);)/.test(t)) throw new Error(`a bare & in text at ${at}`);
  if (/[<>]/.test(t.replace(/&gt;/g, ''))) throw new Error(`a bare < or > in text at ${at}`);
  return t.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[e];
  });
}

export function parseXml(s) {
  const decl = /^<\?xml version="1\.0"( encoding="([^"]+)")?\?>\s*/.exec(s);
  if (!decl) throw new Error(`no XML declaration: ${s.slice(0, 60)}`);
  assert.match(decl[2] || '', /^utf-8$/i, 'the declaration names UTF-8');
  let i = decl[0].length;
  const element = () => {
    const m = /^<([A-Za-z_][\w.-]*)\s*(\/?)>/.exec(s.slice(i));
    if (!m) throw new Error(`expected a start tag at ${i}: ${s.slice(i, i + 40)}`);
    i += m[0].length;
    const node = { name: m[1], children: [], text: '' };
    if (m[2]) return node;
    for (;;) {
      const lt = s.indexOf('<', i);
      if (lt < 0) throw new Error(`<${node.name}> is not closed`);
      node.text += decodeText(s.slice(i, lt), i);
      i = lt;
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end < 0) throw new Error('an open comment');
        i = end + 3;
        continue;
      }
      if (s.startsWith('</', i)) {
        const e = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(s.slice(i));
        if (!e || e[1] !== node.name) throw new Error(`</${e && e[1]}> closes <${node.name}> at ${i}`);
        i += e[0].length;
        if (node.children.length && node.text.trim()) throw new Error(`mixed content in <${node.name}>`);
        return node;
      }
      node.children.push(element());
    }
  };
  const root = element();
  if (s.slice(i).trim()) throw new Error(`content after the root element: ${s.slice(i, i + 40)}`);
  return root;
}

const ITEM = { services: 'service', service_requests: 'request', errors: 'error', attributes: 'attribute', values: 'value' };

/** Asserts that the XML node carries exactly the JSON value: objects as child elements in
 * the same order, arrays as repeated item elements, null as an empty element, the rest as
 * text. */
function sameAsJson(node, json, where = node.name) {
  if (Array.isArray(json)) {
    const item = ITEM[node.name];
    assert.ok(item, `no item name known for <${node.name}>`);
    assert.deepEqual(node.children.map((c) => c.name), json.map(() => item), `${where}: items`);
    json.forEach((x, k) => sameAsJson(node.children[k], x, `${where}[${k}]`));
  } else if (json !== null && typeof json === 'object') {
    assert.deepEqual(node.children.map((c) => c.name), Object.keys(json), `${where}: elements`);
    Object.keys(json).forEach((k, n) => sameAsJson(node.children[n], json[k], `${where}.${k}`));
  } else {
    assert.equal(node.children.length, 0, `${where}: a leaf`);
    assert.equal(node.text, json === null ? '' : String(json), `${where}: text`);
  }
}

test('the XML reader reads what it should and refuses what it should (self-check)', () => {
  const x = parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b>1 &lt; 2 &amp; &#x4E2D;</b><c/><c></c></a>');
  assert.equal(x.name, 'a');
  assert.deepEqual(x.children.map((c) => c.name), ['b', 'c', 'c']);
  assert.equal(x.children[0].text, '1 < 2 & 中');
  for (const bad of ['<a/>', '<?xml version="1.0"?><a><b></a>', '<?xml version="1.0"?><a>x & y</a>', '<?xml version="1.0"?><a></a><b/>']) {
    assert.throws(() => parseXml(bad), bad);
  }
});

// ---------------------------------------------------------------------------------------
// Helpers

/** GET with the api_key in the query. */
function withKey(path, key) {
  return `${path}${path.includes('?') ? '&' : '?'}api_key=${encodeURIComponent(key)}`;
}

function form(params) {
  const u = new URLSearchParams();
  for (const [k, val] of Object.entries(params)) {
    if (Array.isArray(val)) val.forEach((x) => u.append(k, x));
    else if (val !== undefined) u.append(k, val);
  }
  return u.toString();
}

async function post(fmt, params, { raw, type = 'application/x-www-form-urlencoded; charset=utf-8', headers = {} } = {}) {
  return h.anon().request('POST', `${B}/requests.${fmt}`, {
    body: raw ?? form(params),
    headers: { 'content-type': type, ...headers },
  });
}

function expectJson(r, status) {
  expectStatus(r, status);
  assert.match(r.type, /^application\/json; charset=utf-8$/i, r.type);
  assert.ok(r.body !== null && r.body !== undefined, r.text);
  return r.body;
}

function expectXml(r, status, root) {
  expectStatus(r, status);
  assert.match(r.type, /^text\/xml; charset=utf-8$/i, r.type);
  const x = parseXml(r.text);
  assert.equal(x.name, root);
  return x;
}

/** An Open311 error: the status, and [{code: status, description}] / <errors><error>. */
function expectO311Error(r, status, { fmt = 'json', match } = {}) {
  if (fmt === 'xml') {
    const x = expectXml(r, status, 'errors');
    assert.ok(x.children.length >= 1);
    for (const e of x.children) {
      assert.equal(e.name, 'error');
      assert.deepEqual(e.children.map((c) => c.name), ['code', 'description']);
      assert.equal(e.children[0].text, String(status));
      assert.ok(e.children[1].text.length > 0);
    }
    if (match) assert.ok(x.children.some((e) => match.test(e.children[1].text)), `${match} in ${r.text}`);
    return x.children.map((e) => e.children[1].text);
  }
  const b = expectJson(r, status);
  assert.ok(Array.isArray(b) && b.length >= 1, r.text);
  for (const e of b) {
    assert.deepEqual(Object.keys(e), ['code', 'description'], r.text);
    assert.equal(e.code, status);
    assert.equal(typeof e.description, 'string');
    assert.ok(e.description.length > 0);
  }
  if (match) assert.ok(b.some((e) => match.test(e.description)), `${match} in ${r.text}`);
  return b.map((e) => e.description);
}

function checkRequest(o, where = 'request') {
  assert.deepEqual(Object.keys(o), REQUEST_KEYS, `${where}: the standard's fields, in its order`);
  assert.match(o.service_request_id, /^[1-9]\d*$/, `${where}: service_request_id`);
  assert.ok(['open', 'closed'].includes(o.status), `${where}: status`);
  assert.ok(o.status_notes === null || typeof o.status_notes === 'string');
  assert.equal(typeof o.service_name, 'string');
  assert.ok(TOPICS.includes(o.service_code), `${where}: service_code ${o.service_code}`);
  for (const k of ['description', 'agency_responsible', 'service_notice', 'address', 'media_url'])
    assert.ok(o[k] === null || typeof o[k] === 'string', `${where}: ${k}`);
  assert.match(o.requested_datetime, W3);
  assert.match(o.updated_datetime, W3);
  assert.ok(o.expected_datetime === null || W3.test(o.expected_datetime), `${where}: expected_datetime`);
  for (const k of ['address_id', 'zipcode', 'lat', 'long']) assert.equal(o[k], null, `${where}: ${k} (no geolocation)`);
}

async function fileAs(keyName, extra = {}) {
  const r = await post('json', {
    api_key: keys[keyName],
    service_code: 'customs',
    description: `报关单卡在查验环节 ${uniq(6)}\n已经三天了`,
    'attribute[credit_code]': keyName === 'firmB' ? code.other : code.own,
    ...extra,
  });
  const b = expectJson(r, 200);
  assert.deepEqual(Object.keys(b[0]), POST_KEYS);
  return b[0];
}

async function openCount() {
  const admin = await h.as('admin');
  const r = await admin.get('/api/v1/demands?source_kind=open311&per_page=1');
  expectStatus(r, 200);
  return r.body.total;
}

// ---------------------------------------------------------------------------------------
// The route table

test('the routes: ten, public services, api_key requests declaring their permission', async () => {
  await h.ready();
  const mine = routeTable()
    .filter((r) => r.path.startsWith('/open311/'))
    .map((r) => `${r.method} ${r.path} ${r.permission}${r.api_key ? ' api_key' : ''}`)
    .sort();
  assert.deepEqual(mine, [
    'GET /open311/v2/requests.json demand.read api_key',
    'GET /open311/v2/requests.xml demand.read api_key',
    'GET /open311/v2/requests/{service_request_id}.json demand.read api_key',
    'GET /open311/v2/requests/{service_request_id}.xml demand.read api_key',
    'GET /open311/v2/services.json @public',
    'GET /open311/v2/services.xml @public',
    'GET /open311/v2/services/{service_code}.json @public',
    'GET /open311/v2/services/{service_code}.xml @public',
    'POST /open311/v2/requests.json demand.file api_key',
    'POST /open311/v2/requests.xml demand.file api_key',
  ]);
});

// ---------------------------------------------------------------------------------------
// Services

test('GET services.json: one service per demand topic, the standard fields and types, no api_key needed', async () => {
  await h.ready();
  const r = await h.anon().get(`${B}/services.json`);
  const list = expectJson(r, 200);
  assert.deepEqual(list.map((s) => s.service_code), TOPICS);
  const machine = (await (await h.as('admin', { lang: 'zh' })).get('/api/v1/demands/machine')).body;
  for (const s of list) {
    assert.deepEqual(Object.keys(s), SERVICE_KEYS);
    for (const k of ['service_code', 'service_name', 'description', 'keywords', 'group']) assert.equal(typeof s[k], 'string', k);
    assert.equal(s.metadata, true);
    assert.ok(['realtime', 'batch', 'blackbox'].includes(s.type));
    assert.equal(s.type, 'realtime');
    assert.equal(s.group, '企业诉求');
    assert.equal(s.service_name, machine.topics.find((t) => t.code === s.service_code).name, 'the topic name (zh by default)');
    assert.ok(s.keywords.split(',').length >= 2, 'a comma separated list');
  }
});

test('services in the request language: ?locale= over Accept-Language, zh by default', async () => {
  await h.ready();
  const en = expectJson(await h.anon().get(`${B}/services.json?locale=en`), 200);
  assert.equal(en.find((s) => s.service_code === 'tax').service_name, 'Tax and fees');
  assert.equal(en[0].group, 'Enterprise demands');
  const ru = expectJson(await h.anon({ lang: 'ru' }).get(`${B}/services.json`), 200);
  assert.equal(ru.find((s) => s.service_code === 'tax').service_name, 'Налоги и сборы');
  const over = expectJson(await h.anon({ lang: 'ru' }).get(`${B}/services.json?locale=en-US`), 200);
  assert.equal(over[0].group, 'Enterprise demands', 'locale wins over Accept-Language');
  const zh = expectJson(await h.anon().get(`${B}/services.json`), 200);
  assert.equal(zh.find((s) => s.service_code === 'tax').service_name, '税费');
});

test('GET services.xml: <services><service>… carrying exactly the JSON', async () => {
  await h.ready();
  const json = expectJson(await h.anon().get(`${B}/services.json?locale=ru`), 200);
  const r = await h.anon().get(`${B}/services.xml?locale=ru`);
  const x = expectXml(r, 200, 'services');
  sameAsJson(x, json);
  assert.equal(x.children[0].children[3].name, 'metadata');
  assert.equal(x.children[0].children[3].text, 'true');
});

test('GET services/{code}.json: the definition with its attributes, in the standard form', async () => {
  await h.ready();
  const d = expectJson(await h.anon().get(`${B}/services/customs.json?locale=en`), 200);
  assert.deepEqual(Object.keys(d), ['service_code', 'attributes']);
  assert.equal(d.service_code, 'customs');
  assert.deepEqual(d.attributes.map((a) => a.code), ['credit_code', 'title', 'priority', 'lang']);
  const orders = new Set();
  for (const a of d.attributes) {
    const lists = ['singlevaluelist', 'multivaluelist'].includes(a.datatype);
    assert.deepEqual(Object.keys(a), lists ? [...ATTRIBUTE_KEYS, 'values'] : ATTRIBUTE_KEYS, a.code);
    assert.equal(a.variable, true);
    assert.ok(DATATYPES.includes(a.datatype));
    assert.equal(typeof a.required, 'boolean');
    assert.ok(a.datatype_description === null || typeof a.datatype_description === 'string');
    assert.ok(Number.isInteger(a.order) && a.order > 0 && !orders.has(a.order));
    orders.add(a.order);
    assert.equal(typeof a.description, 'string');
    if (lists) {
      assert.ok(a.values.length > 0);
      for (const val of a.values) {
        assert.deepEqual(Object.keys(val), ['key', 'name']);
        assert.equal(typeof val.key, 'string');
        assert.equal(typeof val.name, 'string');
      }
    }
  }
  const by = Object.fromEntries(d.attributes.map((a) => [a.code, a]));
  assert.equal(by.credit_code.datatype, 'string');
  assert.equal(by.credit_code.required, true);
  assert.equal(by.title.required, false);
  assert.equal(by.priority.datatype, 'singlevaluelist');
  assert.deepEqual(by.priority.values, [
    { key: 'urgent', name: 'Urgent' },
    { key: 'high', name: 'High' },
    { key: 'normal', name: 'Normal' },
  ]);
  assert.deepEqual(by.lang.values.map((x) => x.key), ['zh', 'ru', 'en']);
});

test('GET services/{code}.xml: <service_definition> carrying exactly the JSON', async () => {
  await h.ready();
  for (const topic of ['policy', 'other']) {
    const json = expectJson(await h.anon().get(`${B}/services/${topic}.json`), 200);
    const x = expectXml(await h.anon().get(`${B}/services/${topic}.xml`), 200, 'service_definition');
    sameAsJson(x, json);
    const attr = x.children[1].children[2];
    assert.equal(attr.name, 'attribute');
    assert.deepEqual(attr.children.map((c) => c.name), [...ATTRIBUTE_KEYS, 'values']);
    assert.equal(attr.children[6 + 1].children[0].name, 'value');
  }
});

test('an unknown service code is 404 with the standard error body (JSON and XML)', async () => {
  await h.ready();
  expectO311Error(await h.anon().get(`${B}/services/nope.json`), 404, { match: /nope/ });
  expectO311Error(await h.anon().get(`${B}/services/nope.xml`), 404, { fmt: 'xml', match: /nope/ });
  // the suffix is the format; no other formats, no bare codes
  assert.equal((await h.anon().get(`${B}/services/customs.csv`)).status, 404);
  assert.equal((await h.anon().get(`${B}/services/customs`)).status, 404);
  assert.equal((await h.anon().get(`${B}/services/.json`)).status, 404);
  assert.equal((await h.anon().get(`${B}/services.yaml`)).status, 404);
});

// ---------------------------------------------------------------------------------------
// Authentication of the requests routes

test('requests need an api_key: missing, unknown, revoked, expired → 403 (JSON and XML); a cookie session is not one', async () => {
  await h.ready();
  expectO311Error(await h.anon().get(`${B}/requests.json`), 403, { match: /api_key/ });
  expectO311Error(await h.anon().get(`${B}/requests.xml`), 403, { fmt: 'xml', match: /api_key/ });
  expectO311Error(await h.anon().get(`${B}/requests/1.json`), 403);
  expectO311Error(await h.anon().get(withKey(`${B}/requests.json`, 'ftz_nope')), 403);
  expectO311Error(await h.anon().get(withKey(`${B}/requests.json`, keys['firmA-revoked'])), 403);
  expectO311Error(await h.anon().get(withKey(`${B}/requests.json`, keys['firmA-expired'])), 403);
  const firm = await h.as('firm');
  expectO311Error(await firm.get(`${B}/requests.json`), 403, { match: /api_key/ });
  const posted = await firm.request('POST', `${B}/requests.json`, {
    body: form({ service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own }),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  expectO311Error(posted, 403, { match: /api_key/ });
});

test('a key without the route permission is refused, naming it', async () => {
  await h.ready();
  expectO311Error(await h.anon().get(withKey(`${B}/requests.json`, keys['staff-firms'])), 403, { match: /demand\.read/ });
  const r = await post('json', { api_key: keys['firmA-read'], service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own });
  expectO311Error(r, 403, { match: /demand\.file/ });
});

test('the key may come as Authorization: Bearer too', async () => {
  await h.ready();
  const r = await h.bearer(keys.firmA).get(`${B}/requests.json`);
  assert.ok(Array.isArray(expectJson(r, 200)));
});

// ---------------------------------------------------------------------------------------
// POST requests

test('POST requests.json files a demand (online, source open311) that /api/v1/demands shows', async () => {
  await h.ready();
  const before = await openCount();
  const description = `出口退税迟迟未到账 ${uniq(6)}\n请协调税务部门`;
  const r = await post('json', {
    api_key: keys.firmA,
    jurisdiction_id: 'ftz.example.cn',
    service_code: 'tax',
    description,
    'attribute[credit_code]': code.own.toLowerCase(),
    'attribute[priority]': 'high',
    'attribute[lang]': 'ru',
    first_name: '伟',
    last_name: '王',
    phone: '13800000000',
    email: 'wang@example.cn',
    account_id: 'acct-7',
    device_id: 'dev-1',
    media_url: 'https://example.cn/photo.jpg',
    lat: '50.25',
    long: '127.53',
  });
  const b = expectJson(r, 200);
  assert.equal(b.length, 1);
  assert.deepEqual(Object.keys(b[0]), POST_KEYS);
  assert.match(b[0].service_request_id, /^\d+$/);
  assert.match(b[0].service_notice, /^SQ-\d{4}-\d{6}$/);
  assert.equal(b[0].account_id, 'acct-7');
  assert.equal(await openCount(), before + 1);

  const admin = await h.as('admin');
  const d = (await admin.get(`/api/v1/demands/${b[0].service_request_id}`)).body;
  assert.equal(d.code, b[0].service_notice);
  assert.equal(d.source_kind, 'open311');
  assert.equal(d.channel, 'online');
  assert.equal(d.topic, 'tax');
  assert.equal(d.priority, 'high');
  assert.equal(d.lang, 'ru');
  assert.equal(d.firm_id, v.ownFirm);
  assert.equal(d.state, 'accepted');
  assert.equal(d.body, description);
  assert.equal(d.title, description.split('\n')[0], 'the title: the description\'s first line');
  assert.equal(d.contact_name, '王伟', 'a Chinese name: family name first');
  assert.equal(d.contact_phone, '13800000000');
  assert.equal(d.filed_by, v.u_firm, 'filed by the api_key\'s user');
  assert.equal(d.data.open311.email, 'wang@example.cn');
  assert.equal(d.data.open311.media_url, 'https://example.cn/photo.jpg');
  const listed = (await admin.get('/api/v1/demands?source_kind=open311&per_page=200')).body.items;
  assert.ok(listed.some((x) => x.id === d.id));

  // read back through Open311
  const back = expectJson(await h.anon().get(withKey(`${B}/requests/${d.id}.json`, keys.firmA)), 200);
  assert.equal(back.length, 1);
  checkRequest(back[0]);
  assert.equal(back[0].service_request_id, String(d.id));
  assert.equal(back[0].status, 'open');
  assert.equal(back[0].service_code, 'tax');
  assert.equal(back[0].service_name, '税费');
  assert.equal(back[0].description, description);
  assert.equal(back[0].service_notice, d.code);
  assert.equal(back[0].media_url, 'https://example.cn/photo.jpg');
  assert.equal(back[0].address, null);
  assert.match(back[0].requested_datetime, /\+08:00$/);
  assert.equal(Date.parse(back[0].requested_datetime), Date.parse(d.accepted_at.replace(/\.\d+Z$/, 'Z')));
  assert.equal(back[0].expected_datetime, null, 'no deadline before assessment');
});

test('POST requests.xml answers <service_requests><request>…; a Latin name keeps its order; a title attribute wins', async () => {
  await h.ready();
  const title = `Demande ${uniq(5)}`;
  const r = await post('xml', {
    api_key: keys.firmA,
    service_code: 'labour',
    description: 'We need 20 welders by June.',
    'attribute[credit_code]': code.own,
    'attribute[title]': title,
    first_name: 'Ivan',
    last_name: 'Petrov',
    address_string: 'Warehouse 3, Heihe',
  });
  const x = expectXml(r, 200, 'service_requests');
  assert.equal(x.children.length, 1);
  const req = x.children[0];
  assert.equal(req.name, 'request');
  assert.deepEqual(req.children.map((c) => c.name), POST_KEYS);
  const id = req.children[0].text;
  assert.match(id, /^\d+$/);
  assert.match(req.children[1].text, /^SQ-/);
  assert.equal(req.children[2].text, '');
  const d = (await (await h.as('admin')).get(`/api/v1/demands/${id}`)).body;
  assert.equal(d.title, title);
  assert.equal(d.contact_name, 'Ivan Petrov');
  const back = expectJson(await h.anon().get(withKey(`${B}/requests/${id}.json`, keys.firmA)), 200);
  assert.equal(back[0].address, 'Warehouse 3, Heihe', 'address_string is shown back as address');
});

test('POST with a revoked, expired, unknown or missing key is refused 403 and files nothing', async () => {
  await h.ready();
  const before = await openCount();
  const body = { service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own };
  expectO311Error(await post('json', { ...body, api_key: keys['firmA-revoked'] }), 403, { match: /api_key/ });
  expectO311Error(await post('xml', { ...body, api_key: keys['firmA-revoked'] }), 403, { fmt: 'xml' });
  expectO311Error(await post('json', { ...body, api_key: keys['firmA-expired'] }), 403);
  expectO311Error(await post('json', { ...body, api_key: 'ftz_not-a-key' }), 403);
  expectO311Error(await post('json', body), 403);
  expectO311Error(await post('json', body, { headers: { authorization: `Bearer ${keys['firmA-revoked']}` } }), 403);
  assert.equal(await openCount(), before);
});

test('POST errors: 400 naming each broken parameter, 404 for an unknown service; nothing filed', async () => {
  await h.ready();
  const before = await openCount();
  const k = keys.firmA;
  const cases = [
    [{ api_key: k, description: 'x', 'attribute[credit_code]': code.own }, 400, /service_code/],
    [{ api_key: k, service_code: 'nope', description: 'x', 'attribute[credit_code]': code.own }, 404, /nope/],
    [{ api_key: k, service_code: 'tax', 'attribute[credit_code]': code.own }, 400, /^description/],
    [{ api_key: k, service_code: 'tax', description: 'x' }, 400, /^attribute\[credit_code\]/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': '91231100MA1B2C3D8X' }, 400, /attribute\[credit_code\].*GB 32100/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.other }, 400, /^attribute\[credit_code\]/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own, 'attribute[priority]': 'asap' }, 400, /attribute\[priority\].*urgent/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own, 'attribute[lang]': 'de' }, 400, /attribute\[lang\]/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own, 'attribute[title]': 't'.repeat(201) }, 400, /attribute\[title\].*200/],
    [{ api_key: k, service_code: 'tax', description: 'd'.repeat(4001), 'attribute[credit_code]': code.own }, 400, /description.*4000/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own, phone: '1'.repeat(33) }, 400, /phone/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own, 'attribute[color]': 'red' }, 400, /attribute\[color\]/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own, 'attribute[lang][]': 'ru' }, 400, /attribute\[lang\]\[\]/],
    [{ api_key: k, service_code: ['tax', 'land'], description: 'x', 'attribute[credit_code]': code.own }, 400, /service_code/],
    [{ api_key: k, service_code: 'tax', description: 'x', 'attribute[credit_code]': [code.own, code.other] }, 400, /attribute\[credit_code\]/],
  ];
  for (const [params, status, match] of cases) {
    const r = await post('json', params);
    expectO311Error(r, status, { match });
  }
  // several at once, each its own error
  const many = expectO311Error(await post('json', { api_key: k, service_code: 'tax', 'attribute[priority]': 'x', 'attribute[lang]': 'x' }), 400);
  assert.equal(many.length, 4, many.join(' | '));
  // in XML too
  expectO311Error(await post('xml', { api_key: k, service_code: 'tax' }), 400, { fmt: 'xml', match: /description/ });
  // bodies that are not a clean form
  expectO311Error(await post('json', {}, { raw: JSON.stringify({ api_key: k }), type: 'application/json' }), 400, { match: /x-www-form-urlencoded/ });
  expectO311Error(await post('json', {}, { raw: `api_key=${k}&service_code=tax`, type: 'multipart/form-data; boundary=x' }), 400);
  expectO311Error(await post('json', {}, { raw: `api_key=${k}&service_code=tax`, type: 'application/x-www-form-urlencoded; charset=latin1' }), 400);
  expectO311Error(await post('json', {}, { raw: `api_key=${k}&description=100%` }), 400, { match: /percent/ });
  expectO311Error(await post('json', {}, { raw: `api_key=${k}&description=%FF%FE` }), 400, { match: /utf8/ });
  expectO311Error(await post('json', {}, { raw: `api_key=${k}&description=a%00b` }), 400);
  assert.equal(await openCount(), before);
});

test('a firm key files only for its own firm; staff keys file for any registered firm', async () => {
  await h.ready();
  // firm B's key for firm A's code: as unknown as a code nobody holds
  expectO311Error(await post('json', { api_key: keys.firmB, service_code: 'tax', description: 'x', 'attribute[credit_code]': code.own }), 400, {
    match: /credit_code/,
  });
  const r = await post('json', { api_key: keys.admin, service_code: 'finance', description: '贷款审批太慢', 'attribute[credit_code]': code.other });
  const b = expectJson(r, 200);
  const d = (await (await h.as('admin')).get(`/api/v1/demands/${b[0].service_request_id}`)).body;
  assert.equal(d.firm_id, v.otherFirm);
  assert.equal(d.filed_by, v.u_admin);
});

// ---------------------------------------------------------------------------------------
// GET requests

test('GET requests.json: the standard fields and types; requests.xml carries the same', async () => {
  await h.ready();
  await fileAs('firmA');
  const json = expectJson(await h.anon().get(withKey(`${B}/requests.json`, keys.firmA)), 200);
  assert.ok(json.length >= 1);
  json.forEach((o, k) => checkRequest(o, `item ${k}`));
  const x = expectXml(await h.anon().get(withKey(`${B}/requests.xml`, keys.firmA)), 200, 'service_requests');
  sameAsJson(x, json);
  // newest first
  const ids = json.map((o) => Number(o.service_request_id));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
});

test('scope: firm A\'s key never sees firm B\'s requests, in lists, by id or in id lists', async () => {
  await h.ready();
  const a = await fileAs('firmA');
  const b = await fileAs('firmB');
  const listA = expectJson(await h.anon().get(withKey(`${B}/requests.json`, keys.firmA)), 200).map((o) => o.service_request_id);
  const listB = expectJson(await h.anon().get(withKey(`${B}/requests.json`, keys.firmB)), 200).map((o) => o.service_request_id);
  assert.ok(listA.includes(a.service_request_id));
  assert.ok(!listA.includes(b.service_request_id));
  assert.ok(listB.includes(b.service_request_id));
  assert.ok(!listB.includes(a.service_request_id));
  expectO311Error(await h.anon().get(withKey(`${B}/requests/${b.service_request_id}.json`, keys.firmA)), 404);
  expectO311Error(await h.anon().get(withKey(`${B}/requests/${b.service_request_id}.xml`, keys.firmA)), 404, { fmt: 'xml' });
  expectO311Error(await h.anon().get(withKey(`${B}/requests/987654321.json`, keys.firmA)), 404);
  expectO311Error(await h.anon().get(withKey(`${B}/requests/abc.json`, keys.firmA)), 404);
  const both = expectJson(
    await h.anon().get(withKey(`${B}/requests.json?service_request_id=${b.service_request_id},${a.service_request_id},${a.service_request_id}`, keys.firmA)),
    200,
  );
  assert.deepEqual(both.map((o) => o.service_request_id), [a.service_request_id], 'out of scope left out; duplicates once');
  // an all-seeing key sees both
  const all = expectJson(await h.anon().get(withKey(`${B}/requests.json?service_request_id=${a.service_request_id},${b.service_request_id}`, keys.admin)), 200);
  assert.deepEqual(all.map((o) => o.service_request_id), [a.service_request_id, b.service_request_id]);
});

test('GET requests filters: service_code (lists too), status, start_date/end_date; bad values 400, unknown codes 404', async () => {
  await h.ready();
  const land = await fileAs('firmA', { service_code: 'land' });
  const get1 = async (q) => expectJson(await h.anon().get(withKey(`${B}/requests.json?${q}`, keys.firmA)), 200).map((o) => o.service_request_id);
  assert.ok((await get1('service_code=land')).includes(land.service_request_id));
  assert.ok(!(await get1('service_code=tax')).includes(land.service_request_id));
  assert.ok((await get1('service_code=tax,%20land')).includes(land.service_request_id));
  for (const o of expectJson(await h.anon().get(withKey(`${B}/requests.json?service_code=land`, keys.firmA)), 200)) assert.equal(o.service_code, 'land');
  assert.ok((await get1('status=open')).includes(land.service_request_id));
  assert.ok(!(await get1('status=closed')).includes(land.service_request_id));
  assert.ok((await get1('status=open,closed')).includes(land.service_request_id));
  // the window
  const now = new Date();
  const day = (n) => new Date(now.getTime() + n * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
  assert.ok((await get1(`start_date=${day(-1)}T00:00:00%2B08:00&end_date=${day(1)}T00:00:00Z`)).includes(land.service_request_id));
  assert.ok((await get1(`start_date=${day(-1)}T00:00:00+08:00`)).includes(land.service_request_id), 'an unencoded + is read as +');
  assert.ok((await get1(`start_date=${day(-2)}&end_date=${day(0)}`)).includes(land.service_request_id), 'plain dates: whole Beijing days');
  assert.ok((await get1(`start_date=${day(-1)}T00:00Z`)).includes(land.service_request_id), 'seconds may be left out');
  assert.deepEqual(await get1(`start_date=${day(2)}T00:00:00Z`), [], 'a window in the future');
  assert.deepEqual(await get1(`end_date=${day(-2)}T00:00:00Z`), [], 'a window before it');
  const bad = [
    ['start_date=yesterday', 400, /start_date/],
    ['end_date=2024-13-01T00:00:00Z', 400, /end_date/],
    [`start_date=${day(1)}&end_date=${day(-1)}`, 400, /start_date/],
    [`start_date=${day(-100)}&end_date=${day(0)}`, 400, /90/],
    ['status=pending', 400, /status/],
    ['service_code=nope', 404, /nope/],
    ['service_code=tax,nope', 404, /nope/],
    ['service_request_id=1,abc', 400, /service_request_id/],
    [`service_request_id=${Array.from({ length: 101 }, (_, k) => k + 1).join(',')}`, 400, /100/],
  ];
  for (const [q, status, match] of bad) expectO311Error(await h.anon().get(withKey(`${B}/requests.json?${q}`, keys.firmA)), status, { match });
  expectO311Error(await h.anon().get(withKey(`${B}/requests.xml?status=pending`, keys.firmA)), 400, { fmt: 'xml' });
});

test('the lifecycle shows: agency_responsible, expected_datetime, status_notes = the reply, closed after evaluation', async () => {
  await h.ready();
  const f = await fileAs('firmA', { service_code: 'utilities', description: '园区停电频繁' });
  const id = f.service_request_id;
  const dispatcher = await h.as('dispatcher');
  const staff = await h.as('staff');
  let d = (await dispatcher.get(`/api/v1/demands/${id}`)).body;
  const fire = async (c, event, members = {}) => {
    const r = await c.post(`/api/v1/demands/${id}/events`, { event, version: d.version, ...members });
    expectStatus(r, 200);
    d = r.body;
  };
  // (assess sets the topic anew: omitted, the filed one would be cleared — so it is given)
  await fire(dispatcher, 'assess', { category: 'help', priority: 'normal', topic: 'utilities', lead_dept_id: v.d_INVEST });
  await fire(dispatcher, 'dispatch');
  let o = expectJson(await h.anon().get(withKey(`${B}/requests/${id}.json?locale=en`, keys.firmA)), 200)[0];
  checkRequest(o);
  assert.equal(o.status, 'open');
  assert.equal(o.agency_responsible, (await (await h.as('admin', { lang: 'en' })).get(`/api/v1/demands/${id}`)).body.lead_dept_name);
  assert.equal(o.expected_datetime, `${d.deadline_on}T23:59:59+08:00`, 'the deadline: the end of its Beijing day');
  assert.equal(o.status_notes, 'Dispatched', 'the state in the request language before a reply');
  assert.equal(o.service_name, 'Utilities');
  await fire(staff, 'receive');
  await fire(staff, 'reply', { reply: '已协调供电公司检修线路 <A&B>' });
  o = expectJson(await h.anon().get(withKey(`${B}/requests/${id}.json`, keys.firmA)), 200)[0];
  assert.equal(o.status, 'open', 'replied, not yet evaluated');
  assert.equal(o.status_notes, '已协调供电公司检修线路 <A&B>');
  const x = expectXml(await h.anon().get(withKey(`${B}/requests/${id}.xml`, keys.firmA)), 200, 'service_requests');
  sameAsJson(x, [o]);
  assert.match(x.children[0].children[2].text, /<A&B>$/, 'escaped by the writer, read back intact');
  const firm = await h.as('firm');
  d = (await firm.get(`/api/v1/demands/${id}`)).body;
  await fire(firm, 'evaluate', { solved: true, satisfaction: 5 });
  o = expectJson(await h.anon().get(withKey(`${B}/requests/${id}.json`, keys.firmA)), 200)[0];
  assert.equal(o.status, 'closed');
  assert.equal(o.status_notes, '已协调供电公司检修线路 <A&B>');
  assert.ok(Date.parse(o.updated_datetime) >= Date.parse(o.requested_datetime));
  const closed = expectJson(await h.anon().get(withKey(`${B}/requests.json?status=closed`, keys.firmA)), 200).map((r) => r.service_request_id);
  assert.ok(closed.includes(id));
});

test('a demand filed elsewhere without a topic shows as service "other"', async () => {
  await h.ready();
  const firm = await h.as('firm');
  const r = await firm.post('/api/v1/demands', { title: `无主题 ${uniq(4)}`, body: '说明' });
  expectStatus(r, 201);
  const o = expectJson(await h.anon().get(withKey(`${B}/requests/${r.body.id}.json`, keys.firmA)), 200)[0];
  checkRequest(o);
  assert.equal(o.service_code, 'other');
  const others = expectJson(await h.anon().get(withKey(`${B}/requests.json?service_code=other`, keys.firmA)), 200).map((x) => x.service_request_id);
  assert.ok(others.includes(String(r.body.id)));
});
