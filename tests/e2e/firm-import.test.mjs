// firm-import.test.mjs — firms imported from a CSV file in the browser: the administrator
// opens the import dialog, chooses a file with one bad row, watches the check run, sees the
// error with its row number, keeps the good rows and finds the new firm in the list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, launchBrowser, startServer, stepper, watchPage } from './lib.mjs';

let srv;
let browser;
let page;
let watch;

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

const GOOD = creditCode(`E${String(process.pid % 1e7).padStart(7, '0')}`);
const NAME = '浏览器导入测试有限公司';
const CSV = [
  '\uFEFF统一社会信用代码,企业名称,跨境贸易,联系电话',
  `${GOOD},${NAME},是,+86 456 822 0000`,
  '91231100NOTVALID0,坏代码企业,否,', // row 3: not a valid credit code
  '',
].join('\r\n');

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' });
  page = await context.newPage();
  page.setDefaultTimeout(20000);
  watch = watchPage(page);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('an administrator imports firms from a CSV file with one bad row', async (t) => {
  const step = stepper(page, 'firm-import');

  await step(t, 'log in and open the registry', async () => {
    await page.goto(`${srv.base}/login`);
    await page.locator('[data-test=login-username]').fill('admin');
    await page.locator('[data-test=login-password]').fill(ADMIN_PASSWORD);
    await page.locator('[data-test=login-submit]').click();
    await page.locator('[data-test=home-admin]').waitFor();
    await page.goto(`${srv.base}/firms`);
    await page.locator('[data-test=firms-table]').waitFor();
  });

  await step(t, 'choose the file: the check runs with a progress bar and lists the bad row', async () => {
    await page.locator('[data-test=firm-import]').click();
    await page.locator('[data-test=firm-import-dialog]').first().waitFor();
    await page.locator('[data-test=firm-import-file]').setInputFiles({
      name: 'firms.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(CSV, 'utf8'),
    });
    await page.locator('[data-test=firm-import-progress]').waitFor();
    await page.locator('[data-test=firm-import-counts]').waitFor();
    const counts = await page.locator('[data-test=firm-import-counts]').innerText();
    assert.match(counts, /2/, counts);
    assert.match(counts, /1/, counts);
    const rows = await page.locator('[data-test=firm-import-errors] [data-test=firm-import-error-row]').allInnerTexts();
    assert.deepEqual(rows.map((s) => s.trim()), ['3'], 'the bad row is named by its number');
    const table = await page.locator('[data-test=firm-import-errors]').innerText();
    assert.ok(table.includes('统一社会信用代码'), `the field is named: ${table}`);
    assert.equal(await page.locator('[data-test=firm-import-keep-none]').count(), 1);
  });

  await step(t, 'keep the good rows: the commit runs and the firm is in the list', async () => {
    await page.locator('[data-test=firm-import-keep-good]').click();
    await page.locator('[data-test=firm-import-done]').waitFor();
    const done = await page.locator('[data-test=firm-import-done]').innerText();
    assert.match(done, /1/, done);
    await page.locator('[data-test=firm-import-dialog] .el-dialog__footer button').first().click();
    await page.locator('[data-test=firm-import-done]').waitFor({ state: 'hidden' });
    await page.locator('[data-test=firms-table]').getByText(NAME).waitFor();
    assert.ok(await page.locator('[data-test=firms-table]').getByText(GOOD).count(), 'the credit code is listed');
    const r = await page.evaluate(async (code) => (await fetch(`/api/v1/firms?q=${code}`)).json(), GOOD);
    assert.equal(r.total, 1);
    assert.equal(r.items[0].cross_border, true);
  });

  await step(t, 'no CSP violation or page error', async () => {
    assert.deepEqual(watch.problems(), []);
  });
});
