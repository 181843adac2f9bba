// export.test.mjs — the export helper (src/lib/export.js) against a fake server: a small list
// answers 200 with the file; a large one answers 202 + Location of a job, which is polled
// until done and whose result.file_id is then downloaded; a failed job and a refused export
// reject with the server's words. Also the browser-side XLSX writer of the small lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportXlsx, fileNameOf, XLSX_TYPE } from '../src/lib/export.js';
import { setApiLang, setCsrf } from '../src/lib/api.js';
import { crc32, xlsxBytes } from '../src/lib/xlsx.js';

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** Installs a fake fetch answering from `routes` ({'GET /api/v1/…': fn(req) → Response}). */
function fakeServer(routes) {
  const seen = [];
  globalThis.fetch = async (url, init = {}) => {
    const method = init.method || 'GET';
    const u = new URL(url, 'http://ftz.test');
    seen.push({ method, path: u.pathname, query: u.search, headers: init.headers || {} });
    const h = routes[`${method} ${u.pathname}`];
    if (!h) return json(404, { status: 404, code: 'no_route', detail: 'no route' });
    return h({ url: u, init });
  };
  return seen;
}

const file = (name, bytes = 'PK\u0003\u0004fake') =>
  new Response(bytes, {
    status: 200,
    headers: { 'Content-Type': XLSX_TYPE, 'Content-Disposition': `attachment; filename="download"; filename*=UTF-8''${name}` },
  });

test('file names come from Content-Disposition (filename* first)', () => {
  assert.equal(fileNameOf(`attachment; filename="download"; filename*=UTF-8''audit-20261130.xlsx`), 'audit-20261130.xlsx');
  assert.equal(fileNameOf(`attachment; filename*=UTF-8''%E7%94%A8%E6%88%B7.xlsx`), '用户.xlsx');
  assert.equal(fileNameOf('attachment; filename="users-20261130.xlsx"'), 'users-20261130.xlsx');
  assert.equal(fileNameOf('attachment; filename="download"'), null);
  assert.equal(fileNameOf(null), null);
});

test('200: the file is saved at once, with the list query and the UI language', async () => {
  setApiLang('ru');
  setCsrf('csrf-1');
  const seen = fakeServer({ 'GET /api/v1/users.xlsx': () => file('users-20261130.xlsx') });
  const saved = [];
  const progress = [];
  const r = await exportXlsx('/users', { q: 'li', role: 'staff', sort: '-created_at', empty: '' }, {
    save: (blob, name) => saved.push({ blob, name }),
    onProgress: (p) => progress.push(p),
  });
  assert.equal(r.name, 'users-20261130.xlsx');
  assert.equal(r.job, null);
  assert.equal(saved.length, 1);
  assert.equal(saved[0].name, 'users-20261130.xlsx');
  assert.equal(await saved[0].blob.text(), 'PK\u0003\u0004fake');
  assert.equal(seen[0].query, '?q=li&role=staff&sort=-created_at');
  assert.equal(seen[0].headers['Accept-Language'], 'ru');
  assert.equal(seen[0].headers['X-CSRF-Token'], undefined, 'a GET carries no CSRF token');
  assert.deepEqual(progress.at(-1), { state: 'done', percent: 100 });
  setApiLang('zh');
});

test('202: the job is followed to the end, then its file is downloaded', async () => {
  const states = [
    { id: 7, state: 'running', percent: 40 },
    { id: 7, state: 'running', percent: 80 },
    { id: 7, state: 'done', percent: 100, result: { file_id: 9, rows: 250000 } },
  ];
  const seen = fakeServer({
    'GET /api/v1/audit.xlsx': () => json(202, { job: { id: 7, kind: 'export', state: 'queued', percent: 0 } }, { Location: '/api/v1/jobs/7' }),
    'GET /api/v1/jobs/7': () => json(200, states.shift()),
    'GET /api/v1/files/9/content': () => file('audit-20261130.xlsx', 'PKbig'),
  });
  const saved = [];
  const progress = [];
  const r = await exportXlsx('/audit', { action: 'user.*' }, {
    pollMs: 1,
    save: (blob, name) => saved.push({ blob, name }),
    onProgress: (p) => progress.push(`${p.state}:${p.percent}`),
  });
  assert.deepEqual(progress, ['queued:0', 'running:40', 'running:80', 'done:100']);
  assert.equal(r.name, 'audit-20261130.xlsx');
  assert.equal(r.job.result.file_id, 9);
  assert.equal(await saved[0].blob.text(), 'PKbig');
  assert.deepEqual(
    seen.map((s) => s.path),
    ['/api/v1/audit.xlsx', '/api/v1/jobs/7', '/api/v1/jobs/7', '/api/v1/jobs/7', '/api/v1/files/9/content'],
  );
});

