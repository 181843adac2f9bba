// lib.mjs — the harness of the API tests (DESIGN.md §8 "Tests as one figure").
//
// Every test file gets its own database and its own `ftz serve`, so files are independent
// and may run in any order. The database is a SQLite file in a temporary directory, or — with
// FTZ_TEST_DB=pg — a freshly created database on the throw-away PostgreSQL server that
// scripts/pg-test-server.sh started in FTZ_TEST_PG_DIR. Each database gets `ftz init` (the
// admin, password ADMIN_PASSWORD) and `ftz demo --minimal` (the demo users, password
// DEMO_PASSWORD, and the five named firms, without the history of Jan–Apr 2024); a file that
// wants the whole demo (about 400 firms, 1,000 demands) asks useServer(label, {fullDemo: true}).
//
//   const h = useServer('users');          // registers before/after hooks of the file
//   test('…', async () => {
//     const admin = await h.as('admin');   // a logged-in cookie client (cached per user)
//     const r = await admin.get('/api/v1/users');
//     assert.equal(r.status, 200);
//   });
//
// Environment: FTZ_BIN (the ftz binary; default build/ftz), FTZ_TEST_DB (sqlite | pg),
// FTZ_TEST_PG_DIR (the running test PostgreSQL), FTZ_TEST_ASAN=1 (a sanitizer build: every
// wait is stretched), FTZ_TEST_KEEP=1 (keep temporary directories and databases for a look).
// Plain Node 20: node:test, node:assert, global fetch, node:child_process — no npm packages.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.resolve(process.env.FTZ_BIN || path.join(ROOT, 'build/ftz'));
export const BACKEND = (() => {
  const v = process.env.FTZ_TEST_DB || 'sqlite';
  if (v !== 'sqlite' && v !== 'pg') throw new Error(`FTZ_TEST_DB must be sqlite or pg, not '${v}'`);
  return v;
})();
export const IS_PG = BACKEND === 'pg';
export const ASAN = process.env.FTZ_TEST_ASAN === '1';
/** Every timeout is multiplied by this: the sanitizer build is several times slower. */
export const SLOW = ASAN ? 5 : 1;
const KEEP = process.env.FTZ_TEST_KEEP === '1';

export const ADMIN_PASSWORD = 'ftz-admin-test-2026';
export const DEMO_PASSWORD = 'ftz-demo-2026';
/** The demo accounts (src/demo/demo.c) and their roles. */
export const DEMO_USERS = ['leader', 'staff', 'commissioner', 'customs', 'postal', 'station', 'firm', 'dispatcher'];

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A short random suffix for unique names (lower-case letters and digits). */
export function uniq(n = 6) {
  return randomBytes(8).toString('hex').slice(0, n);
}

