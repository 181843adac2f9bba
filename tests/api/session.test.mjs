// session.test.mjs — log-in, the session and its CSRF token, log-out, own password, wrong
// passwords and throttling, CSRF refusal (DESIGN.md §4 "Session", §7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  SLOW,
  Client,
  useServer,
  startServer,
  sleep,
  expectStatus,
  expectProblem,
  expectAudit,
  expectNoAudit,
  expectSecurityHeaders,
} from './lib.mjs';

const h = useServer('session');

test('log-in answers the user, the CSRF token and the permissions, and sets the cookie', async () => {
  const c = h.anon();
  const r = await c.login('admin', ADMIN_PASSWORD);
  expectStatus(r, 200);
  expectSecurityHeaders(r);
  assert.equal(r.body.user.username, 'admin');
  assert.deepEqual(r.body.user.roles, ['admin']);
  assert.equal(r.body.user.password_hash, undefined, 'never the hash');
  assert.equal(typeof r.body.csrf, 'string');
  assert.ok(r.body.csrf.length >= 16);
  assert.ok(r.body.permissions.includes('auth.user.admin'));
  const sc = r.headers.getSetCookie().find((s) => s.startsWith('ftz_session='));
  assert.ok(sc, 'ftz_session cookie set');
  assert.match(sc, /HttpOnly/i);
  assert.match(sc, /SameSite=Strict/i);
  assert.match(sc, /Path=\//);
  assert.doesNotMatch(sc, /Secure/, 'no Secure over plain HTTP');
  const maxAge = Number(/Max-Age=(\d+)/i.exec(sc)?.[1]);
  assert.ok(maxAge > 3600 && maxAge <= 90 * 86400, `an absolute expiry: ${sc}`);
  await expectAudit(await h.as('admin'), r, { entity: 'user', entityId: h.ids.user.admin ?? 1, action: 'session.login' });
});

test('behind TLS (X-Forwarded-Proto: https) the cookie is Secure', async () => {
  const c = h.anon();
  const r = await c.post(
    '/api/v1/session',
    { username: 'leader', password: DEMO_PASSWORD },
    { headers: { 'x-forwarded-proto': 'https' } },
  );
  expectStatus(r, 200);
  const sc = r.headers.getSetCookie().find((s) => s.startsWith('ftz_session='));
  assert.match(sc, /;\s*Secure/);
});

test('GET /api/v1/session gives the same user and CSRF token back (a reloaded page)', async () => {
  const c = h.anon();
  const login = await c.login('staff', DEMO_PASSWORD);
  expectStatus(login, 200);
  const r = await c.get('/api/v1/session');
  expectStatus(r, 200);
  assert.equal(r.body.user.username, 'staff');
  assert.equal(r.body.csrf, login.body.csrf);
  assert.deepEqual(r.body.permissions, login.body.permissions);
});

test('GET /api/v1/session without a session is 401', async () => {
  const r = await h.anon().get('/api/v1/session');
  expectProblem(r, 401, { code: 'login_required' });
});

test('a forged or unknown session cookie is 401', async () => {
  const c = h.anon();
  c.cookies.set('ftz_session', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  expectProblem(await c.get('/api/v1/session'), 401);
  expectProblem(await c.get('/api/v1/firms'), 401);
});

test('a bearer client gets its user and no CSRF token from GET /api/v1/session', async () => {
  const staff = await h.as('staff');
  const t = await staff.post('/api/v1/tokens', { name: 'session-probe', permissions: ['firm.read'] });
  expectStatus(t, 201);
  const r = await h.bearer(t.body.secret).get('/api/v1/session');
  expectStatus(r, 200);
  assert.equal(r.body.user.username, 'staff');
  assert.equal(r.body.csrf, null);
});

test('user names are lower case: "Admin" logs in as admin', async () => {
  const r = await h.anon().login('Admin', ADMIN_PASSWORD);
  expectStatus(r, 200);
  assert.equal(r.body.user.username, 'admin');
});

test('log-out ends the session: 204, the cookie is cleared, the old cookie is refused', async () => {
  const c = await h.as('customs', { fresh: true });
  const cookie = c.cookies.get('ftz_session');
  const r = await c.logout();
  expectStatus(r, 204);
  const sc = r.headers.getSetCookie().find((s) => s.startsWith('ftz_session='));
  assert.match(sc, /Max-Age=0/);
  expectProblem(await c.get('/api/v1/session'), 401);
  const replay = h.anon();
  replay.cookies.set('ftz_session', cookie);
  expectProblem(await replay.get('/api/v1/session'), 401);
  expectProblem(await replay.get('/api/v1/firms'), 401);
  await expectAudit(await h.as('admin'), r, { entity: 'user', entityId: h.ids.user.customs, action: 'session.logout' });
});

test('log-out without a session is 401', async () => {
  expectProblem(await h.anon().del('/api/v1/session'), 401);
});

// Wrong credentials: every case is a 401 with the same message, so a caller cannot tell an
// unknown user from a wrong password. (Few cases: the client address is throttled too.)
const badLogins = [
  { name: 'wrong password', body: { username: 'postal', password: 'not-the-password' } },
  { name: 'unknown user', body: { username: 'nobody-here', password: DEMO_PASSWORD } },
];
for (const c of badLogins) {
  test(`log-in refused: ${c.name} → 401 bad_login, no cookie`, async () => {
    const r = await h.anon().post('/api/v1/session', c.body);
    expectProblem(r, 401, { code: 'bad_login' });
    assert.equal(r.headers.getSetCookie().filter((s) => s.startsWith('ftz_session=')).length, 0);
  });
}

const malformedLogins = [
  { name: 'missing both', body: {}, fields: ['username:required', 'password:required'] },
  { name: 'wrong types', body: { username: 7, password: true }, fields: ['username:type', 'password:type'] },
  { name: 'unknown member', body: { username: 'admin', password: 'x', remember: true }, fields: ['remember:unknown'] },
  { name: 'empty password', body: { username: 'admin', password: '' }, fields: ['password:required'] },
];
for (const c of malformedLogins) {
  test(`log-in body checked: ${c.name} → 422 listing ${c.fields.join(', ')}`, async () => {
    expectProblem(await h.anon().post('/api/v1/session', c.body), 422, { fields: c.fields });
  });
}

test('a disabled account cannot log in', async () => {
  const admin = await h.as('admin');
  const station = h.ids.user.station;
  expectStatus(await admin.post(`/api/v1/users/${station}/disable`), 200);
  expectProblem(await h.anon().login('station', DEMO_PASSWORD), 401, { code: 'bad_login' });
  expectStatus(await admin.post(`/api/v1/users/${station}/enable`), 200);
  expectStatus(await h.anon().login('station', DEMO_PASSWORD), 200);
});

test('throttling: after 5 wrong passwords the 6th attempt is 429 with Retry-After, even with the right password', async () => {
  const c = h.anon();
  for (let i = 1; i <= 5; i++) {
    const r = await c.post('/api/v1/session', { username: 'firm', password: `wrong-password-${i}` });
    expectProblem(r, 401, { code: 'bad_login' });
  }
  const r = await c.post('/api/v1/session', { username: 'firm', password: DEMO_PASSWORD });
  expectProblem(r, 429, { code: 'throttled' });
  const ra = Number(r.headers.get('retry-after'));
  assert.ok(Number.isInteger(ra) && ra > 0 && ra <= 900, `Retry-After in seconds: ${r.headers.get('retry-after')}`);
  // Counted by user name: another account logs in from the same address.
  expectStatus(await h.anon().login('commissioner', DEMO_PASSWORD), 200);
  // The key is the lower-cased name: "FIRM" is the same account.
  expectProblem(await c.post('/api/v1/session', { username: 'FIRM', password: DEMO_PASSWORD }), 429);
});

test('a successful log-in clears the failures counted for that user name', async () => {
  const c = h.anon();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 3; i++) expectProblem(await c.login('commissioner', `nope-${round}-${i}`), 401);
    expectStatus(await c.login('commissioner', DEMO_PASSWORD), 200);
  }
});

