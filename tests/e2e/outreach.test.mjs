// outreach.test.mjs — visits, salons and financing in the browser: a leader records a visit
// (the "six must-visits") and raises an issue there, which appears as a demand linked back to
// the visit; then financing matchmaking — a bank product, a firm's need, a match proposed,
// applied for and granted with an amount — and the figure "financing arranged" changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, DEMO_PASSWORD, launchBrowser, startServer, stepper, watchPage } from './lib.mjs';

let srv;
let browser;
let context;
let page;
let watch;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  watch = watchPage(page);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

async function logIn(username) {
  await context.clearCookies();
  await page.goto(`${srv.base}/login`);
  await page.locator('[data-test=login-username]').fill(username);
  await page.locator('[data-test=login-password]').fill(username === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** Opens a select and picks the first visible option containing text. */
async function pick(select, text) {
  await select.click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click();
}

const api = (path) => page.evaluate(async (p) => (await fetch(p)).json(), path);

test('a leader visit: recorded, an issue raised there becomes a demand linked to the visit', async (t) => {
  const step = stepper(page, 'outreach-visit');
  const title = `用电报装进度慢 ${Date.now() % 100000}`;
  let visitId = 0;

  await step(t, 'the leader opens the visits from the menu', async () => {
    await logIn('leader');
    await page.locator('[data-test=menu-visits]').click();
    await page.locator('[data-test=visits-table]').waitFor();
  });

  await step(t, 'a visit without a firm is refused at its field; with one it is recorded', async () => {
    await page.locator('[data-test=visit-new]').click();
    const dialog = page.locator('.el-dialog[data-test=visit-dialog]');
    await dialog.waitFor();
    await dialog.locator('[data-test=visit-save]').click();
    await dialog.locator('.el-form-item__error').first().waitFor();
    await pick(dialog.locator('[data-test=visit-firm]'), '黑河宇鑫贸易有限责任公司');
    await dialog.locator('[data-test=visit-participants]').fill('招商服务局 李招商');
    await dialog.locator('[data-test=visit-notes]').fill('企业反映用电报装进度慢。');
    await dialog.locator('[data-test=visit-save]').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-test=visits-table] .el-table__row', { hasText: '黑河宇鑫贸易有限责任公司' }).first().waitFor();
    const list = await api('/api/v1/visits');
    assert.equal(list.total, 1);
    assert.equal(list.items[0].leader_name, '王主任', 'the leader is the one logged in');
    visitId = list.items[0].id;
  });

  await step(t, 'an issue raised at the visit is filed as a demand and listed on the visit', async () => {
    await page.locator('[data-test=visits-table] .el-table__row', { hasText: '黑河宇鑫贸易有限责任公司' }).first().click();
    const drawer = page.locator('[data-test=visit-drawer]');
    await drawer.locator('[data-test=drawer-raise]').click();
    const dialog = page.locator('.el-dialog[data-test=issue-dialog]');
    await dialog.waitFor();
    await dialog.locator('[data-test=issue-title]').fill(title);
    await dialog.locator('[data-test=issue-body]').fill('新厂房用电报装两个月未接通，请协调供电公司。');
    await dialog.locator('[data-test=issue-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    const link = drawer.locator('[data-test=visit-demands] a', { hasText: /^SQ-/ }).first();
    await link.waitFor();
    const linked = await api(`/api/v1/demands?source_kind=visit&source_id=${visitId}`);
    assert.equal(linked.total, 1);
    assert.equal(linked.items[0].title, title);
    assert.equal(linked.items[0].channel, 'visit');
    assert.equal(linked.items[0].source_id, visitId);
    assert.equal((await link.textContent()).trim(), linked.items[0].code);
    await page.locator(`[data-test=visit-issues-${visitId}]`, { hasText: '1' }).waitFor();
  });

  await step(t, 'the demand opens from the visit, in the demands\' own pages', async () => {
    await page.locator('[data-test=visit-drawer] [data-test=visit-demands] a').first().click();
    await page.waitForURL(/\/demands\/\d+$/);
    await page.getByText(title).first().waitFor();
  });
});

test('financing: a need matched with a bank product and granted changes the figure', async (t) => {
  const step = stepper(page, 'outreach-financing');
  const card = () => page.locator('[data-test=stat-financing-arranged] .value');

  await step(t, 'the administrator adds a bank product', async () => {
    await logIn('admin');
    await page.goto(`${srv.base}/financing`);
    await page.locator('[data-test=needs-table]').waitFor();
    assert.equal((await card().textContent()).trim(), '0元');
    await page.locator('.el-tabs__item', { hasText: '银行产品' }).click();
    await page.locator('[data-test=product-new]').click();
    const dialog = page.locator('.el-dialog[data-test=product-dialog]');
    await dialog.waitFor();
    await dialog.locator('[data-test=product-bank]').fill('中国银行黑河分行');
    await dialog.locator('[data-test=product-name]').fill('外贸贷');
    await dialog.locator('[data-test=product-max]').fill('1000');
    await dialog.locator('[data-test=product-save]').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-test=products-table] .el-table__row', { hasText: '1000万元' }).waitFor();
  });

  await step(t, 'staff record the firm\'s need: a bad amount is refused at its field', async () => {
    await logIn('staff');
    await page.goto(`${srv.base}/financing`);
    await page.locator('[data-test=need-new]').click();
    const dialog = page.locator('.el-dialog[data-test=need-dialog]');
    await dialog.waitFor();
    await pick(dialog.locator('[data-test=need-firm]'), '黑河品优进出口有限责任公司');
    await dialog.locator('[data-test=need-amount]').fill('六百');
    await dialog.locator('[data-test=need-purpose]').fill('进口大豆货款周转');
    await dialog.locator('[data-test=need-save]').click();
    await dialog.locator('.el-form-item__error').first().waitFor();
    await dialog.locator('[data-test=need-amount]').fill('600');
    await dialog.locator('[data-test=need-save]').click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-test=needs-table] .el-table__row', { hasText: '600万元' }).waitFor();
  });

  await step(t, 'a product is proposed, applied for and granted with the amount', async () => {
    await page.locator('[data-test=needs-table] .el-table__row', { hasText: '600万元' }).click();
    const drawer = page.locator('[data-test=need-drawer]');
    await drawer.locator('[data-test=match-new]').click();
    const propose = page.locator('.el-dialog[data-test=propose-dialog]');
    await propose.waitFor();
    await pick(propose.locator('[data-test=propose-product]'), '外贸贷');
    await propose.locator('[data-test=propose-save]').click();
    await propose.waitFor({ state: 'hidden' });
    await drawer.locator('[data-test=drawer-need-status]', { hasText: '对接中' }).waitFor();
    await drawer.locator('[data-test^=match-applied-]').click();
    await drawer.locator('[data-test^=match-granted-]').click();
    const grant = page.locator('.el-dialog[data-test=grant-dialog]');
    await grant.waitFor();
    assert.equal(await grant.locator('[data-test=grant-amount]').inputValue(), '600', 'what is left of the need');
    await grant.locator('[data-test=grant-save]').click();
    await grant.waitFor({ state: 'hidden' });
    await drawer.locator('[data-test=drawer-need-status]', { hasText: '已获批' }).waitFor();
    assert.equal((await drawer.locator('[data-test=drawer-need-granted]').textContent()).trim(), '600万元');
  });

  await step(t, 'the figure "financing arranged" now holds the grant', async () => {
    await page.keyboard.press('Escape');
    await page.locator('[data-test=stat-financing-arranged] .value', { hasText: '600万元' }).waitFor();
    await page.locator('[data-test=stat-firms-financed] .value', { hasText: '1' }).waitFor();
    const f = await api('/api/v1/financing/figures');
    assert.equal(f.granted_fen, 600000000);
    assert.equal(f.granted_words, '600万元');
    // the chart's table holds the month's bar
    const chart = await page.locator('[data-test=financing-month-chart]').textContent();
    assert.match(chart, /600/);
  });

  await step(t, 'no CSP violation or page error', async () => {
    assert.deepEqual(watch.problems(), []);
  });
});
