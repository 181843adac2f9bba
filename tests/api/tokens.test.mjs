// tokens.test.mjs — /api/v1/tokens: API tokens for machine clients (DESIGN.md §4, §7): the
// secret shown once, a subset of the owner's permissions, the owner's scope, expiry,
// revocation, Bearer authentication without CSRF, audit rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer,
  demoVars,
  runCase,
  caseName,
  expectStatus,
  expectProblem,
  expectAudit,
  expectNoAudit,
  newCreditCode,
} from './lib.mjs';

const h = useServer('tokens');
let v = {};
h.setup(async () => {
  v = demoVars(h);
  // a token of the admin's, for the "someone else's token" cases
  const admin = await h.login('admin');
  const t = await admin.post('/api/v1/tokens', { name: 'admin-probe', permissions: ['firm.read'] });
  expectStatus(t, 201);
  v.adminToken = t.body.id;
});

const access = [
  { as: null, method: 'GET', path: '/api/v1/tokens', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/tokens', body: { name: 'x', permissions: ['firm.read'] }, status: 401 },
  { as: null, method: 'DELETE', path: '/api/v1/tokens/:adminToken', status: 401 },
  // commissioner has no auth.token.create
  { as: 'commissioner', method: 'POST', path: '/api/v1/tokens', body: { name: 'x', permissions: ['firm.read'] }, status: 403, code: 'permission' },
  { as: 'commissioner', method: 'GET', path: '/api/v1/tokens', status: 200 },
  // every user's tokens and tokens for others need auth.token.admin
  { as: 'staff', method: 'GET', path: '/api/v1/tokens?all=true', status: 403, code: 'permission' },
  { as: 'staff', method: 'POST', path: '/api/v1/tokens', body: { name: 'x', permissions: ['firm.read'], user_id: 1 }, status: 403, code: 'permission' },
  // another user's token is not found, whoever asks
  { as: 'staff', method: 'DELETE', path: '/api/v1/tokens/:adminToken', status: 404, code: 'not_found' },
  { as: 'admin', method: 'DELETE', path: '/api/v1/tokens/:missing', status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/tokens/x', status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/tokens?all=maybe', status: 422, fields: ['all:enum'] },
  { as: 'admin', method: 'GET', path: '/api/v1/tokens/:adminToken', status: 405 },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

test('POST /api/v1/tokens: 201, the secret once, Location, an audit row without the secret', async () => {
  const staff = await h.as('staff');
  const r = await staff.post('/api/v1/tokens', { name: 'ci-reader', permissions: ['firm.read', 'auth.dept.read'] });
  expectStatus(r, 201);
  assert.equal(r.headers.get('location'), `/api/v1/tokens/${r.body.id}`);
  assert.match(r.body.secret, /^ftz_[A-Za-z0-9_-]{40,}$/);
  assert.deepEqual(r.body.permissions, ['firm.read', 'auth.dept.read']);
  assert.equal(r.body.expires_at, null);
  const row = await expectAudit(await h.as('admin'), r, { entity: 'token', entityId: r.body.id, action: 'token.create' });
  assert.equal(JSON.stringify(row).includes(r.body.secret), false, 'the secret is not in the audit trail');
  // the list shows it without the secret
  const list = await staff.get('/api/v1/tokens');
  expectStatus(list, 200);
  const t = list.body.items.find((x) => x.id === r.body.id);
  assert.ok(t);
  assert.equal(t.secret, undefined);
  assert.equal(t.prefix, r.body.secret.slice(0, 10));
  assert.equal(t.username, 'staff');
  assert.ok(list.body.items.every((x) => x.username === 'staff'), 'only own tokens');
});

test('a token authenticates with Bearer, carries only its permissions and the owner\'s scope', async () => {
  const firm = await h.as('firm');
  const r = await firm.post('/api/v1/tokens', { name: 'erp', permissions: ['firm.read'] });
  expectStatus(r, 201);
  const bot = h.bearer(r.body.secret);
  const list = await bot.get('/api/v1/firms');
  expectStatus(list, 200);
  assert.deepEqual(list.body.items.map((f) => f.id), [v.ownFirm], 'the firm account\'s scope');
  expectProblem(await bot.get(`/api/v1/firms/${v.otherFirm}`), 404);
  // files.read is the owner's but not the token's
  expectProblem(await bot.get('/api/v1/files'), 403, { code: 'permission' });
  // the last use is recorded
  const mine = (await firm.get('/api/v1/tokens')).body.items.find((x) => x.id === r.body.id);
  assert.ok(mine.last_used_at, 'last_used_at set');
});

test('Bearer writes need no CSRF token; the audit row names the token\'s owner', async () => {
  const admin = await h.as('admin');
  const t = await admin.post('/api/v1/tokens', { name: 'registry-sync', permissions: ['firm.admin', 'firm.read'] });
  expectStatus(t, 201);
  const bot = h.bearer(t.body.secret);
  const r = await bot.post('/api/v1/firms', { credit_code: newCreditCode(), name_zh: '令牌创建的企业' });
  expectStatus(r, 201);
  const row = await expectAudit(admin, r, { entity: 'firm', entityId: r.body.id, action: 'firm.create' });
  assert.equal(row.actor, 'admin');
});

const badCreates = [
  { name: 'nothing', body: {}, fields: ['name:required', 'permissions:required'] },
  { name: 'no permissions', body: { name: 'x', permissions: [] }, fields: ['permissions:required'] },
  { name: 'an unknown permission', body: { name: 'x', permissions: ['firm.read', 'root'] }, fields: ['permissions[1]:enum'] },
  { name: 'a permission the owner lacks', body: { name: 'x', permissions: ['firm.read', 'auth.user.admin'] }, fields: ['permissions[1]:not_held'] },
  { name: 'an expiry in the past', body: { name: 'x', permissions: ['firm.read'], expires_at: '2020-01-01T00:00:00+08:00' }, fields: ['expires_at:in_past'] },
  { name: 'an expiry that is no time', body: { name: 'x', permissions: ['firm.read'], expires_at: 'tomorrow' }, fields: ['expires_at:format'] },
  { name: 'unknown and mistyped fields', body: { name: 3, permissions: ['firm.read'], scope: 'all', expires_at: 5 }, fields: ['name:type', 'scope:unknown', 'expires_at:type'] },
];
for (const c of badCreates) {
  test(`POST /api/v1/tokens refused: ${c.name} → 422 ${c.fields.join(', ')}`, async () => {
    const staff = await h.as('staff');
    const r = await staff.post('/api/v1/tokens', c.body);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(await h.as('admin'), r);
  });
}

test('an expiring token works until it expires and lists its expiry', async () => {
  const staff = await h.as('staff');
  const exp = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const r = await staff.post('/api/v1/tokens', { name: 'short-lived', permissions: ['firm.read'], expires_at: exp });
  expectStatus(r, 201);
  assert.equal(r.body.expires_at, exp);
  expectStatus(await h.bearer(r.body.secret).get('/api/v1/firms'), 200);
});

test('revoking: 204, audited, the token stops working; revoking again changes nothing', async () => {
  const staff = await h.as('staff');
  const t = await staff.post('/api/v1/tokens', { name: 'to-revoke', permissions: ['firm.read'] });
  expectStatus(t, 201);
  const bot = h.bearer(t.body.secret);
  expectStatus(await bot.get('/api/v1/firms'), 200);
  const r = await staff.del(`/api/v1/tokens/${t.body.id}`);
  expectStatus(r, 204);
  const row = await expectAudit(await h.as('admin'), r, { entity: 'token', entityId: t.body.id, action: 'token.revoke' });
  assert.equal(row.before.revoked_at, null);
  assert.ok(row.after.revoked_at);
  expectProblem(await bot.get('/api/v1/firms'), 401, { code: 'bad_token' });
  expectStatus(await staff.del(`/api/v1/tokens/${t.body.id}`), 204);
  const listed = (await staff.get('/api/v1/tokens')).body.items.find((x) => x.id === t.body.id);
  assert.ok(listed.revoked_at);
});

test('a token can revoke itself (DELETE needs no CSRF with Bearer)', async () => {
  const staff = await h.as('staff');
  const t = await staff.post('/api/v1/tokens', { name: 'self-revoke', permissions: ['firm.read'] });
  const bot = h.bearer(t.body.secret);
  expectStatus(await bot.del(`/api/v1/tokens/${t.body.id}`), 204);
  expectProblem(await bot.get('/api/v1/tokens'), 401);
});

test('auth.token.admin: every token with ?all=true, tokens for another user, revoking anyone\'s', async () => {
  const admin = await h.as('admin');
  const all = await admin.get('/api/v1/tokens?all=true');
  expectStatus(all, 200);
  const owners = new Set(all.body.items.map((t) => t.username));
  assert.ok(owners.has('staff') && owners.has('admin'), [...owners].join(','));
  const own = await admin.get('/api/v1/tokens');
  assert.ok(own.body.items.every((t) => t.username === 'admin'));
  const forCustoms = await admin.post('/api/v1/tokens', { name: 'for-customs', permissions: ['firm.read'], user_id: v.u_customs });
  expectStatus(forCustoms, 201);
  const bot = h.bearer(forCustoms.body.secret);
  const who = await bot.get('/api/v1/session');
  expectStatus(who, 200);
  assert.equal(who.body.user.username, 'customs');
  // the permission must be the owner's, not the creator's
  const notHeld = await admin.post('/api/v1/tokens', { name: 'x', permissions: ['auth.user.admin'], user_id: v.u_customs });
  expectProblem(notHeld, 422, { fields: ['permissions[0]:not_held'] });
  const noUser = await admin.post('/api/v1/tokens', { name: 'x', permissions: ['firm.read'], user_id: 987654321 });
  expectProblem(noUser, 422, { fields: ['user_id:no_such'] });
  expectStatus(await admin.del(`/api/v1/tokens/${forCustoms.body.id}`), 204);
  expectProblem(await bot.get('/api/v1/session'), 401);
});

test('a token loses what its owner loses: a disabled owner\'s token is refused', async () => {
  const admin = await h.as('admin');
  const postal = await h.as('postal');
  const t = await postal.post('/api/v1/tokens', { name: 'postal-bot', permissions: ['firm.read'] });
  expectStatus(t, 201);
  const bot = h.bearer(t.body.secret);
  expectStatus(await bot.get('/api/v1/firms'), 200);
  expectStatus(await admin.post(`/api/v1/users/${v.u_postal}/disable`), 200);
  expectProblem(await bot.get('/api/v1/firms'), 401);
  expectStatus(await admin.post(`/api/v1/users/${v.u_postal}/enable`), 200);
  expectStatus(await bot.get('/api/v1/firms'), 200);
});

const badBearers = [
  { name: 'an unknown secret', header: 'Bearer ftz_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  { name: 'an empty secret', header: 'Bearer ' },
  { name: 'another scheme', header: 'Basic YWRtaW46YWRtaW4=' },
  { name: 'an overlong secret', header: `Bearer ${'x'.repeat(300)}` },
];
for (const c of badBearers) {
  test(`Authorization with ${c.name} → 401`, async () => {
    const r = await h.anon().get('/api/v1/firms', { headers: { authorization: c.header } });
    expectProblem(r, 401, { code: 'bad_token' });
  });
}
