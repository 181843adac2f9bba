// admin-flow.test.mjs — the web shell's flow of issue 3, in a real browser against a real
// server: log in as admin, switch to Russian and back, create a user in a department, give a
// role a permission, find both changes in the audit trail, export the audit trail to XLSX and
// read the file (and a large export that runs as a job, with its progress bar), reload and stay
// logged in, log out. At 1366×768. When the whole flow passes,
// docs/screenshot-home.png is refreshed with the admin's home page (the README shows it).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ADMIN_PASSWORD,
  CSP,
  ROOT,
  launchBrowser,
  startServer,
  stepper,
  watchPage,
  writeArtifact,
  xlsxCells,
} from './lib.mjs';

let srv;
let browser;
let context;
let page;
let watch;
let homeShot = null;
const timing = {};
const suffix = Date.now().toString(36).slice(-5);
const NEW_USER = `e2e.user${suffix}`;
const NEW_NAME = `测试用户${suffix}`;
const DEPT = '招商服务局'; // INVEST, a demo department
const ROLE = 'staff';
const PERM = 'settings.read'; // not among staff's default permissions

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', acceptDownloads: true });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  watch = watchPage(page);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

/** The API as the page's own session sees it (same cookie jar). */
async function apiGet(p) {
  const r = await page.request.get(`${srv.base}/api/v1${p}`);
  return { status: r.status(), body: r.status() === 200 ? await r.json() : null };
}

/** Opens an Element Plus select and picks the option with this exact text. */
async function pick(selectLocator, text) {
  await selectLocator.click();
  const exact = new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: exact }).first();
  await option.click();
}

/** Opens an Element Plus tree-select and picks the tree node with this text. */
async function pickNode(selectLocator, text) {
  await selectLocator.click();
  await page.locator('.el-select-dropdown:visible .el-tree-node__content', { hasText: text }).first().click();
}

