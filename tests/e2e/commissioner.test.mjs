// commissioner.test.mjs — chief service commissioners and the start-up package through the
// web UI, each role in its own browser context against one real server:
//   the administrator registers a firm (the registry's import dialog, industry 51): a
//   commissioner is assigned automatically — the firm's page names them, the history shows
//   the automatic row — and the start-up package appears with the commissioner item done;
//   the commissioner logs in, lands on the workspace, finds the firm there and marks a package
//   item done; the firm's page shows it done;
//   the administrator reassigns the firm to another commissioner with a reason, and the
//   history shows it on top, the earlier row ended; the start-up package board lists the firm.
// No page error and no CSP violation on any page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, DEMO_PASSWORD, launchBrowser, startServer, stepper, watchPage } from './lib.mjs';

let srv;
let browser;
const pages = {}; // role → {page, watch}

/** A valid unified social credit code (GB 32100, with the GB 11714 organisation code). */
function creditCode(org8) {
  const ALPHA = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const ow = [3, 7, 9, 10, 5, 8, 4, 2];
  let s = 0;
  for (let i = 0; i < 8; i++) s += (/[0-9]/.test(org8[i]) ? Number(org8[i]) : org8.charCodeAt(i) - 55) * ow[i];
  const oc = 11 - (s % 11);
  const first17 = `91231100${org8}${oc === 10 ? 'X' : oc === 11 ? '0' : String(oc)}`;
  const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHA.indexOf(first17[i]) * w[i];
  const c = 31 - (sum % 31);
  return first17 + ALPHA[c === 31 ? 0 : c];
}

const CODE = creditCode(`C${String(process.pid % 1e7).padStart(7, '0')}`);
const NAME = '专员测试商贸有限公司';
const CSV = ['\uFEFF统一社会信用代码,企业名称,行业代码', `${CODE},${NAME},51`, ''].join('\r\n');
const SECOND = 'com-e2e';
const SECOND_NAME = '二号专员';
const REASON = '企业迁入跨境电商园区，由园区专员对接';

/** Logs in through the API from node (cookie + CSRF), for set-up outside a page. */
async function apiSession(username, password) {
  const r = await fetch(`${srv.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`log-in of ${username}: ${r.status} ${await r.text()}`);
  const cookie = r.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrf } = await r.json();
  const call = async (method, p, body) => {
    const res = await fetch(`${srv.base}/api/v1${p}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text && /^[[{]/.test(text) ? JSON.parse(text) : text };
  };
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b), put: (p, b) => call('PUT', p, b) };
}

async function newPage(role) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  pages[role] = { page, watch: watchPage(page) };
  return page;
}

