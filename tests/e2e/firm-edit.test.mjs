// firm-edit.test.mjs — a firm's own account keeps its record up to date (issue 4): it sees
// only its own firm, opens the details dialog, a bad e-mail is refused at its field,
// a good change saves and shows in the list.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD, launchBrowser, startServer, stepper, watchPage } from './lib.mjs';

let srv;
let browser;
let page;
let watch;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ru-RU' });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  watch = watchPage(page);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('a firm account edits its own details', async (t) => {
  const step = stepper(page, 'firm-edit');

  await step(t, 'log in as the firm and open the registry', async () => {
    await page.goto(`${srv.base}/login`);
    await page.locator('[data-test=login-username]').fill('firm');
    await page.locator('[data-test=login-password]').fill(DEMO_PASSWORD);
    await page.locator('[data-test=login-submit]').click();
    await page.locator('[data-test=home-firm]').waitFor();
    await page.goto(`${srv.base}/firms`);
    await page.locator('[data-test=firms-table]').waitFor();
    await page.locator('[data-test=firm-edit]').first().waitFor();
    assert.equal(await page.locator('[data-test=firm-edit]').count(), 1, 'the firm sees its own record only');
  });

  await step(t, 'a bad e-mail is refused at its field; a good one saves', async () => {
    await page.locator('[data-test=firm-edit]').click();
    await page.locator('[data-test=firm-contact-email]').waitFor();
    const email = page.locator('[data-test=firm-contact-email]');
    await email.fill('not-an-address');
    await page.locator('[data-test=firm-save]').click();
    await page.locator('.el-dialog .el-form-item__error').first().waitFor();
    await email.fill('trade@pinyou.example');
    const phone = page.locator('[data-test=firm-contact-phone]');
    await phone.fill('+86 456 822 1234');
    await page.locator('[data-test=firm-save]').click();
    await page.locator('[data-test=firm-contact-email]').waitFor({ state: 'hidden' });
    const r = await page.evaluate(async () => (await fetch('/api/v1/firms')).json());
    assert.equal(r.items.length, 1);
    assert.equal(r.items[0].contact_email, 'trade@pinyou.example');
    assert.equal(r.items[0].contact_phone, '+86 456 822 1234');
  });

  await step(t, 'no CSP violation or page error', async () => {
    assert.deepEqual(watch.problems(), []);
  });
});