/** Polls fn() until it returns a truthy value, or throws after timeoutMs (× SLOW). */
export async function waitFor(fn, { timeoutMs = 10000, everyMs = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs * SLOW;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------
// The command line

const SANITIZER_REPORT = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: UndefinedBehaviorSanitizer/;

/**
 * Runs `ftz ARGS…` and returns {code, stdout, stderr}. Never throws on a non-zero exit: the
 * caller checks the code it expects.
 */
export function ftz(args, { env = {}, input, cwd } = {}) {
  if (!existsSync(BIN)) throw new Error(`ftz binary not found: ${BIN} (set FTZ_BIN)`);
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    input,
    cwd: cwd || tmpdir(),
    env: { ...process.env, FTZ_SQLITE_SYNC: 'NORMAL', ...env },
    timeout: 120000 * SLOW,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  // A sanitizer build exits 1 on an error, which could pass for an expected failure.
  if (SANITIZER_REPORT.test(r.stderr || '')) throw new Error(`ftz ${args.join(' ')}: sanitizer report:\n${r.stderr.slice(0, 4000)}`);
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** `ftz audit verify --json --db URL` → {code, report}. Exit 0 when whole, 1 when broken. */
export function auditVerify(db) {
  const r = ftz(['audit', 'verify', '--json', '--db', db.url]);
  let report = null;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    report = null;
  }
  return { code: r.code, report, stdout: r.stdout, stderr: r.stderr };
}

/** `ftz routes --json` → [{method, path, permission, export}]. */
export function routeTable() {
  const r = ftz(['routes', '--json']);
  assert.equal(r.code, 0, `ftz routes --json failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------
// Databases

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120000 * SLOW, ...opts });
  if (r.error) throw r.error;
  return r;
}

let dbCounter = 0;

/**
 * A new, empty database for one test file (or one case). Returns
 *   {backend, url, dir, file?, name?, sql(text) → stdout, rows(text) → [[col…]…], drop()}
 * sql() runs raw SQL through the sqlite3 or psql command line (the tampering tests need to
 * go around the server); rows() splits its output on '|' per line.
 */
export function createDatabase(label) {
  const dir = mkdtempSync(path.join(tmpdir(), `ftzapi-${label}-`));
  const db = { backend: BACKEND, dir, label };
  if (IS_PG) {
    const pgdir = process.env.FTZ_TEST_PG_DIR;
    if (!pgdir) throw new Error('FTZ_TEST_DB=pg needs FTZ_TEST_PG_DIR (scripts/pg-test-server.sh start DIR)');
    const name = `ftz_${label.replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${++dbCounter}_${uniq(6)}`.slice(0, 63);
    const r = sh('bash', [path.join(ROOT, 'scripts/pg-test-server.sh'), 'createdb', pgdir, name]);
    if (r.status !== 0) throw new Error(`createdb ${name} failed: ${r.stderr}`);
    db.url = r.stdout.trim().split('\n').pop();
    db.name = name;
    db.sql = (text) => {
      const q = sh('psql', [db.url, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', text]);
      if (q.status !== 0) throw new Error(`psql failed (${text}): ${q.stderr}`);
      return q.stdout.trim();
    };
    db.drop = () => {
      if (KEEP) return;
      const admin = db.url.replace(/\/[^/]*$/, '/postgres');
      sh('psql', [admin, '-X', '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    };
  } else {
    db.file = path.join(dir, 'ftz.db');
    db.url = `sqlite:${db.file}`;
    db.sql = (text) => {
      const q = sh('sqlite3', ['-bail', '-cmd', '.timeout 10000', db.file, text]);
      if (q.status !== 0) throw new Error(`sqlite3 failed (${text}): ${q.stderr}`);
      return q.stdout.trim();
    };
    db.drop = () => {};
  }
  db.rows = (text) => {
    const out = db.sql(text);
    return out === '' ? [] : out.split('\n').map((l) => l.split('|'));
  };
  return db;
}

/**
 * `ftz init` (admin with ADMIN_PASSWORD) and, unless demo is false, `ftz demo --minimal` (the
 * base data: departments, accounts, five firms) — or with fullDemo the whole `ftz demo` (the
 * history of Jan–Apr 2024 too: slower, for the files that test it). Returns the demo's stdout.
 */
export function initDatabase(db, { demo = true, fullDemo = false } = {}) {
  let r = ftz(['init', '--db', db.url], { env: { FTZ_ADMIN_PASSWORD: ADMIN_PASSWORD }, cwd: db.dir });
  assert.equal(r.code, 0, `ftz init failed: ${r.stderr}${r.stdout}`);
  if (demo || fullDemo) {
    r = ftz(['demo', '--db', db.url, ...(fullDemo ? [] : ['--minimal'])], { cwd: db.dir });
    assert.equal(r.code, 0, `ftz demo failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }
  return '';
}

// ---------------------------------------------------------------------------------------
// Servers

/**
 * Starts `ftz serve --listen 127.0.0.1:0 --db URL` and waits for its
 * "ftz: listening on http://HOST:PORT/ (N workers)" line. Returns
 *   {base, port, pid, log() → stderr so far, stop() → {code, signal, log}, kill9()}
 */
export async function startServer(db, { env = {} } = {}) {
  if (!existsSync(BIN)) throw new Error(`ftz binary not found: ${BIN} (set FTZ_BIN)`);
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', db.url], {
    cwd: db.dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FTZ_SQLITE_SYNC: 'NORMAL',
      FTZ_TEST_HOOKS: '1',
      FTZ_JOB_LEASE: '2',
      FTZ_JOB_POLL_MS: '100',
      FTZ_WORKERS: '2',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const srv = {
    pid: child.pid,
    child,
    exited,
    done: false,
    log: () => stderr,
    stdout: () => stdout,
  };
  exited.then(() => {
    srv.done = true;
  });
  const listening = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`ftz serve did not start in time:\n${stdout}\n${stderr.slice(-4000)}`)),
      30000 * SLOW,
    );
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /ftz: listening on http:\/\/([^/\s]+):(\d+)\/ \((\d+) workers\)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]), workers: Number(m[3]) });
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ftz serve exited (code ${code}, signal ${signal}) before listening:\n${stderr.slice(-4000)}`));
    });
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  servers.add(srv); // from here on cleanupAll stops it, even if it never listens
  let where;
  try {
    where = await listening;
  } catch (e) {
    if (!srv.done) child.kill('SIGKILL');
    await exited;
    throw e;
  }
  const { host, port, workers } = where;
  srv.host = host;
  srv.port = port;
  srv.workers = workers;
  srv.base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  /** SIGTERM, then SIGKILL after a grace period. Resolves with the exit and the log. */
  srv.stop = async () => {
    if (!srv.done) {
      child.kill('SIGTERM');
      const t = setTimeout(() => {
        if (!srv.done) child.kill('SIGKILL');
      }, 20000 * SLOW);
      await exited;
      clearTimeout(t);
    }
    const ex = await exited;
    return { ...ex, log: stderr };
  };
  /** kill -9: the process dies at once, in the middle of whatever it does. */
  srv.kill9 = async () => {
    if (!srv.done) child.kill('SIGKILL');
    return exited;
  };
  return srv;
}

const servers = new Set();
const databases = new Set();

/**
 * Stops every server this file started and checks that none reported a sanitizer error,
 * then drops the databases and removes the temporary directories. Called from the after
 * hook of useServer (and usable by files that manage servers themselves).
 */
export async function cleanupAll() {
  const problems = [];
  for (const s of [...servers]) {
    const wasKilled = s.done;
    const ex = await s.stop();
    servers.delete(s);
    if (SANITIZER_REPORT.test(ex.log)) {
      const at = ex.log.search(SANITIZER_REPORT);
      problems.push(`server ${s.pid} reported a sanitizer error:\n${ex.log.slice(Math.max(0, at - 200), at + 3000)}`);
    } else if (!wasKilled && ex.signal !== 'SIGKILL' && ex.code !== 0) {
      problems.push(`server ${s.pid} exited with code ${ex.code} after SIGTERM:\n${ex.log.slice(-2000)}`);
    }
  }
  for (const db of [...databases]) {
    databases.delete(db);
    try {
      db.drop();
    } catch (e) {
      problems.push(`dropping ${db.name}: ${e.message}`);
    }
    if (!KEEP) rmSync(db.dir, { recursive: true, force: true });
  }
  if (problems.length) throw new Error(problems.join('\n\n'));
}

/** A database made and filled (init + demo; opts as initDatabase's), registered for cleanup;
 * db.demoOutput is what `ftz demo` printed. */
export function freshDatabase(label, opts = {}) {
  const db = createDatabase(label);
  databases.add(db);
  db.demoOutput = initDatabase(db, opts);
  return db;
}

/**
 * The usual set-up of a test file: one database (init + demo --minimal, or the whole demo
 * with {fullDemo: true}) and one server, started in a before hook and stopped in an after
 * hook. Returns a handle whose fields are filled in by
 * the time the tests run:
 *   h.db, h.server, h.base, h.as(username) (a logged-in, cached client), h.anon() (a client
 *   without credentials), h.bearer(secret), h.ids (ids of the demo data: users by name,
 *   departments by code, firms in order, the firm user's firm, the commissioner's firms).
 */
export function useServer(label, { demo = true, fullDemo = false, env = {} } = {}) {
  const h = { ids: {} };
  // Node 20 starts root-level before hooks as they are registered, without waiting for the
  // previous one: so there is exactly one, and a file's own set-up steps (h.setup(fn)) run
  // inside it, in order, after the server is up.
  const setups = [];
  let resolveReady;
  let rejectReady;
  const ready = new Promise((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {});
  before(
    async () => {
      try {
        h.db = freshDatabase(label, { demo, fullDemo });
        h.server = await startServer(h.db, { env });
        h.base = h.server.base;
        if (demo || fullDemo) await loadDemoIds(h);
        for (const fn of setups) await fn(h);
        resolveReady();
      } catch (e) {
        rejectReady(e);
        throw e;
      }
    },
    { timeout: 180000 * SLOW },
  );
  after(cleanupAll, { timeout: 180000 * SLOW });
  h.setup = (fn) => setups.push(fn);
  h.ready = () => ready;
  const cache = new Map();
  h.login = async (username, { fresh = false, lang, password } = {}) => {
    const key = `${username}/${lang || ''}`;
    if (!fresh && cache.has(key)) return cache.get(key);
    const c = new Client(h.base, { lang });
    const r = await c.login(username, password || passwordOf(username));
    assert.equal(r.status, 200, `log-in of ${username} failed: ${r.status} ${r.text}`);
    if (!fresh) cache.set(key, c);
    return c;
  };
  h.as = async (username, opts) => {
    await ready;
    return h.login(username, opts);
  };
  h.anon = (opts) => new Client(h.base, opts);
  h.bearer = (secret, opts = {}) => new Client(h.base, { ...opts, token: secret });
  return h;
}

export function passwordOf(username) {
  return username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD;
}

/** Reads the ids of the demo data through the API, as admin. */
export async function loadDemoIds(h) {
  const admin = await h.login('admin');
  const users = await admin.get('/api/v1/users?per_page=200');
  assert.equal(users.status, 200, users.text);
  h.ids.user = Object.fromEntries(users.body.items.map((u) => [u.username, u.id]));
  h.ids.userRec = Object.fromEntries(users.body.items.map((u) => [u.username, u]));
  const depts = await admin.get('/api/v1/departments');
  assert.equal(depts.status, 200, depts.text);
  h.ids.dept = Object.fromEntries(depts.body.items.map((d) => [d.code, d.id]));
  const firms = await admin.get('/api/v1/firms?sort=id&per_page=200');
  assert.equal(firms.status, 200, firms.text);
  h.ids.firms = firms.body.items.map((f) => f.id);
  h.ids.firmRec = firms.body.items;
  h.ids.ownFirm = h.ids.userRec.firm.firm_id;
  h.ids.commissionerFirms = firms.body.items
    .filter((f) => f.commissioner_id === h.ids.user.commissioner)
    .map((f) => f.id);
  h.ids.otherFirm = h.ids.firms.find((id) => id !== h.ids.ownFirm && !h.ids.commissionerFirms.includes(id));
}

// ---------------------------------------------------------------------------------------
// HTTP clients

let reqCounter = 0;

/**
 * A client with a cookie jar. After login() it keeps the CSRF token and sends it as
 * X-CSRF-Token on every write (unless {csrf: false} or {csrfToken: '…'} says otherwise).
 * With {token} it authenticates by `Authorization: Bearer` instead. Each request carries a
 * fresh X-Request-Id (res.reqId), so a test can find the audit row its change wrote.
 *
 * request() resolves to {status, headers, type, body (parsed JSON or null), text, bytes,
 * reqId}.
 */
export class Client {
  constructor(base, { token = null, lang = null } = {}) {
    this.base = base;
    this.token = token;
    this.lang = lang;
    this.cookies = new Map();
    this.csrf = null;
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Copies another client's session (cookie and CSRF token), e.g. onto another server. */
  withSessionOf(other) {
    this.cookies = new Map(other.cookies);
    this.csrf = other.csrf;
    return this;
  }

  async request(method, p, opts = {}) {
    const headers = {};
    const write = !['GET', 'HEAD'].includes(method);
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.cookies.size && opts.cookies !== false) headers.cookie = this.cookieHeader();
    if (write && opts.csrf !== false) {
      const t = opts.csrfToken ?? this.csrf;
      if (t) headers['x-csrf-token'] = t;
    }
    if (this.lang) headers['accept-language'] = this.lang;
    // {reqId: null} sends none (the server makes one)
    const reqId = 'reqId' in opts ? opts.reqId : `t-${process.pid}-${++reqCounter}-${uniq(6)}`;
    if (reqId) headers['x-request-id'] = reqId;
    let body;
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    } else if (opts.body !== undefined) {
      // A Buffer is sent without a Content-Type unless one is given.
      body = typeof opts.body === 'string' ? Buffer.from(opts.body) : opts.body;
    }
    Object.assign(headers, opts.headers || {});
    for (const k of Object.keys(headers)) if (headers[k] === null) delete headers[k];
    const res = await fetch(this.base + p, { method, headers, body, redirect: 'manual' });
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) || value === '';
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') || '';
    const text = bytes.toString('utf8');
    let parsed = null;
    if (/json/.test(type) && bytes.length) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: res.status, headers: res.headers, type, body: parsed, text, bytes, reqId };
  }

  get(p, opts) {
    return this.request('GET', p, opts);
  }
  head(p, opts) {
    return this.request('HEAD', p, opts);
  }
  post(p, json, opts = {}) {
    return this.request('POST', p, json === undefined ? opts : { ...opts, json });
  }
  patch(p, json, opts = {}) {
    return this.request('PATCH', p, { ...opts, json });
  }
  put(p, json, opts = {}) {
    return this.request('PUT', p, json === undefined ? opts : { ...opts, json });
  }
  del(p, opts) {
    return this.request('DELETE', p, opts);
  }

  /** POST /api/v1/session; keeps the cookie and the CSRF token on success. */
  async login(username, password) {
    const r = await this.post('/api/v1/session', { username, password });
    if (r.status === 200 && r.body) this.csrf = r.body.csrf;
    return r;
  }

  async logout() {
    const r = await this.del('/api/v1/session');
    this.csrf = null;
    return r;
  }
}

/**
 * One raw HTTP/1.1 exchange over a socket, for requests fetch will not send (bytes that are
 * not valid UTF-8 in the path, broken framing). Resolves to {status, headers, body}.
 */
export function rawRequest(port, data, { timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const sock = net.connect(port, '127.0.0.1', () => sock.end(data));
    sock.setTimeout(timeoutMs * SLOW, () => {
      sock.destroy();
      reject(new Error('raw request timed out'));
    });
    sock.on('data', (d) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      const all = Buffer.concat(chunks);
      const sep = all.indexOf('\r\n\r\n');
      const head = all.slice(0, sep < 0 ? all.length : sep).toString('latin1');
      const lines = head.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] || '');
      const headers = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: m ? Number(m[1]) : 0, headers, body: sep < 0 ? '' : all.slice(sep + 4).toString('utf8') });
    });
  });
}

// ---------------------------------------------------------------------------------------
// Assertions

/** The response as text for assertion messages. */
export function show(r) {
  return `${r.status} ${r.type} ${r.text.slice(0, 1500)}`;
}

/** Asserts a status, with the body in the message. */
export function expectStatus(r, status) {
  assert.equal(r.status, status, `expected ${status}, got ${show(r)}`);
}

/**
 * Asserts an RFC 9457 problem: the status, Content-Type application/problem+json, the
 * members type/title/status/detail (and request_id = X-Request-Id), and optionally its
 * `code` and the exact set of field errors as ["field:code", …] (order ignored).
 */
export function expectProblem(r, status, { code, fields, detail } = {}) {
  expectStatus(r, status);
  assert.match(r.type, /^application\/problem\+json(;|$)/, `problem Content-Type, got ${show(r)}`);
  const b = r.body;
  assert.ok(b && typeof b === 'object', `problem body is JSON: ${show(r)}`);
  assert.equal(typeof b.type, 'string', `problem has type: ${show(r)}`);
  assert.equal(typeof b.title, 'string', `problem has title: ${show(r)}`);
  assert.ok(b.title.length > 0);
  assert.equal(b.status, status, `problem status member: ${show(r)}`);
  assert.equal(typeof b.detail, 'string', `problem has detail: ${show(r)}`);
  if (r.reqId) assert.equal(r.headers.get('x-request-id'), r.reqId);
  if (code !== undefined) assert.equal(b.code, code, `problem code: ${show(r)}`);
  if (detail !== undefined) assert.match(b.detail, detail, `problem detail: ${show(r)}`);
  if (fields !== undefined) {
    assert.ok(Array.isArray(b.errors), `problem lists errors: ${show(r)}`);
    for (const e of b.errors) {
      assert.equal(typeof e.field, 'string');
      assert.equal(typeof e.code, 'string');
      assert.equal(typeof e.message, 'string');
    }
    const got = b.errors.map((e) => `${e.field}:${e.code}`).sort();
    assert.deepEqual(got, [...fields].sort(), `field errors: ${show(r)}`);
  }
  return b;
}

/**
 * Finds the audit row(s) written by the request r (same X-Request-Id) for entity/entity_id,
 * reading GET /api/v1/audit?entity=…&entity_id=… as `reader`, and asserts one has `action`.
 * Returns that row.
 */
export async function expectAudit(reader, r, { entity, entityId, action }) {
  const q = new URLSearchParams({ entity, per_page: '200' });
  if (entityId !== undefined && entityId !== null) q.set('entity_id', String(entityId));
  const a = await reader.get(`/api/v1/audit?${q}`);
  expectStatus(a, 200);
  const mine = a.body.items.filter((row) => row.request_id === r.reqId);
  const row = mine.find((x) => x.action === action);
  assert.ok(
    row,
    `no audit row ${action} ${entity}/${entityId} for request ${r.reqId}; rows of that request: ` +
      JSON.stringify(mine.map((x) => x.action)) +
      `; last rows: ${JSON.stringify(a.body.items.slice(0, 3).map((x) => [x.action, x.request_id]))}`,
  );
  assert.equal(row.entity, entity);
  if (entityId !== undefined && entityId !== null) assert.equal(row.entity_id, String(entityId));
  return row;
}

/** Asserts that the request r wrote no audit row at all (a refused change). */
export async function expectNoAudit(reader, r) {
  const a = await reader.get(`/api/v1/audit?per_page=200`);
  expectStatus(a, 200);
  const mine = a.body.items.filter((row) => row.request_id === r.reqId);
  assert.deepEqual(mine.map((x) => x.action), [], `a refused request wrote audit rows`);
}

/** The security headers every response carries (DESIGN.md §4, §7). */
export function expectSecurityHeaders(r) {
  assert.equal(r.headers.get('content-security-policy'), CSP);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('referrer-policy'), 'same-origin');
  assert.ok(r.headers.get('x-request-id'), 'X-Request-Id present');
}

/** A list body {items, total, page, per_page}. */
export function expectList(r) {
  expectStatus(r, 200);
  assert.match(r.type, /^application\/json/);
  assert.ok(Array.isArray(r.body.items), `items is an array: ${show(r)}`);
  assert.equal(typeof r.body.total, 'number');
  return r.body;
}

/** An XLSX download: a ZIP, the XLSX media type, an attachment with the .xlsx name. */
export function expectXlsx(r) {
  expectStatus(r, 200);
  assert.equal(r.type.split(';')[0].trim(), XLSX_TYPE);
  assert.equal(r.bytes.slice(0, 2).toString('latin1'), 'PK', 'an XLSX file is a ZIP');
  const cd = r.headers.get('content-disposition') || '';
  assert.match(cd, /^attachment;/, 'Content-Disposition: attachment');
  assert.match(cd, /\.xlsx/);
}

/** A CSV download: text/csv, attachment, and at least a header row. Returns the lines. */
export function expectCsv(r, { header } = {}) {
  expectStatus(r, 200);
  assert.match(r.type, /^text\/csv/);
  const cd = r.headers.get('content-disposition') || '';
  assert.match(cd, /^attachment;/, 'Content-Disposition: attachment');
  assert.match(cd, /\.csv/);
  const text = r.text.replace(/^\uFEFF/, '');
  const lines = text.split(/\r?\n/).filter((l) => l.length);
  assert.ok(lines.length >= 1, 'a header row');
  if (header) for (const h of header) assert.ok(lines[0].includes(h), `CSV header has ${h}: ${lines[0]}`);
  return lines;
}

// ---------------------------------------------------------------------------------------
// Data

const USCC = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A valid unified social credit code (GB 32100) made from 8 organisation-code characters
 * (digits and upper-case letters): the firm registry checks both check characters. */
export function creditCode(org8) {
  const ow = [3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 8; i++) {
    const ch = org8[i];
    const v = /[0-9]/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55;
    s += v * ow[i];
  }
  let oc = 11 - (s % 11);
  const orgCheck = oc === 10 ? 'X' : oc === 11 ? '0' : String(oc);
  const first17 = `91231100${org8}${orgCheck}`;
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC.indexOf(first17[i]) * w[i];
  const c = 31 - (sum % 31);
  return first17 + USCC[c === 31 ? 0 : c];
}

/** A fresh valid credit code that no other call of this process returns. */
let codeCounter = 0;
export function newCreditCode() {
  const n = (process.pid * 1000 + ++codeCounter) % 1e7;
  return creditCode(`T${String(n).padStart(7, '0')}`);
}

/** Replaces :name placeholders of a path template from vars (a case table's paths). */
export function fill(template, vars) {
  return template.replace(/:([a-zA-Z_][a-zA-Z0-9_]*)/g, (_, k) => {
    if (!(k in vars)) throw new Error(`no value for :${k} in ${template}`);
    return String(vars[k]);
  });
}

/** Writes a small file in dir and returns its path (uploads). */
export function writeTemp(dir, name, data) {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
}

export { readFileSync };

// ---------------------------------------------------------------------------------------
// Case tables

/**
 * The ids of the demo data as one flat map for path templates and bodies:
 * u_<username>, d_<DEPT CODE>, ownFirm (the firm user's), otherFirm (a firm neither the firm
 * user nor the commissioner has), comFirm (one of the commissioner's), firms (all).
 */
export function demoVars(h) {
  const v = {};
  for (const [k, id] of Object.entries(h.ids.user || {})) v[`u_${k}`] = id;
  for (const [k, id] of Object.entries(h.ids.dept || {})) v[`d_${k}`] = id;
  v.ownFirm = h.ids.ownFirm;
  v.otherFirm = h.ids.otherFirm;
  v.comFirm = (h.ids.commissionerFirms || []).find((id) => id !== h.ids.ownFirm);
  v.missing = 987654321;
  return v;
}

/**
 * Runs one case of a table: {as (a user name, or null for no credentials), method, path
 * (with :placeholders), body (object or (vars) => object), status, code?, fields?, check?}.
 * Problem statuses (≥ 400) are checked with expectProblem. Returns the response.
 */
export async function runCase(h, c, vars) {
  const client = c.as === null || c.as === undefined ? h.anon() : await h.as(c.as);
  const p = fill(c.path, vars);
  const body = typeof c.body === 'function' ? c.body(vars) : c.body;
  const r = await client.request(c.method, p, body === undefined ? {} : { json: body });
  if (c.status >= 400) expectProblem(r, c.status, { code: c.code, fields: c.fields });
  else expectStatus(r, c.status);
  if (c.check) await c.check(r, vars);
  return r;
}

/** The test name of a case: "<user> METHOD path → status [code]". */
export function caseName(c) {
  const who = c.as === null || c.as === undefined ? 'anonymous' : c.as;
  return `${c.name ? `${c.name}: ` : ''}${who} ${c.method} ${c.path} → ${c.status}${c.code ? ` ${c.code}` : ''}`;
}