test('own password: wrong current → 422, weak new → 422, both listed; then a change works', async () => {
  const c = await h.as('postal', { fresh: true });
  let r = await c.post('/api/v1/session/password', { current_password: 'nope-nope-nope', new_password: 'short' });
  expectProblem(r, 422, { fields: ['current_password:wrong_password', 'new_password:too_short'] });
  r = await c.post('/api/v1/session/password', { current_password: DEMO_PASSWORD, new_password: 'postal' });
  expectProblem(r, 422);
  assert.ok(r.body.errors.some((e) => e.field === 'new_password'));
  r = await c.post('/api/v1/session/password', { current_password: DEMO_PASSWORD, new_password: 'a-new-postal-pw-2026', extra: 1 });
  expectProblem(r, 422, { fields: ['extra:unknown'] });
  r = await c.post('/api/v1/session/password', { current_password: DEMO_PASSWORD, new_password: 'a-new-postal-pw-2026' });
  expectStatus(r, 204);
  await expectAudit(await h.as('admin'), r, { entity: 'user', entityId: h.ids.user.postal, action: 'user.password.change' });
  // the session that changed it goes on; the old password no longer opens one
  expectStatus(await c.get('/api/v1/session'), 200);
  expectProblem(await h.anon().login('postal', DEMO_PASSWORD), 401);
  expectStatus(await h.anon().login('postal', 'a-new-postal-pw-2026'), 200);
});

