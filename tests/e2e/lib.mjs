// lib.mjs — the harness of the browser tests (DESIGN.md §8): a real `ftz serve` on a
// throw-away SQLite database (init + demo --minimal, or the whole demo on request) serving the
// built UI, and Debian's Chromium driven by playwright-core (never `playwright install`).
//
//   const srv = await startServer();          // {base, stop(), log()}; ({fullDemo: true}: with
//                                             // the demo's history of Jan–Apr 2024)
//   const browser = await launchBrowser();
//   await step(t, page, 'admin-log-in', async () => { … });  // screenshot on failure
//
// Environment: FTZ_BIN (default build/ftz), FTZ_WEB_DIR (default web/dist), FTZ_CHROMIUM
// (default /usr/bin/chromium), FTZ_E2E_ARTIFACTS (default build/test-artifacts/e2e),
// FTZ_TEST_KEEP=1 keeps the temporary directory.
// Failure screenshots go to the artifacts directory as <flow>-<step>.png.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.resolve(process.env.FTZ_BIN || path.join(ROOT, 'build/ftz'));
export const WEB_DIR = path.resolve(process.env.FTZ_WEB_DIR || path.join(ROOT, 'web/dist'));
export const CHROMIUM = process.env.FTZ_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(process.env.FTZ_E2E_ARTIFACTS || path.join(ROOT, 'build/test-artifacts/e2e'));
export const ADMIN_PASSWORD = 'ftz-admin-e2e-2026';
export const DEMO_PASSWORD = 'ftz-demo-2026';
export const CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";
const KEEP = process.env.FTZ_TEST_KEEP === '1';

// playwright-core is a devDependency of web/ (one package.json, one lockfile).
const requireWeb = createRequire(path.join(ROOT, 'web/package.json'));
export const { chromium } = requireWeb('playwright-core');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ftz(args, env = {}, cwd = tmpdir()) {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, FTZ_SQLITE_SYNC: 'NORMAL', ...env },
    timeout: 120000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`ftz ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * A new database (ftz init with ADMIN_PASSWORD, then `ftz demo --minimal`, or the whole
 * `ftz demo` with fullDemo) and `ftz serve` on it at 127.0.0.1:<free port>, serving WEB_DIR.
 * Resolves once the server printed "ftz: listening on http://HOST:PORT/ (N workers)".
 */
export async function startServer({ fullDemo = false } = {}) {
  if (!existsSync(BIN)) throw new Error(`ftz binary not found: ${BIN} (set FTZ_BIN)`);
  if (!existsSync(path.join(WEB_DIR, 'index.html'))) throw new Error(`built UI not found: ${WEB_DIR}/index.html (run npm run build in web/, or set FTZ_WEB_DIR)`);
  const dir = mkdtempSync(path.join(tmpdir(), 'ftze2e-'));
  const db = `sqlite:${path.join(dir, 'ftz.db')}`;
  ftz(['init', '--db', db], { FTZ_ADMIN_PASSWORD: ADMIN_PASSWORD }, dir);
  ftz(['demo', '--db', db, ...(fullDemo ? [] : ['--minimal'])], {}, dir);
  const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', db], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FTZ_SQLITE_SYNC: 'NORMAL',
      FTZ_WEB_DIR: WEB_DIR,
      FTZ_WORKERS: '2',
      FTZ_JOB_POLL_MS: '100',
    },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const where = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ftz serve did not start:\n${err.slice(-3000)}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ftz: listening on http:\/\/([^/\s]+):(\d+)\/ \((\d+) workers\)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]) });
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ftz serve exited (${code}, ${signal}) before listening:\n${err.slice(-3000)}`));
    });
  });
  let done = false;
  exited.then(() => {
    done = true;
  });
  return {
    base: `http://${where.host}:${where.port}`,
    dir,
    log: () => err,
    async stop() {
      if (!done) {
        child.kill('SIGTERM');
        const t = setTimeout(() => !done && child.kill('SIGKILL'), 15000);
        await exited;
        clearTimeout(t);
      }
      if (!KEEP) rmSync(dir, { recursive: true, force: true });
      return exited;
    },
  };
}

/** Debian's Chromium, headless, with the flags that keep it quiet and offline. */
export function launchBrowser() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Watches a page for what must never happen: uncaught errors and CSP violations (an inline
 * script or an eval the policy refused). problems() lists them.
 */
