// demand-flow.test.mjs — the closed loop of an enterprise demand (企业诉求) through the web UI,
// each role in its own browser context against one real server:
//   the firm's own account switches the UI to Russian and files a demand in Russian (the
//   portal: no firm select, the language defaults to the UI's);
//   the dispatcher (诉求统筹) finds it in its to-do box, assesses it (lead department INVEST)
//   and dispatches it — the buttons are exactly the server's `actions`;
//   `staff` (INVEST) finds it in its to-do box, receives it and replies;
//   the firm rates the reply 5 stars, and the demand is closed;
//   on the stats page the satisfaction denominator (and numerator) grew by one, and the
//   demand list exports to XLSX with the new demand in it.
// No page error and no CSP violation on any page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  launchBrowser,
  startServer,
  stepper,
  watchPage,
  xlsxCells,
} from './lib.mjs';

let srv;
let browser;
const pages = {}; // role → {page, watch}
const TITLE = 'Задержка таможенного оформления груза';
const BODY = 'Груз стоит на складе третий день: декларация подана, но выпуск не оформлен. Просим помочь ускорить.';
const REPLY = '已与黑河海关协调，货物已于今日放行。';

/** Logs in through the API from node (cookie + CSRF), for set-up and checks outside a page. */
async function apiSession(username, password) {
  const r = await fetch(`${srv.base}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`log-in of ${username}: ${r.status} ${await r.text()}`);
  const cookie = (r.headers.getSetCookie ? r.headers.getSetCookie() : [r.headers.get('set-cookie')])
    .filter(Boolean)
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
    return { status: res.status, body: text && text.startsWith('{') ? JSON.parse(text) : text };
  };
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b) };
}

/** The demo's `dispatcher` (role dispatcher, dept BIZENV); created here while the demo lacks it. */
async function ensureDispatcher() {
  const admin = await apiSession('admin', ADMIN_PASSWORD);
  const found = await admin.get('/users?q=dispatcher');
  if (found.body.items.some((u) => u.username === 'dispatcher')) return 'demo';
  const depts = (await admin.get('/departments')).body.items;
  const bizenv = depts.find((d) => d.code === 'BIZENV');
  const r = await admin.post('/users', {
    username: 'dispatcher',
    display_name: '诉求统筹员',
    password: DEMO_PASSWORD,
    roles: ['dispatcher'],
    department_id: bizenv.id,
    lang: 'zh',
  });
  assert.equal(r.status, 201, `creating the dispatcher: ${JSON.stringify(r.body)}`);
  return 'created';
}

async function newPage(role, locale) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  pages[role] = { page, watch: watchPage(page) };
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

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Opens an Element Plus select and picks the option with this exact text. */
async function pick(page, selectLocator, text) {
  await selectLocator.click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: new RegExp(`^\\s*${esc(text)}\\s*$`) }).first().click();
}

/** Opens an Element Plus tree-select and picks the tree node with this text. */
async function pickNode(page, selectLocator, text) {
  await selectLocator.click();
  await page.locator('.el-select-dropdown:visible .el-tree-node__content', { hasText: text }).first().click();
}

/** The action buttons shown on a demand's page, as event names. */
async function shownActions(page) {
  await page.locator('[data-test=demand-timeline]').waitFor();
  return page.$$eval('[data-test=demand-actions] [data-test^=act-]', (els) => els.map((e) => e.dataset.test.slice(4)));
}

/** The events the server says `who` may fire on the demand now. */
async function serverActions(page, id) {
  const r = await page.request.get(`${srv.base}/api/v1/demands/${id}`);
  return (await r.json()).actions.map((a) => a.event);
}

/** Fires an action through its dialog: click the button, fill(), submit, wait for the state. */
async function act(page, event, fill, stateText) {
  await page.locator(`[data-test=act-${event}]`).click();
  const dialog = page.locator(`.el-dialog[data-test=event-dialog-${event}]`);
  await dialog.waitFor();
  if (fill) await fill(dialog);
  await dialog.locator('[data-test=event-submit]').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('[data-test=demand-state]', { hasText: stateText }).waitFor();
}

let demand = { id: 0, code: '' };
let before0 = null;

before(async () => {
  srv = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  if (srv) await srv.stop();
});

test('a demand goes round the closed loop', async (t) => {
  const firm = await newPage('firm', 'ru-RU');
  const disp = await newPage('dispatcher', 'zh-CN');
  const staff = await newPage('staff', 'zh-CN');
  // A failed step's screenshot is of the page of the role acting in it.
  let cur = firm;
  const step = stepper({ screenshot: (o) => cur.screenshot(o) }, 'demand-flow');

  await step(t, 'the dispatcher exists', async (st) => {
    st.diagnostic(`dispatcher: ${await ensureDispatcher()}`);
  });

  await step(t, 'the dispatcher reads the figures before', async () => {
    cur = disp;
    await logIn(disp, 'dispatcher');
    await disp.locator('[data-test=menu-demand-stats]').click();
    await disp.locator('[data-test=sat-den-all]').waitFor();
    before0 = {
      den: Number(await disp.locator('[data-test=sat-den-all]').textContent()),
      num: Number(await disp.locator('[data-test=sat-num-all]').textContent()),
      resDen: Number(await disp.locator('[data-test=res-den-all]').textContent()),
    };
    const api = (await (await disp.request.get(`${srv.base}/api/v1/demands/figures?group=all`)).json()).rows[0];
    assert.equal(before0.den, api ? api.evaluated : 0, 'the table states the API’s denominator');
  });

  await step(t, 'the firm switches to Russian and files a demand in Russian', async () => {
    cur = firm;
    await logIn(firm, 'firm');
    await firm.locator('[data-test=lang-switch]').click();
    await firm.locator('[data-test=lang-ru]:visible').click();
    await firm.locator('[data-test=menu-demands]', { hasText: 'Обращения' }).waitFor();
    await firm.locator('[data-test=menu-demands]').click();
    await firm.locator('h2.page-title', { hasText: 'Мои обращения' }).waitFor();
    await firm.locator('[data-test=demands-portal-intro]').waitFor();
    await firm.locator('[data-test=demand-new]').click();
    const dialog = firm.locator('.el-dialog[data-test=demand-file-dialog]');
    await dialog.waitFor();
    // The portal: no firm to choose, no channel (online); the language follows the UI.
    assert.equal(await dialog.locator('[data-test=demand-file-firm]').count(), 0);
    assert.equal(await dialog.locator('[data-test=demand-file-channel]').count(), 0);
    assert.match(await dialog.locator('[data-test=demand-lang-ru]').getAttribute('class'), /is-active/);
    assert.match(await dialog.textContent(), /по-русски или по-китайски/);
    // Nothing written: the server's field errors show at their fields.
    await dialog.locator('[data-test=demand-file-submit]').click();
    await dialog.locator('.el-form-item', { has: firm.locator('[data-test=demand-file-title]') }).locator('.el-form-item__error').waitFor();
    await dialog.locator('[data-test=demand-file-title]').fill(TITLE);
    await dialog.locator('[data-test=demand-file-body]').fill(BODY);
    await pick(firm, dialog.locator('[data-test=demand-file-category]'), 'Просьба о помощи');
    await dialog.locator('[data-test=demand-file-submit]').click();
    await firm.waitForURL(/\/demands\/\d+$/);
    await firm.locator('[data-test=demand-state]', { hasText: 'Принято' }).waitFor();
    demand.id = Number(new URL(firm.url()).pathname.split('/').pop());
    demand.code = (await firm.locator('[data-test=demand-code]').textContent()).trim();
    assert.match(demand.code, /^SQ-\d{4}-\d{6}$/);
    assert.equal((await firm.locator('[data-test=demand-title]').textContent()).trim(), TITLE);
    const d = await (await firm.request.get(`${srv.base}/api/v1/demands/${demand.id}`)).json();
    assert.equal(d.lang, 'ru');
    assert.equal(d.channel, 'online');
    assert.equal(d.category, 'help');
    assert.equal(d.firm_id, 1);
    assert.deepEqual(await shownActions(firm), await serverActions(firm, demand.id));
    // The timeline reads in Russian.
    assert.match(await firm.locator('[data-test=demand-timeline]').textContent(), /Подано/);
  });

  await step(t, 'the dispatcher assesses it (lead INVEST) and dispatches it', async () => {
    cur = disp;
    await disp.locator('[data-test=menu-demands]').click();
    await disp.locator('[data-test=box-todo]').waitFor();
    await disp.locator(`[data-test="demand-link-${demand.code}"]`).click();
    await disp.waitForURL(new RegExp(`/demands/${demand.id}$`));
    assert.deepEqual(await shownActions(disp), await serverActions(disp, demand.id));
    assert.ok((await shownActions(disp)).includes('assess'));
    await act(
      disp,
      'assess',
      async (dialog) => {
        // The firm's category is taken over; the priority defaults to normal.
        assert.match(await dialog.locator('[data-test=ev-category]').textContent(), /求助/);
        await pick(disp, dialog.locator('[data-test=ev-topic]'), '通关物流');
        await pickNode(disp, dialog.locator('.el-select[data-test=ev-lead_dept_id]'), '招商服务局');
      },
      '已研判',
    );
    assert.match(await disp.locator('[data-test=demand-lead-dept]').textContent(), /招商服务局/);
    assert.match(await disp.locator('[data-test=demand-deadline]').textContent(), /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(await shownActions(disp), await serverActions(disp, demand.id));
    await act(disp, 'dispatch', null, '已派单');
    assert.deepEqual(await shownActions(disp), await serverActions(disp, demand.id));
    assert.ok(!(await shownActions(disp)).includes('reply'), 'the dispatcher does not handle');
  });

  await step(t, 'staff (INVEST) receives it and replies', async () => {
    cur = staff;
    await logIn(staff, 'staff');
    await staff.goto(`${srv.base}/demands?box=todo`);
    const link = staff.locator(`[data-test="demand-link-${demand.code}"]`);
    await link.waitFor();
    await link.click();
    await staff.waitForURL(new RegExp(`/demands/${demand.id}$`));
    assert.deepEqual(await shownActions(staff), await serverActions(staff, demand.id));
    await act(staff, 'receive', async (dialog) => dialog.locator('[data-test=ev-note]').fill('已电话联系企业'), '办理中');
    // Reply without text: the server's error shows at the field.
    await staff.locator('[data-test=act-reply]').click();
    const dialog = staff.locator('.el-dialog[data-test=event-dialog-reply]');
    await dialog.waitFor();
    await dialog.locator('[data-test=event-submit]').click();
    await dialog.locator('.el-form-item', { has: staff.locator('[data-test=ev-reply]') }).locator('.el-form-item__error').waitFor();
    await dialog.locator('[data-test=ev-reply]').fill(REPLY);
    await dialog.locator('[data-test=event-submit]').click();
    await dialog.waitFor({ state: 'hidden' });
    await staff.locator('[data-test=demand-state]', { hasText: '已答复' }).waitFor();
    assert.equal((await staff.locator('[data-test=demand-reply]').textContent()).trim(), REPLY);
    await staff.locator('[data-test=tl-reply]').waitFor();
    await staff.locator('[data-test=tl-receive]', { hasText: '已电话联系企业' }).waitFor();
  });

  await step(t, 'the firm rates the reply 5', async () => {
    cur = firm;
    await firm.reload();
    await firm.locator('[data-test=demand-state]', { hasText: 'Дан ответ' }).waitFor();
    assert.equal((await firm.locator('[data-test=demand-reply]').textContent()).trim(), REPLY);
    assert.deepEqual(await shownActions(firm), await serverActions(firm, demand.id));
    await act(
      firm,
      'evaluate',
      async (dialog) => {
        assert.match(await dialog.locator('[data-test=ev-solved-yes]').getAttribute('class'), /is-active/);
        await dialog.locator('[data-test=ev-satisfaction] .el-rate__item').nth(4).click();
        await dialog.locator('[data-test=ev-evaluation]').fill('Спасибо, вопрос решён быстро.');
      },
      'Закрыто',
    );
    await firm.locator('[data-test=demand-evaluation]', { hasText: '5/5' }).waitFor();
    const d = await (await firm.request.get(`${srv.base}/api/v1/demands/${demand.id}`)).json();
    assert.equal(d.state, 'closed');
    assert.equal(d.satisfaction, 5);
    assert.equal(d.solved, true);
    assert.deepEqual(await shownActions(firm), d.actions.map((a) => a.event));
  });

  await step(t, 'the rates table counts the evaluation', async () => {
    cur = disp;
    await disp.locator('[data-test=menu-demand-stats]').click();
    await disp.reload();
    await disp.locator('[data-test=sat-den-all]').waitFor();
    await disp.waitForFunction(
      (want) => Number(document.querySelector('[data-test=sat-den-all]').textContent) === want,
      before0.den + 1,
    );
    assert.equal(Number(await disp.locator('[data-test=sat-num-all]').textContent()), before0.num + 1);
    assert.equal(Number(await disp.locator('[data-test=res-den-all]').textContent()), before0.resDen + 1);
    // The month the demand was accepted in has its row, and the chart its point.
    const month = (await (await disp.request.get(`${srv.base}/api/v1/demands/${demand.id}`)).json()).accepted_on.slice(0, 7);
    assert.ok(Number(await disp.locator(`[data-test=sat-den-${month}]`).textContent()) >= 1);
    const chartRows = await disp.$$eval('[data-test=chart-demand-rates] tr', (trs) => trs.map((tr) => tr.querySelector('th').textContent.trim()));
    assert.ok(chartRows.includes(month), `the rates chart has ${month}`);
  });

  await step(t, 'the list exports to XLSX with the demand in it', async () => {
    await disp.locator('[data-test=menu-demands]').click();
    await disp.locator('[data-test=box-all]').click();
    await disp.locator(`[data-test="demand-link-${demand.code}"]`).waitFor();
    const [download] = await Promise.all([disp.waitForEvent('download'), disp.locator('[data-test=export]').click()]);
    const cells = xlsxCells(readFileSync(await download.path()));
    assert.ok(cells.includes(demand.code), 'the export lists the demand');
    assert.ok(cells.includes(TITLE));
  });

  await step(t, 'no CSP violation or page error', async () => {
    for (const [role, { watch }] of Object.entries(pages)) assert.deepEqual(watch.problems(), [], role);
  });
});
