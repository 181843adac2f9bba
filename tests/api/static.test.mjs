// static.test.mjs — the web UI's files (DESIGN.md §2, issue 3): served from web_dir with the
// right types and cache headers, a pre-compressed copy for gzip clients, the SPA fallback for
// client routes, and nothing outside the directory.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import net from 'node:net';
import { freshDatabase, startServer, cleanupAll, SLOW } from './lib.mjs';

/** The raw bytes of one HTTP/1.1 exchange (paths fetch() would normalise; gzip on the wire). */
function rawRequest(port, data) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(port, '127.0.0.1', () => sock.end(data));
    sock.setTimeout(10000 * SLOW, () => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

let srv;
const js = `console.log(${JSON.stringify('黑河'.repeat(400))});\n`;
before(async () => {
  const web = mkdtempSync(path.join(tmpdir(), 'ftzweb-'));
  mkdirSync(path.join(web, 'assets'));
  writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>ftz</title><div id="app"></div>');
  writeFileSync(path.join(web, 'assets', 'app-abc123.js'), js);
  writeFileSync(path.join(web, 'assets', 'app-abc123.js.gz'), gzipSync(js));
  writeFileSync(path.join(web, 'assets', 'plain-1.css'), 'body{}');
  const db = freshDatabase('static', { demo: false });
  srv = await startServer(db, { env: { FTZ_WEB_DIR: web } });
}, { timeout: 60000 * SLOW });
after(cleanupAll, { timeout: 60000 * SLOW });

const get = (p, headers = {}) => fetch(srv.base + p, { headers });

test('hashed assets: immutable for a year; gzip copy when asked, plain otherwise', async () => {
  let r = await fetch(srv.base + '/assets/app-abc123.js', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  assert.match(r.headers.get('cache-control'), /max-age=31536000/);
  assert.match(r.headers.get('vary') || '', /Accept-Encoding/);
  // fetch decodes gzip itself: the text is the original either way
  assert.equal(await r.text(), js);
  r = await get('/assets/app-abc123.js', { 'accept-encoding': 'identity' });
  assert.equal(r.headers.get('content-encoding'), null);
  assert.equal(await r.text(), js);
  // on the wire: gzip bytes
  const raw = await rawRequest(srv.port, 'GET /assets/app-abc123.js HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n');
  const text = raw.toString('latin1');
  assert.match(text, /Content-Encoding: gzip/i);
  const body = raw.subarray(raw.indexOf('\r\n\r\n') + 4);
  assert.equal(gunzipSync(body).toString('utf8'), js);
  r = await get('/assets/plain-1.css', { 'accept-encoding': 'gzip' });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-encoding'), null);
  assert.match(r.headers.get('content-type'), /^text\/css/);
});

test('client routes fall back to index.html (never cached); missing files are 404', async () => {
  for (const p of ['/', '/users', '/audit/123', '/settings']) {
    const r = await get(p);
    assert.equal(r.status, 200, p);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    assert.match(await r.text(), /<div id="app">/);
    assert.match(r.headers.get('content-security-policy'), /default-src 'self'/);
  }
  assert.equal((await get('/assets/missing.js')).status, 404);
  assert.equal((await get('/favicon.png')).status, 404);
});

test('nothing outside the web directory', async () => {
  for (const p of ['/../../etc/passwd', '/assets/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd']) {
    const raw = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const t = raw.toString('utf8');
    assert.doesNotMatch(t, /root:x:0:0/, p);
    assert.match(t, /^HTTP\/1\.1 (400|404)/, `${p}: ${t.slice(0, 60)}`);
  }
});