export function watchPage(page) {
  const seen = [];
  page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (/Content Security Policy|Refused to (execute|evaluate|load|apply)|unsafe-eval/i.test(text)) seen.push(`CSP: ${text}`);
    // An answer of 4xx is logged by the browser as a failed resource: expected (422, 401).
    else if (m.type() === 'error' && !/Failed to load resource/.test(text)) seen.push(`console error: ${text}`);
  });
  return { problems: () => [...seen] };
}

/** File name for an artifact: letters, digits, dot and dash. */
export const artifactName = (s) => s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-|-$/g, '');

/**
 * Runs one step of a browser test as a node:test subtest; when it throws, a screenshot of
 * the page is kept in build/test-artifacts/e2e/<name>.png before the failure is reported.
 * Once a step failed, the later ones of the same flow are skipped (they would fail too).
 */
export function stepper(page, flow) {
  let failed = false;
  async function step(t, name, fn) {
    await t.test(name, async (st) => {
      if (failed) {
        st.skip('an earlier step failed');
        return;
      }
      try {
        await fn(st);
      } catch (e) {
        failed = true;
        mkdirSync(ARTIFACTS, { recursive: true });
        const file = path.join(ARTIFACTS, `${artifactName(`${flow}-${name}`)}.png`);
        try {
          await page.screenshot({ path: file, fullPage: true });
          st.diagnostic(`screenshot: ${path.relative(ROOT, file)}`);
        } catch (se) {
          st.diagnostic(`no screenshot: ${se.message}`);
        }
        throw e;
      }
    });
    return !failed;
  }
  /** true while every step so far passed. */
  step.ok = () => !failed;
  return step;
}

/**
 * The entries of a ZIP archive (an .xlsx) as {name: Buffer}: read from the central directory,
 * each entry inflated with node's zlib (stored or deflated).
 */
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let k = 0; k < count; k++) {
    if (buf.readUInt32LE(off) !== 0x02014b50) throw new Error(`bad central directory entry at ${off}`);
    const method = buf.readUInt16LE(off + 10);
    const csize = buf.readUInt32LE(off + 20);
    const nameLen = buf.readUInt16LE(off + 28);
    const extraLen = buf.readUInt16LE(off + 30);
    const commentLen = buf.readUInt16LE(off + 32);
    const local = buf.readUInt32LE(off + 42);
    const name = buf.toString('utf8', off + 46, off + 46 + nameLen);
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + csize);
    if (method === 0) files[name] = Buffer.from(data);
    else if (method === 8) files[name] = inflateRawSync(data);
    else throw new Error(`${name}: unsupported compression method ${method}`);
    off += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

const XML_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Every cell text of an .xlsx's first sheet (shared and inline strings, numbers), decoded. */
export function xlsxCells(buf) {
  const files = unzip(buf);
  const sheet = files['xl/worksheets/sheet1.xml'];
  if (!sheet) throw new Error(`no xl/worksheets/sheet1.xml in the file (entries: ${Object.keys(files).join(', ')})`);
  const decode = (s) =>
    s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : XML_ENTITIES[e] ?? m,
    );
  const shared = [];
  const sst = files['xl/sharedStrings.xml'] ? files['xl/sharedStrings.xml'].toString('utf8') : '';
  for (const si of sst.matchAll(/<si>([\s\S]*?)<\/si>/g)) {
    shared.push(decode([...si[1].matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join('')));
  }
  const cells = [];
  for (const c of sheet.toString('utf8').matchAll(/<c ([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const attrs = c[1];
    const body = c[2] || '';
    const type = (/\bt="(\w+)"/.exec(attrs) || [])[1];
    const v = (/<v>([\s\S]*?)<\/v>/.exec(body) || [])[1];
    if (type === 's') cells.push(shared[Number(v)]);
    else if (type === 'inlineStr') cells.push(decode([...body.matchAll(/<t[^>]*>([\s\S]*?)<\/t>/g)].map((m) => m[1]).join('')));
    else if (v !== undefined) cells.push(decode(v));
  }
  return cells;
}

/** Writes JSON next to the screenshots (timings of the run). */
export function writeArtifact(name, data) {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(path.join(ARTIFACTS, name), typeof data === 'string' ? data : `${JSON.stringify(data, null, 2)}\n`);
}
