// cluster.test.mjs — scale-out (DESIGN.md §6): many stateless `ftz serve` processes on one
// PostgreSQL database. Sessions, throttling, settings, tokens and files live in the
// database, so whatever happens on instance A holds on instance B. PostgreSQL only: on
// SQLite every case is skipped.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD,
  DEMO_PASSWORD,
  IS_PG,
  Client,
  freshDatabase,
  startServer,
  cleanupAll,
  expectStatus,
  expectProblem,
  expectAudit,
} from './lib.mjs';

after(cleanupAll, { timeout: 180000 });

let pair;
/** Two servers on one fresh PostgreSQL database (made on first use). */
function cluster() {
  if (!pair) {
    pair = (async () => {
      const db = freshDatabase('cluster');
      const a = await startServer(db);
      const b = await startServer(db);
      assert.notEqual(a.port, b.port);
      return { db, a, b };
    })();
  }
  return pair;
}

/** Registers a PostgreSQL-only test: skipped (t.skip) on SQLite. */
function pgTest(name, fn) {
  test(name, async (t) => {
    if (!IS_PG) {
      t.skip('PostgreSQL only (FTZ_TEST_DB=pg)');
      return;
    }
    await fn(await cluster());
  });
}

pgTest('a session opened on instance A is valid on instance B, with the same CSRF token', async ({ a, b }) => {
  const onA = new Client(a.base);
  const login = await onA.login('staff', DEMO_PASSWORD);
  expectStatus(login, 200);
  const onB = new Client(b.base).withSessionOf(onA);
  const r = await onB.get('/api/v1/session');
  expectStatus(r, 200);
  assert.equal(r.body.user.username, 'staff');
  assert.equal(r.body.csrf, login.body.csrf);
  // and a write on B with A's session and token goes through
  const t = await onB.post('/api/v1/tokens', { name: 'made-on-b', permissions: ['firm.read'] });
  expectStatus(t, 201);
  const admin = new Client(a.base);
  expectStatus(await admin.login('admin', ADMIN_PASSWORD), 200);
  await expectAudit(admin, t, { entity: 'token', entityId: t.body.id, action: 'token.create' });
  // without the token the write is refused on B as on A
  expectProblem(await onB.post('/api/v1/tokens', { name: 'x', permissions: ['firm.read'] }, { csrf: false }), 403, { code: 'csrf' });
});

pgTest('a log-out on instance B ends the session on instance A', async ({ a, b }) => {
  const onA = new Client(a.base);
  expectStatus(await onA.login('customs', DEMO_PASSWORD), 200);
  expectStatus(await onA.get('/api/v1/session'), 200);
  const onB = new Client(b.base).withSessionOf(onA);
  expectStatus(await onB.logout(), 204);
  expectProblem(await onA.get('/api/v1/session'), 401);
  expectProblem(await onA.get('/api/v1/firms'), 401);
});

pgTest('throttling counts failures across instances: 5 on A, the 6th on B is 429', async ({ a, b }) => {
  for (let i = 0; i < 5; i++) expectProblem(await new Client(i % 2 ? b.base : a.base).login('station', `wrong-${i}`), 401);
  const r = await new Client(b.base).login('station', DEMO_PASSWORD);
  expectProblem(r, 429, { code: 'throttled' });
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  expectProblem(await new Client(a.base).login('station', DEMO_PASSWORD), 429);
});

pgTest('a setting changed on A is in force on B at once', async ({ a, b }) => {
  const onA = new Client(a.base);
  expectStatus(await onA.login('admin', ADMIN_PASSWORD), 200);
  expectStatus(await onA.patch('/api/v1/settings', { 'zone.name_en': 'Heihe (cluster)' }), 200);
  const onB = new Client(b.base).withSessionOf(onA);
  const r = await onB.get('/api/v1/settings/zone.name_en');
  expectStatus(r, 200);
  assert.equal(r.body.value, 'Heihe (cluster)');
});

pgTest('a file uploaded on A downloads from B; a token revoked on B is refused on A', async ({ a, b }) => {
  const onA = new Client(a.base);
  expectStatus(await onA.login('admin', ADMIN_PASSWORD), 200);
  const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
  const up = await onA.request('POST', '/api/v1/files?name=c.pdf', { body: pdf, headers: { 'content-type': 'application/pdf' } });
  expectStatus(up, 201);
  const onB = new Client(b.base).withSessionOf(onA);
  const dl = await onB.get(`/api/v1/files/${up.body.id}/content`);
  expectStatus(dl, 200);
  assert.ok(dl.bytes.equals(pdf));
  const t = await onA.post('/api/v1/tokens', { name: 'cluster-bot', permissions: ['firm.read'] });
  expectStatus(t, 201);
  expectStatus(await new Client(b.base, { token: t.body.secret }).get('/api/v1/firms'), 200);
  expectStatus(await onB.del(`/api/v1/tokens/${t.body.id}`), 204);
  expectProblem(await new Client(a.base, { token: t.body.secret }).get('/api/v1/firms'), 401, { code: 'bad_token' });
});

pgTest('the audit chain stays whole when two instances append at the same time', async ({ db, a, b }) => {
  const onA = new Client(a.base);
  expectStatus(await onA.login('admin', ADMIN_PASSWORD), 200);
  const onB = new Client(b.base).withSessionOf(onA);
  const writes = [];
  for (let i = 0; i < 20; i++) {
    const c = i % 2 ? onB : onA;
    writes.push(c.post('/api/v1/departments', { code: `CL${i}X${Date.now() % 100000}`, name: `并发 ${i}` }));
  }
  for (const r of await Promise.all(writes)) expectStatus(r, 201);
  const v = await onB.post('/api/v1/audit/verify');
  expectStatus(v, 200);
  assert.equal(v.body.ok, true, JSON.stringify(v.body));
  assert.equal(Number(db.sql('SELECT count(*) FROM audit')), v.body.rows);
});
