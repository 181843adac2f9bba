// routes.test.mjs — the route table as a whole (`ftz routes --json`): EVERY route refuses a
// request without credentials (401) unless it is public, and EVERY route that names a
// permission refuses a signed-in user who lacks it (403, naming the permission) — before
// looking at the body or the record. Routes for any signed-in user and public routes let
// them through. Adapter routes that authenticate by their standard's api_key (`api_key:
// true`: Open311) refuse the same callers — no key, a cookie, a key without the permission —
// with their standard's 403. The area files test each route's behaviour; this one guarantees
// no route was left open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, useServer, demoVars, routeTable, expectProblem } from './lib.mjs';

const h = useServer('routes');
const NOBODY = 'nobody-at-all';
h.setup(async () => {
  const v = demoVars(h);
  const admin = await h.login('admin');
  const role = await admin.post('/api/v1/roles', {
    name: 'no_rights',
    title_zh: '无权限',
    title_ru: 'Без прав',
    title_en: 'No rights',
    permissions: [],
  });
  assert.equal(role.status, 201, role.text);
  const u = await admin.post('/api/v1/users', {
    username: NOBODY,
    password: DEMO_PASSWORD,
    display_name: '无权限用户',
    roles: ['no_rights'],
    department_id: v.d_ECON,
  });
  assert.equal(u.status, 201, u.text);
});

let routes = [];
let tableError = null;
try {
  routes = routeTable();
} catch (e) {
  tableError = e;
}

test('`ftz routes --json` lists the routes, each with a method, a path and a permission', () => {
  if (tableError) throw tableError;
  assert.ok(routes.length >= 40, `${routes.length} routes`);
  const seen = new Set();
  for (const r of routes) {
    assert.match(r.method, /^(GET|POST|PUT|PATCH|DELETE)$/, JSON.stringify(r));
    assert.match(r.path, /^\/[a-z0-9/_{}.-]*$/, JSON.stringify(r));
    assert.ok(r.permission === '@public' || r.permission === '@authenticated' || /^[a-z]+(\.[a-z]+)+$/.test(r.permission), JSON.stringify(r));
    const k = `${r.method} ${r.path}`;
    assert.ok(!seen.has(k), `declared twice: ${k}`);
    seen.add(k);
  }
  const publicOnes = routes.filter((r) => r.permission === '@public').map((r) => `${r.method} ${r.path}`).sort();
  assert.deepEqual(
    publicOnes,
    [
      'GET /healthz',
      'GET /metrics',
      'GET /open311/v2/services.json',
      'GET /open311/v2/services.xml',
      'GET /open311/v2/services/{service_code}.json',
      'GET /open311/v2/services/{service_code}.xml',
      'GET /readyz',
      'POST /api/v1/session',
    ],
    'only these are public (the Open311 service catalogue is public by the standard)',
  );
  // An adapter route that authenticates by its standard's api_key still names a permission.
  for (const r of routes.filter((x) => x.api_key)) assert.match(r.permission, /^[a-z]+(\.[a-z]+)+$/, JSON.stringify(r));
});

/** A concrete URL for a pattern: ids → 1, names → a real one. */
function concrete(path) {
  return path.replace(/\{([a-z_]+)\}/g, (_, k) => {
    if (k === 'name') return path.includes('/dicts/') ? 'countries' : 'auth.login_max_failures';
    return '1';
  });
}

function variants(r) {
  const base = concrete(r.path);
  const out = [base];
  if (r.export) out.push(`${base}.xlsx`, `${base}.csv`);
  return out;
}

async function call(client, method, url) {
  const write = !['GET', 'HEAD'].includes(method);
  return client.request(method, url, write ? { json: {} } : {});
}

for (const r of routes) {
  for (const url of variants(r)) {
    if (r.permission === '@public') {
      test(`public: anonymous ${r.method} ${url} is let through`, async () => {
        const res = await call(h.anon(), r.method, url);
        assert.ok(![401, 403].includes(res.status), `${res.status} ${res.text.slice(0, 300)}`);
      });
      continue;
    }
    if (r.api_key) {
      // An adapter (Open311): its standard's refusal, 403 with [{code, description}], for no
      // key, a signed-in cookie (not a key), and a key without the permission.
      const refused = (res) => {
        assert.equal(res.status, 403, `${res.status} ${res.text.slice(0, 300)}`);
        if (url.endsWith('.json')) {
          assert.ok(Array.isArray(res.body) && res.body[0].code === 403, res.text.slice(0, 300));
        } else {
          assert.match(res.text, /<errors><error><code>403<\/code>/);
        }
      };
      const callForm = (client, headers = {}) =>
        client.request(r.method, url, r.method === 'GET' ? { headers } : { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
      test(`403 without an api_key: ${r.method} ${url}`, async () => {
        refused(await callForm(h.anon()));
      });
      test(`a cookie session is no api_key (403): ${r.method} ${url}`, async () => {
        refused(await callForm(await h.as('admin')));
      });
      test(`an api_key without ${r.permission} is refused (403): ${r.method} ${url}`, async () => {
        const staff = await h.as('staff');
        const t = await staff.post('/api/v1/tokens', { name: `probe-${r.method}-${url}`.slice(0, 100), permissions: ['firm.read'] });
        assert.equal(t.status, 201, t.text);
        const res = await callForm(h.bearer(t.body.secret));
        refused(res);
        assert.ok(res.text.includes(r.permission), `the refusal names ${r.permission}: ${res.text.slice(0, 300)}`);
      });
      continue;
    }
    test(`401 without credentials: ${r.method} ${url}`, async () => {
      const res = await call(h.anon(), r.method, url);
      expectProblem(res, 401, { code: 'login_required' });
    });
    if (r.permission === '@authenticated') {
      test(`any signed-in user passes the gate: ${r.method} ${url}`, async () => {
        const c = await h.as(NOBODY, { fresh: true });
        const res = await call(c, r.method, url);
        assert.ok(![401, 403].includes(res.status), `${res.status} ${res.text.slice(0, 300)}`);
      });
    } else {
      test(`403 without ${r.permission}: ${r.method} ${url}`, async () => {
        const c = await h.as(NOBODY);
        const res = await call(c, r.method, url);
        const b = expectProblem(res, 403, { code: 'permission' });
        assert.ok(b.detail.includes(r.permission), `the problem names ${r.permission}: ${b.detail}`);
      });
      test(`a token without ${r.permission} is refused too (403): ${r.method} ${url}`, async () => {
        // the token of a user who holds nothing can carry nothing: use staff's, with one
        // permission that is not this route's
        const staff = await h.as('staff');
        const other = r.permission === 'firm.read' ? 'auth.dept.read' : 'firm.read';
        const t = await staff.post('/api/v1/tokens', { name: `probe-${r.method}-${url}`.slice(0, 100), permissions: [other] });
        assert.equal(t.status, 201, t.text);
        const res = await call(h.bearer(t.body.secret), r.method, url);
        expectProblem(res, 403, { code: 'permission' });
      });
    }
  }
}
