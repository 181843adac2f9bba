// firm-detail.test.mjs — one firm's detail page (/firms/:id) in the browser:
//   `staff` (INVEST) opens the registry, clicks a firm's name and reads its page: the names,
//   the credit code with its parts explained (authority, type, region, organisation code),
//   the details; edits the phone (a bad one is refused at its field first) and sees the
//   change; files a demand for the firm from the page (the firm preselected) and finds it in
//   the firm's demand list and its count by state;
//   the firm's own account (firm) reaches its firm's page from its home page and sees that
//   demand there too; another firm's URL shows the not-found state (the API answers 404).
// No page error and no CSP violation on any page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, launchBrowser, startServer, stepper, watchPage } from './lib.mjs';

const FIRM = '黑河品优进出口有限责任公司';
const PHONE = '+86 456 822 7788';
const TITLE = '冷链仓储用地咨询';
const BODY = '我公司计划在片区内建设冷链仓库，想了解用地指标和办理流程。';

let srv;
let browser;
const pages = []; // [{page, watch}]
let firm = null; // the firm as the API answers it
let demandCode = '';

async function newPage(locale = 'zh-CN') {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  pages.push({ page, watch: watchPage(page) });
  return page;
}

async function logIn(page, username) {
  await page.goto(`${srv.base}/login`);
  await page.locator('[data-test=login-username]').fill(username);
  await page.locator('[data-test=login-password]').fill(DEMO_PASSWORD);
  await page.locator('[data-test=login-submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  await page.locator('[data-test=home-header]').waitFor();
}

const text = async (loc) => ((await loc.innerText()) || '').replace(/\s+/g, ' ').trim();

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('staff reads, edits and files for a firm; the firm finds its own page', async (t) => {
  const staff = await newPage();
  let cur = staff;
  const step = stepper({ screenshot: (o) => cur.screenshot(o) }, 'firm-detail');

  await step(t, 'staff opens the registry and clicks a firm', async () => {
    await logIn(staff, 'staff');
    await staff.locator('[data-test=menu-firms]').click();
    await staff.locator('[data-test=firms-table]').waitFor();
    await staff.locator('[data-test=firm-link]', { hasText: FIRM }).click();
    await staff.waitForURL(/\/firms\/\d+$/);
    const id = Number(new URL(staff.url()).pathname.split('/').pop());
    firm = await (await staff.request.get(`${srv.base}/api/v1/firms/${id}`)).json();
    assert.equal(firm.name_zh, FIRM);
    await staff.locator('[data-test=firm-name-zh]', { hasText: FIRM }).waitFor();
    assert.equal(await text(staff.locator('[data-test=firm-name-ru]')), firm.name_ru);
    assert.equal(await text(staff.locator('[data-test=firm-name-en]')), firm.name_en);
    // The menu keeps the registry highlighted.
    assert.match(await staff.locator('[data-test=menu-firms]').getAttribute('class'), /is-active/);
  });

  await step(t, 'the credit code is explained part by part', async () => {
    const code = firm.credit_code;
    assert.equal((await text(staff.locator('[data-test=firm-credit-code]'))).replace(/ /g, ''), code);
    assert.equal(await text(staff.locator('[data-test=uscc-authority]')), '登记管理部门 9 市场监督管理部门');
    assert.equal(await text(staff.locator('[data-test=uscc-type]')), '机构类别 1 企业');
    assert.equal(await text(staff.locator('[data-test=uscc-region]')), '登记管理机关行政区划码 231100 黑龙江省黑河市');
    assert.equal(await text(staff.locator('[data-test=uscc-org]')), `主体标识码（组织机构代码） ${code.slice(8, 16)}-${code[16]}`);
    assert.equal(code.slice(8, 16), 'MA1B2C3D');
    assert.equal(await text(staff.locator('[data-test=uscc-check]')), `校验码 ${code[17]}`);
  });

  await step(t, 'the details are shown', async () => {
    assert.equal(await text(staff.locator('[data-test=firm-status]')), '正常');
    assert.equal(await text(staff.locator('[data-test=firm-department]')), firm.department_name);
    assert.equal(await text(staff.locator('[data-test=firm-commissioner]')), firm.commissioner_name);
    assert.equal(await text(staff.locator('[data-test=firm-phone]')), firm.contact_phone || '—');
    assert.equal(await text(staff.locator('[data-test=firm-cross-border]')), firm.cross_border ? '是' : '否');
  });

  await step(t, 'a bad phone is refused at its field; a good one saves and shows', async () => {
    await staff.locator('[data-test=firm-detail-edit]').click();
    const dialog = staff.locator('.el-dialog[data-test=firm-dialog]');
    await dialog.waitFor();
    const phone = dialog.locator('[data-test=firm-contact-phone]');
    await phone.fill('call me maybe');
    await dialog.locator('[data-test=firm-save]').click();
    await dialog.locator('.el-form-item', { has: staff.locator('[data-test=firm-contact-phone]') }).locator('.el-form-item__error').waitFor();
    let now = await (await staff.request.get(`${srv.base}/api/v1/firms/${firm.id}`)).json();
    assert.equal(now.version, firm.version, 'nothing written');
    await phone.fill(PHONE);
    await dialog.locator('[data-test=firm-save]').click();
    await dialog.waitFor({ state: 'hidden' });
    await staff.locator('[data-test=firm-phone]', { hasText: PHONE }).waitFor();
    now = await (await staff.request.get(`${srv.base}/api/v1/firms/${firm.id}`)).json();
    assert.equal(now.contact_phone, PHONE);
    assert.equal(now.version, firm.version + 1);
    // Edited again at once: the page holds the new version (no 412).
    await staff.locator('[data-test=firm-detail-edit]').click();
    await dialog.waitFor();
    assert.equal(await phone.inputValue(), PHONE);
    await dialog.locator('button', { hasText: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  await step(t, 'staff files a demand for the firm and finds it in the firm’s list', async () => {
    await staff.locator('[data-test=firm-demands]').waitFor();
    assert.equal(await text(staff.locator('[data-test=firm-demands-total]')), '共 0 项');
    await staff.locator('[data-test=firm-demand-new]').click();
    const dialog = staff.locator('.el-dialog[data-test=demand-file-dialog]');
    await dialog.waitFor();
    // The firm is preselected (and fixed).
    await dialog.locator('.el-form-item', { has: staff.locator('[data-test=demand-file-firm]') }).getByText(FIRM).waitFor();
    await dialog.locator('[data-test=demand-file-title]').fill(TITLE);
    await dialog.locator('[data-test=demand-file-body]').fill(BODY);
    await dialog.locator('[data-test=demand-file-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    const row = staff.locator('[data-test=firm-demands-table] .el-table__row', { hasText: TITLE });
    await row.waitFor();
    demandCode = await text(row.locator('[data-test^=demand-link-]'));
    assert.match(demandCode, /^SQ-\d{4}-\d{6}$/);
    assert.equal(await text(row.locator(`[data-test=state-${demandCode}]`)), '已受理');
    assert.equal(await text(staff.locator('[data-test=firm-demands-total]')), '共 1 项');
    // The count by state (the chart's table for screen readers).
    await staff.locator('[data-test=firm-demand-states] th', { hasText: '已受理' }).waitFor({ state: 'attached' });
    assert.equal(await text(staff.locator('[data-test=firm-demand-states] td')), '1');
    const list = await (await staff.request.get(`${srv.base}/api/v1/demands?firm_id=${firm.id}`)).json();
    assert.equal(list.total, 1);
    assert.equal(list.items[0].code, demandCode);
    assert.equal(list.items[0].firm_id, firm.id);
  });

  await step(t, 'the demand’s code opens the demand', async () => {
    await staff.locator(`[data-test=demand-link-${demandCode}]`).click();
    await staff.waitForURL(/\/demands\/\d+$/);
    assert.equal(await text(staff.locator('[data-test=demand-title]')), TITLE);
    await staff.goBack();
    await staff.locator('[data-test=firm-name-zh]', { hasText: FIRM }).waitFor();
  });

  const own = await newPage();
  await step(t, 'the firm reaches its own firm’s page from its home page', async () => {
    cur = own;
    await logIn(own, 'firm');
    await own.locator('[data-test=home-firm]').waitFor();
    await own.locator('[data-test=home-firm-detail]', { hasText: '查看/编辑本企业信息' }).click();
    await own.waitForURL(new RegExp(`/firms/${firm.id}$`));
    await own.locator('[data-test=firm-name-zh]', { hasText: FIRM }).waitFor();
    await own.locator('[data-test=firm-phone]', { hasText: PHONE }).waitFor();
    await own.locator('[data-test=firm-detail-edit]').waitFor();
    await own.locator(`[data-test=demand-link-${demandCode}]`).waitFor();
  });

  await step(t, 'another firm’s page is not found for the firm', async () => {
    const other = firm.id === 2 ? 3 : 2;
    const answered = own.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/firms/${other}`);
    await own.goto(`${srv.base}/firms/${other}`);
    assert.equal((await answered).status(), 404);
    await own.locator('[data-test=firm-not-found]').waitFor();
    assert.match(await text(own.locator('[data-test=firm-not-found]')), /未找到该企业/);
    assert.equal(await own.locator('[data-test=firm-name-zh]').count(), 0);
    assert.equal(await own.locator('[data-test=firm-demands]').count(), 0);
  });

  await step(t, 'no CSP violation or page error', async () => {
    for (const p of pages) assert.deepEqual(p.watch.problems(), []);
  });
});