async function logIn(page, username, password) {
  await page.goto(`${srv.base}/login`);
  await page.locator('[data-test=login-username]').fill(username);
  await page.locator('[data-test=login-password]').fill(password);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  // a second commissioner, for the reassignment
  const admin = await apiSession('admin', ADMIN_PASSWORD);
  const depts = (await admin.get('/departments')).body.items;
  const r = await admin.post('/users', {
    username: SECOND,
    display_name: SECOND_NAME,
    password: DEMO_PASSWORD,
    roles: ['commissioner'],
    department_id: depts.find((d) => d.code === 'BIZENV').id,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // the demo commissioner covers trade (section F): the new firm (51) is theirs by industry
  const me = (await admin.get('/users?q=commissioner')).body.items.find((u) => u.username === 'commissioner');
  const p = await admin.get(`/commissioners/${me.id}/profile`);
  assert.equal(p.status, 200);
  const put = await admin.put(`/commissioners/${me.id}/profile`, { industries: ['F'], version: p.body.version });
  assert.equal(put.status, 200, JSON.stringify(put.body));
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

let firmId = 0;

test('a commissioner is assigned at registration, works the package, and is reassigned with a reason', async (t) => {
  const admin = await newPage('admin');
  const step = stepper(admin, 'commissioner');

  await step(t, 'the administrator registers a firm through the import dialog', async () => {
    await logIn(admin, 'admin', ADMIN_PASSWORD);
    await admin.locator('[data-test=home-admin]').waitFor();
    await admin.goto(`${srv.base}/firms`);
    await admin.locator('[data-test=firms-table]').waitFor();
    await admin.locator('[data-test=firm-import]').click();
    await admin.locator('[data-test=firm-import-dialog]').first().waitFor();
    await admin.locator('[data-test=firm-import-file]').setInputFiles({ name: 'firm.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV, 'utf8') });
    await admin.locator('[data-test=firm-import-keep-good]').click();
    await admin.locator('[data-test=firm-import-done]').waitFor();
    await admin.locator('[data-test=firm-import-dialog] .el-dialog__footer button').first().click();
    await admin.locator('[data-test=firms-table]').getByText(NAME).waitFor();
    const r = await admin.evaluate(async (code) => (await fetch(`/api/v1/firms?q=${code}`)).json(), CODE);
    assert.equal(r.total, 1);
    firmId = r.items[0].id;
    assert.equal(r.items[0].industry, '51');
  });

  await step(t, "the firm's page names the commissioner chosen automatically and shows the package", async () => {
    await admin.locator('[data-test=firms-table]').getByText(NAME).click();
    await admin.waitForURL(`**/firms/${firmId}`);
    const panel = admin.locator('[data-test=firm-commissioner-panel]');
    await panel.waitFor();
    await admin.locator('[data-test=firm-commissioner-current]', { hasText: '张专员' }).waitFor();
    const history = admin.locator('[data-test=firm-commissioner-history] .el-table__body tr');
    await history.first().waitFor();
    assert.equal(await history.count(), 1);
    const row = await history.first().innerText();
    assert.match(row, /系统自动/);
    assert.match(row, /auto: industry 51 matches profile F, load 3/);
    const pkg = admin.locator('[data-test=firm-package-table]');
    await pkg.waitFor();
    await admin.locator('[data-test=pkg-item-seal_set]').waitFor();
    assert.equal(await admin.locator('[data-test=firm-package-table] .el-table__body tr').count(), 7);
    assert.equal((await admin.locator('[data-test=pkg-status-commissioner]').innerText()).trim(), '已完成');
    assert.equal((await admin.locator('[data-test=pkg-status-seal_set]').innerText()).trim(), '待办');
    assert.match(await admin.locator('[data-test=firm-package-state]').innerText(), /6/);
  });

  const com = await newPage('commissioner');
  await step(t, 'the commissioner logs in to the workspace and finds the firm', async () => {
    await logIn(com, 'commissioner', DEMO_PASSWORD);
    await com.locator('[data-test=workspace]').waitFor();
    await com.locator(`[data-test=ws-firm-${firmId}]`).waitFor();
    assert.equal((await com.locator(`[data-test=ws-firm-${firmId}]`).innerText()).trim(), NAME);
    const cards = await com.locator('[data-test=stat-ws-package]').innerText();
    assert.match(cards, /\d/);
    await com.locator('[data-test=menu-workspace]').waitFor();
    await com.locator('[data-test=menu-startup-package]').waitFor();
  });

  await step(t, 'the commissioner marks the seal set done; the firm page shows it done', async () => {
    const before = Number((await com.locator('[data-test=stat-ws-package] .value').innerText()).trim());
    await com.locator(`[data-test=ws-done-${firmId}-seal_set]`).click();
    await com.locator(`[data-test=ws-done-${firmId}-seal_set]`).waitFor({ state: 'detached' });
    await com.locator('[data-test=stat-ws-package] .value', { hasText: String(before - 1) }).waitFor();
    await com.locator(`[data-test=ws-firm-${firmId}]`).click();
    await com.waitForURL(`**/firms/${firmId}`);
    await com.locator('[data-test=pkg-status-seal_set]', { hasText: '已完成' }).waitFor();
    assert.equal(await com.locator('[data-test=firm-reassign]').count(), 0, 'no reassign button without firm.assign');
    // the next step from done is a reopening only
    assert.equal(await com.locator('[data-test=pkg-seal_set-to-in_progress]').count(), 1);
    assert.equal(await com.locator('[data-test=pkg-seal_set-to-pending]').count(), 0);
  });

  await step(t, 'the administrator reassigns with a reason; the history shows it', async () => {
    await admin.reload();
    await admin.locator('[data-test=firm-reassign]').click();
    const dialog = admin.locator('.el-dialog[data-test=reassign-dialog]');
    await dialog.waitFor();
    // the submit waits for both a commissioner and a reason
    assert.equal(await dialog.locator('[data-test=reassign-submit]').isDisabled(), true);
    await dialog.locator('[data-test=reassign-user]').click();
    await admin.locator('.el-select-dropdown__item:visible', { hasText: SECOND_NAME }).first().click();
    assert.equal(await dialog.locator('[data-test=reassign-submit]').isDisabled(), true);
    // Element Plus puts the attributes of el-input on the textarea itself
    await dialog.locator('textarea[data-test=reassign-reason]').fill(REASON);
    await dialog.locator('[data-test=reassign-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await admin.locator('[data-test=firm-commissioner-current]', { hasText: SECOND_NAME }).waitFor();
    await admin.locator('[data-test=firm-commissioner-history] [data-test=history-reason]', { hasText: REASON }).waitFor();
    const rows = admin.locator('[data-test=firm-commissioner-history] .el-table__body tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.first().innerText(), new RegExp(REASON));
    assert.match(await rows.first().innerText(), /当前/);
    assert.doesNotMatch(await rows.nth(1).innerText(), /当前/);
    // the firm's own page names the new commissioner in its details too
    await admin.locator('[data-test=firm-commissioner]', { hasText: SECOND_NAME }).waitFor();
  });

  await step(t, 'the start-up package board lists the firm, with figures and export', async () => {
    await admin.goto(`${srv.base}/startup-package`);
    await admin.locator('[data-test=pkg-table]').waitFor();
    await admin.locator('[data-test=pkg-filter-q]').fill(CODE);
    await admin.locator('[data-test=pkg-search]').click();
    await admin.locator('[data-test=pkg-table] .el-table__body tr', { hasText: NAME }).first().waitFor();
    await admin.waitForFunction(() => document.querySelectorAll('[data-test=pkg-table] .el-table__body tr').length === 7);
    assert.match(await admin.locator('[data-test=stat-pkg-cost] .value').innerText(), /元/);
    assert.equal(await admin.locator('[data-test=export]').count(), 1);
  });

  await step(t, 'no CSP violation or page error', async () => {
    for (const [role, p] of Object.entries(pages)) assert.deepEqual(p.watch.problems(), [], role);
  });
});