test('own password needs a session: 401 without one', async () => {
  const r = await h.anon().post('/api/v1/session/password', { current_password: 'x', new_password: 'y' });
  expectProblem(r, 401);
});

// CSRF: a cookie-authenticated write without the right X-CSRF-Token is refused before
// anything happens; the same request with the token passes.
const csrfCases = [
  { name: 'no token', opts: { csrf: false } },
  { name: 'a wrong token', opts: { csrfToken: 'not-the-token' } },
  { name: 'an empty token', opts: { csrfToken: '', headers: { 'x-csrf-token': '' } } },
  { name: "another session's token", opts: 'other' },
];
for (const c of csrfCases) {
  test(`CSRF: a cookie write with ${c.name} → 403 csrf, nothing written`, async () => {
    const admin = await h.as('admin');
    let opts = c.opts;
    if (opts === 'other') opts = { csrfToken: (await h.as('leader')).csrf };
    const code = `CSRF${Math.floor(Math.random() * 1e6)}`;
    const r = await admin.post('/api/v1/departments', { code, name: 'csrf probe' }, opts);
    expectProblem(r, 403, { code: 'csrf' });
    await expectNoAudit(admin, r);
    const list = await admin.get('/api/v1/departments');
    assert.ok(!list.body.items.some((d) => d.code === code), 'nothing created');
  });
}

test('CSRF is demanded on PATCH and DELETE too, and of the log-out', async () => {
  const admin = await h.as('admin');
  const zone = h.ids.dept.ZONE;
  expectProblem(await admin.patch(`/api/v1/departments/${zone}`, { version: 1, name: 'x' }, { csrf: false }), 403, { code: 'csrf' });
  expectProblem(await admin.del(`/api/v1/departments/${zone}`, { csrf: false }), 403, { code: 'csrf' });
  const c = await h.as('customs', { fresh: true });
  expectProblem(await c.del('/api/v1/session', { csrf: false }), 403, { code: 'csrf' });
  expectStatus(await c.get('/api/v1/session'), 200);
});

test('CSRF: reads need no token; bearer writes need none', async () => {
  const admin = await h.as('admin');
  expectStatus(await admin.get('/api/v1/departments', { csrf: false }), 200);
  const t = await admin.post('/api/v1/tokens', { name: 'csrf-free', permissions: ['auth.dept.admin', 'auth.dept.read'] });
  expectStatus(t, 201);
  const r = await h.bearer(t.body.secret).post('/api/v1/departments', { code: `TOK${Date.now() % 100000}`, name: 'by token' });
  expectStatus(r, 201);
});

test('the log-in itself needs no CSRF token (there is no session yet)', async () => {
  const c = h.anon();
  const r = await c.post('/api/v1/session', { username: 'customs', password: DEMO_PASSWORD }, { csrf: false });
  expectStatus(r, 200);
});

test('a new log-in replaces the cookie; each session has its own CSRF token', async () => {
  const a = await h.as('customs', { fresh: true });
  const b = await h.as('customs', { fresh: true });
  assert.notEqual(a.csrf, b.csrf);
  assert.notEqual(a.cookies.get('ftz_session'), b.cookies.get('ftz_session'));
  expectStatus(await a.get('/api/v1/session'), 200);
  expectStatus(await b.get('/api/v1/session'), 200);
  // a's token does not work with b's cookie
  const r = await b.del('/api/v1/session', { csrfToken: a.csrf });
  expectProblem(r, 403, { code: 'csrf' });
});

test('an idle session ends after the idle timeout (a server with FTZ_SESSION_IDLE=10)', { timeout: 120000 * SLOW }, async () => {
  const idle = await startServer(h.db, { env: { FTZ_SESSION_IDLE: '10' } });
  const c = new Client(idle.base);
  expectStatus(await c.login('leader', DEMO_PASSWORD), 200);
  expectStatus(await c.get('/api/v1/session'), 200);
  await sleep(11500);
  expectProblem(await c.get('/api/v1/session'), 401, { code: 'session_expired' });
  // the expired session is gone for every instance
  const other = new Client(h.base).withSessionOf(c);
  expectProblem(await other.get('/api/v1/session'), 401);
  await idle.stop();
});
