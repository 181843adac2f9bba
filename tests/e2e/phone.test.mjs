// phone.test.mjs — the pages the public sees work on a phone (390×844): the log-in page fits
// the width, its form is usable, and after log-in the menu folds into a drawer behind a
// button instead of squeezing the page.
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
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  watch = watchPage(page);
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

/** Nothing sticks out sideways: the page scrolls only vertically. */
async function assertFitsWidth() {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `page is ${scroll}px wide in a ${client}px viewport`);
}

test('phone width (390×844)', async (t) => {
  const step = stepper(page, 'phone');

  await step(t, 'the log-in page fits and works', async () => {
    await page.goto(`${srv.base}/login`);
    const user = page.locator('[data-test=login-username]');
    await user.waitFor();
    await assertFitsWidth();
    for (const sel of ['[data-test=login-username]', '[data-test=login-password]', '[data-test=login-submit]', '[data-test=lang-switch]']) {
      const box = await page.locator(sel).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${sel} lies within the screen`);
      assert.ok(box.height >= 32, `${sel} is big enough to tap (${box.height}px)`);
    }
    await user.fill('staff');
    await page.locator('[data-test=login-password]').fill(DEMO_PASSWORD);
    await page.locator('[data-test=login-submit]').tap();
    await page.locator('[data-test=home-staff]').waitFor();
  });

  await step(t, 'the menu folds into a drawer', async () => {
    await assertFitsWidth();
    // No side menu taking room: the menu opens from the button.
    assert.equal(await page.locator('[data-test=menu]:visible').count(), 0);
    await page.locator('[data-test=menu-toggle]').tap();
    const firms = page.locator('[data-test=menu-firms]:visible');
    await firms.waitFor();
    // Staff may not manage users: the menu does not offer it.
    assert.equal(await page.locator('[data-test=menu-users]:visible').count(), 0);
    await firms.tap();
    await page.locator('[data-test=firms-table]').waitFor();
    await page.locator('[data-test=menu]:visible').waitFor({ state: 'detached' }).catch(() => {});
    assert.equal(await page.locator('.el-drawer:visible').count(), 0, 'the drawer closes after a choice');
  });

  await step(t, 'no CSP violation or page error', async () => {
    assert.deepEqual(watch.problems(), []);
  });
});