test('202 with a bare job body and no Location: the job id is enough', async () => {
  fakeServer({
    'GET /api/v1/firms.xlsx': () => json(202, { id: 3, state: 'running', percent: 10 }),
    'GET /api/v1/jobs/3': () => json(200, { job: { id: 3, state: 'done', percent: 100, result: { file_id: 4 } } }),
    'GET /api/v1/files/4/content': () => file('firms-20261130.xlsx'),
  });
  const saved = [];
  await exportXlsx('/firms', {}, { pollMs: 1, save: (b, n) => saved.push(n) });
  assert.deepEqual(saved, ['firms-20261130.xlsx']);
});

test('a failed job rejects with its error, and nothing is saved', async () => {
  fakeServer({
    'GET /api/v1/audit.xlsx': () => json(202, { job: { id: 8, state: 'queued', percent: 0 } }, { Location: '/api/v1/jobs/8' }),
    'GET /api/v1/jobs/8': () => json(200, { id: 8, state: 'failed', percent: 30, error: 'disk full' }),
  });
  const saved = [];
  await assert.rejects(exportXlsx('/audit', {}, { pollMs: 1, save: () => saved.push(1) }), (e) => {
    assert.equal(e.name, 'ApiError');
    assert.equal(e.message, 'disk full');
    return true;
  });
  assert.equal(saved.length, 0);
});

test('stopping the wait ends the polling', async () => {
  let polls = 0;
  fakeServer({
    'GET /api/v1/audit.xlsx': () => json(202, { job: { id: 5, state: 'queued', percent: 0 } }, { Location: '/api/v1/jobs/5' }),
    'GET /api/v1/jobs/5': () => {
      polls++;
      return json(200, { id: 5, state: 'running', percent: 1 });
    },
  });
  const signal = { aborted: false };
  const p = exportXlsx('/audit', {}, { pollMs: 5, signal, save: () => {} });
  setTimeout(() => {
    signal.aborted = true;
  }, 30);
  await assert.rejects(p, (e) => e.code === 'cancelled');
  const n = polls;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(polls, n, 'no polling after the stop');
});

test('a refused export rejects with the problem and its field errors', async () => {
  fakeServer({
    'GET /api/v1/audit.xlsx': () =>
      new Response(
        JSON.stringify({
          type: 'about:blank',
          title: 'Unprocessable content',
          status: 422,
          code: 'invalid_fields',
          detail: 'Some fields break a rule',
          errors: [{ field: 'from', code: 'format', message: 'Wrong format' }],
        }),
        { status: 422, headers: { 'Content-Type': 'application/problem+json' } },
      ),
  });
  await assert.rejects(exportXlsx('/audit', { from: 'yesterday' }, { save: () => {} }), (e) => {
    assert.equal(e.status, 422);
    assert.equal(e.message, 'Some fields break a rule');
    assert.deepEqual(e.fields, { from: 'Wrong format' });
    return true;
  });
});

test('the browser-side XLSX writer makes a valid stored ZIP with the rows', () => {
  assert.equal(crc32(new TextEncoder().encode('hello')), 0x3610a686);
  const bytes = xlsxBytes('roles', [{ key: 'name', title: '角色' }, { key: 'users', title: 'n' }, { key: 'x', title: 'x', value: (r) => `<${r.name}&>` }], [
    { name: 'staff', users: 3 },
    { name: 'firm', users: 0 },
  ]);
  const buf = Buffer.from(bytes);
  assert.equal(buf.readUInt32LE(0), 0x04034b50, 'starts with a local file header');
  const eocd = buf.length - 22;
  assert.equal(buf.readUInt32LE(eocd), 0x06054b50, 'ends with the end of central directory');
  assert.equal(buf.readUInt16LE(eocd + 10), 6, 'six parts');
  const text = buf.toString('utf8');
  assert.ok(text.includes('[Content_Types].xml') && text.includes('xl/worksheets/sheet1.xml'));
  assert.ok(text.includes('<t xml:space="preserve">角色</t>'));
  assert.ok(text.includes('<c r="B2"><v>3</v></c>'), 'numbers stay numbers');
  assert.ok(text.includes('&lt;staff&amp;&gt;'), 'text is escaped');
  // Each entry's CRC matches its bytes.
  let off = buf.readUInt32LE(eocd + 16);
  for (let k = 0; k < 6; k++) {
    const crc = buf.readUInt32LE(off + 16);
    const size = buf.readUInt32LE(off + 20);
    const nameLen = buf.readUInt16LE(off + 28);
    const local = buf.readUInt32LE(off + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26);
    assert.equal(crc32(buf.subarray(start, start + size)), crc);
    off += 46 + nameLen;
  }
});