test('admin flow at 1366×768', async (t) => {
  const step = stepper(page, 'admin-flow');

  await step(t, 'log in', async () => {
    const t0 = Date.now();
    const resp = await page.goto(`${srv.base}/`);
    assert.equal(resp.headers()['content-security-policy'], CSP, 'index.html is served under the CSP');
    await page.waitForURL(/\/login/);
    await page.locator('[data-test=login-username]').waitFor();
    timing.loginVisibleMs = Date.now() - t0;
    timing.navigation = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      const res = performance.getEntriesByType('resource');
      return {
        domContentLoadedMs: Math.round(n.domContentLoadedEventEnd),
        loadMs: Math.round(n.loadEventEnd),
        transferredBytes: res.reduce((s, r) => s + (r.transferSize || 0), n.transferSize || 0),
        resources: res.length,
      };
    });
    t.diagnostic(`first load: login form visible after ${timing.loginVisibleMs} ms; DOMContentLoaded ${timing.navigation.domContentLoadedMs} ms, load ${timing.navigation.loadMs} ms, ${timing.navigation.resources} resources`);
    // Chinese by default.
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.locator('[data-test=login-username]').fill('admin');
    await page.locator('[data-test=login-password]').fill('wrong-password-1');
    await page.locator('[data-test=login-submit]').click();
    await page.locator('[data-test=login-error]').waitFor();
    await page.locator('[data-test=login-password]').fill(ADMIN_PASSWORD);
    await page.locator('[data-test=login-submit]').click();
    await page.locator('[data-test=home-admin]').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal((await page.locator('[data-test=user-name]').textContent()).trim(), '系统管理员');
    // The admin's menu shows every administration page.
    for (const m of ['home', 'firms', 'users', 'departments', 'roles', 'tokens', 'settings', 'audit']) {
      assert.ok(await page.locator(`[data-test=menu-${m}]`).isVisible(), `menu item ${m}`);
    }
    // The chart's numbers are the API's: users by role from GET /api/v1/roles.
    const roles = (await apiGet('/roles')).body.items;
    await page.waitForFunction(() => document.querySelectorAll('[data-test=chart-users-by-role] tr').length > 0);
    const chart = await page.$$eval('[data-test=chart-users-by-role] tr', (trs) =>
      trs.map((tr) => [tr.querySelector('th').textContent.trim(), Number(tr.querySelector('td').textContent)]),
    );
    const want = roles.filter((r) => r.users > 0 || r.builtin).map((r) => [r.title_zh, r.users]);
    assert.deepEqual(chart, want);
    await page.locator('[data-test=chart-jobs-by-state] tr').first().waitFor({ state: 'attached' });
    await page.waitForTimeout(400); // let ECharts finish drawing for the screenshot
    homeShot = await page.screenshot();
  });

  await step(t, 'switch to Russian and back', async () => {
    await page.locator('[data-test=lang-switch]').click();
    await page.locator('[data-test=lang-ru]:visible').click();
    await page.locator('[data-test=menu-users]', { hasText: 'Пользователи' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    assert.match(await page.locator('[data-test=home-header] h2').textContent(), /Здравствуйте/);
    // The API answers in Russian too (Accept-Language follows the UI).
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/v1/users')),
      page.locator('[data-test=menu-users]').click(),
    ]);
    assert.equal(req.headers()['accept-language'], 'ru');
    await page.locator('h2.page-title', { hasText: 'Пользователи' }).waitFor();
    await page.locator('[data-test=lang-switch]').click();
    await page.locator('[data-test=lang-zh]:visible').click();
    await page.locator('h2.page-title', { hasText: '用户' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  });

  await step(t, 'create a user in a department', async () => {
    await page.locator('[data-test=menu-users]').click();
    await page.locator('[data-test=users-create]').click();
    const dialog = page.locator('.el-dialog:visible', { has: page.locator('[data-test=user-username]') });
    await dialog.waitFor();
    await page.locator('[data-test=user-username]').fill(NEW_USER);
    await page.locator('[data-test=user-display-name]').fill(NEW_NAME);
    // A password that breaks the rule: the server's message shows under the field.
    await page.locator('[data-test=user-password]').fill('short');
    await pick(page.locator('[data-test=user-roles]'), '工作人员');
    await page.keyboard.press('Escape');
    await pickNode(page.locator('.el-select[data-test=user-department]'), DEPT);
    await page.locator('[data-test=user-save]').click();
    const pwError = dialog.locator('.el-form-item', { has: page.locator('[data-test=user-password]') }).locator('.el-form-item__error');
    await pwError.waitFor();
    assert.match(await pwError.textContent(), /10/);
    await page.locator('[data-test=user-password]').fill('a-long-e2e-passphrase');
    await page.locator('[data-test=user-save]').click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.locator('[data-test=users-table] .el-table__body tr', { hasText: NEW_USER });
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(DEPT));
    const found = (await apiGet(`/users?q=${encodeURIComponent(NEW_USER)}`)).body.items;
    assert.equal(found.length, 1);
    assert.deepEqual(found[0].roles, ['staff']);
    const depts = (await apiGet('/departments')).body.items;
    assert.equal(found[0].department_id, depts.find((d) => d.code === 'INVEST').id);
  });

  await step(t, 'give a role a permission', async () => {
    await page.locator('[data-test=menu-roles]').click();
    await page.locator(`[data-test=role-${ROLE}]`).click();
    const box = page.locator(`[data-test="perm-${PERM}"]`);
    await box.waitFor();
    assert.equal(await box.locator('input').isChecked(), false);
    await box.click();
    assert.equal(await box.locator('input').isChecked(), true);
    await page.locator('[data-test=role-save]').click();
    await page.locator('.el-message--success').first().waitFor();
    const staff = (await apiGet('/roles')).body.items.find((r) => r.name === ROLE);
    assert.ok(staff.permissions.includes(PERM), `${ROLE} now holds ${PERM}`);
  });

  await step(t, 'find both changes in the audit trail', async () => {
    await page.locator('[data-test=menu-audit]').click();
    await page.locator('[data-test=audit-table] .el-table__body tr').first().waitFor();
    // The user: action user.create, free text = the user name.
    const action = page.locator('[data-test=audit-action]');
    await action.click();
    await page.keyboard.type('user.create');
    await page.keyboard.press('Enter');
    await page.locator('[data-test=audit-q]').fill(NEW_USER);
    await page.locator('[data-test=audit-q]').press('Enter');
    const userRow = page.locator('[data-test=audit-table] .el-table__body tr.el-table__row', { hasText: NEW_USER });
    await userRow.waitFor();
    assert.equal(await page.locator('[data-test=audit-table] .el-table__body tr.el-table__row').count(), 1);
    assert.match(await userRow.textContent(), /user\.create/);
    await userRow.locator('.el-table__expand-icon').click();
    const diff = page.locator('[data-test=audit-diff]').first();
    await diff.waitFor();
    assert.match(await diff.textContent(), new RegExp(NEW_USER));
    assert.match(await diff.textContent(), /department_id/);
    // The role: action role.update, entity role.
    await page.locator('[data-test=audit-q]').fill('');
    await action.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('role.update');
    await page.keyboard.press('Enter');
    await pick(page.locator('[data-test=audit-entity]'), 'role');
    const roleRow = page.locator('[data-test=audit-table] .el-table__body tr.el-table__row', { hasText: 'role.update' }).first();
    await roleRow.waitFor();
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-test=audit-table] .el-table__body tr.el-table__row');
      return rows.length > 0 && [...rows].every((r) => r.textContent.includes('role.update'));
    });
    assert.match(await roleRow.textContent(), new RegExp(PERM.replace('.', '\\.')));
    await roleRow.locator('.el-table__expand-icon').click();
    const roleDiff = page.locator('[data-test=audit-diff]', { hasText: PERM }).first();
    await roleDiff.waitFor();
  });

  await step(t, 'export the audit trail to XLSX and open the file', async () => {
    // The export takes the list's filters: the user's creation.
    await page.locator('[data-test=audit-reset]').click();
    await page.locator('[data-test=audit-q]').fill(NEW_USER);
    await page.locator('[data-test=audit-q]').press('Enter');
    await page.locator('[data-test=audit-table] .el-table__body tr.el-table__row', { hasText: NEW_USER }).first().waitFor();
    const [answer, download] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/audit.xlsx')),
      page.waitForEvent('download', { timeout: 60000 }),
      page.locator('[data-test=export]').click(),
    ]);
    assert.equal(answer.status(), 200, 'a small export is answered at once');
    assert.match(download.suggestedFilename(), /^audit-\d{8}\.xlsx$/);
    const dir = mkdtempSync(path.join(tmpdir(), 'ftze2e-dl-'));
    try {
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      const buf = readFileSync(file);
      assert.equal(buf.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX is a ZIP archive');
      const cells = xlsxCells(buf);
      assert.ok(cells.includes('user.create'), 'the sheet has the action');
      assert.ok(cells.some((c) => c && c.includes(`"username":"${NEW_USER}"`)), 'the sheet has the new user in the after column');
      assert.ok(!cells.includes('role.update'), 'only the filtered rows are exported');
      assert.ok(cells.includes('操作'), 'column titles in the UI language (Chinese)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  await step(t, 'a large export runs as a job, with a progress bar', async () => {
    // Lower the rows answered at once (setting export.sync_max_rows) to 1 in the settings page,
    // so the whole audit trail is exported by a job: 202, polled, then its file downloaded.
    await page.locator('[data-test=menu-settings]').click();
    await page.locator('[data-test="setting-edit-export.sync_max_rows"]').click();
    const value = page.locator('.el-input-number[data-test=setting-value] input');
    await value.fill('1');
    await value.press('Tab');
    await page.locator('[data-test=setting-save]').click();
    await page.locator('[data-test=setting-save]').waitFor({ state: 'hidden' });
    const setting = (await apiGet('/settings/export.sync_max_rows')).body;
    assert.equal(setting.value, 1);
    await page.locator('[data-test=menu-audit]').click();
    await page.locator('[data-test=audit-table] .el-table__body tr.el-table__row').first().waitFor();
    const answers = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/audit.xlsx') || r.url().includes('/api/v1/jobs/') || r.url().includes('/content')) answers.push(`${r.status()} ${new URL(r.url()).pathname}`);
    });
    const bar = page.locator('[data-test=export-progress-bar]');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60000 }),
      bar.waitFor({ timeout: 60000 }),
      page.locator('[data-test=export]').click(),
    ]);
    assert.match(download.suggestedFilename(), /^audit-\d{8}\.xlsx$/);
    assert.equal(answers[0], '202 /api/v1/audit.xlsx', `answers: ${answers.join(', ')}`);
    assert.ok(answers.some((a) => /^200 \/api\/v1\/jobs\/\d+$/.test(a)), 'the job was polled');
    assert.ok(answers.some((a) => /^200 \/api\/v1\/files\/\d+\/content$/.test(a)), "the job's file was downloaded");
    const dir = mkdtempSync(path.join(tmpdir(), 'ftze2e-dl-'));
    try {
      const file = path.join(dir, 'job.xlsx');
      await download.saveAs(file);
      const cells = xlsxCells(readFileSync(file));
      assert.ok(cells.some((c) => c && c.includes(`"username":"${NEW_USER}"`)), 'the new user is in the file');
      assert.ok(cells.includes('role.update'), 'the role change is in the file');
      assert.ok(cells.includes('setting.set'), 'and so is the setting change');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await bar.waitFor({ state: 'hidden' });
  });

  await step(t, 'reload the page and stay logged in', async () => {
    await page.reload();
    await page.locator('[data-test=audit-table]').waitFor();
    assert.equal(new URL(page.url()).pathname, '/audit');
    assert.equal((await page.locator('[data-test=user-name]').textContent()).trim(), '系统管理员');
    // The reloaded page got its CSRF token back: a write works (verify the audit chain).
    await page.locator('[data-test=audit-verify]').click();
    const box = page.locator('.el-message-box:visible');
    await box.waitFor();
    assert.match(await box.textContent(), /哈希链完整/);
    await box.locator('.el-button--primary').click();
  });

  await step(t, 'log out', async () => {
    await page.locator('[data-test=user-menu]').click();
    await page.locator('[data-test=logout]:visible').click();
    await page.waitForURL(/\/login/);
    await page.locator('[data-test=login-username]').waitFor();
    assert.equal((await apiGet('/session')).status, 401, 'the session is gone on the server');
    await page.goto(`${srv.base}/users`);
    await page.waitForURL(/\/login\?next=/);
  });

  await step(t, 'no CSP violation or page error', async () => {
    assert.deepEqual(watch.problems(), []);
  });

  writeArtifact('timing.json', timing);
  // Only a whole, green run refreshes the README's screenshot.
  if (step.ok() && homeShot) writeFileSync(path.join(ROOT, 'docs/screenshot-home.png'), homeShot);
});
