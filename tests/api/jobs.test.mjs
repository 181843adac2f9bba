// jobs.test.mjs — long work as jobs (DESIGN.md §4, §5 "Jobs"): /api/v1/jobs (enqueue with
// 202, state and percent, who sees which job), and the lease: a job whose server is killed
// with SIGKILL in the middle of the run is reclaimed and finished by another server on the
// same database (PostgreSQL, and SQLite — two servers on one file work as well).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_PASSWORD,
  BACKEND,
  SLOW,
  Client,
  useServer,
  demoVars,
  runCase,
  caseName,
  freshDatabase,
  startServer,
  waitFor,
  expectStatus,
  expectProblem,
  expectAudit,
  expectNoAudit,
  expectList,
} from './lib.mjs';

const h = useServer('jobs');
let v = {};
h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  const r = await admin.post('/api/v1/jobs', { kind: 'test.sleep', payload: { seconds: 1 } });
  expectStatus(r, 202);
  v.adminJob = r.body.id;
});

/** Polls GET /api/v1/jobs/{id} until pred(job) holds; returns the job. */
async function waitJob(client, id, pred, what, timeoutMs = 30000) {
  let last;
  await waitFor(
    async () => {
      const r = await client.get(`/api/v1/jobs/${id}`);
      expectStatus(r, 200);
      last = r.body;
      return pred(last);
    },
    { timeoutMs, everyMs: 100, what: `${what} (last: ${JSON.stringify(last)})` },
  );
  return last;
}

const access = [
  { as: null, method: 'GET', path: '/api/v1/jobs', status: 401 },
  { as: null, method: 'POST', path: '/api/v1/jobs', body: { kind: 'test.sleep', payload: { seconds: 1 } }, status: 401 },
  { as: null, method: 'GET', path: '/api/v1/jobs/:adminJob', status: 401 },
  { as: 'staff', method: 'POST', path: '/api/v1/jobs', body: { kind: 'test.sleep', payload: { seconds: 1 } }, status: 403, code: 'permission' },
  { as: 'leader', method: 'POST', path: '/api/v1/jobs', body: { kind: 'audit.verify' }, status: 403, code: 'permission' },
  // a job is its creator's (or a jobs.admin holder's): anyone else gets 404
  { as: 'staff', method: 'GET', path: '/api/v1/jobs/:adminJob', status: 404, code: 'not_found' },
  { as: 'firm', method: 'GET', path: '/api/v1/jobs/:adminJob', status: 404 },
  { as: 'admin', method: 'GET', path: '/api/v1/jobs/:missing', status: 404, code: 'not_found' },
  { as: 'admin', method: 'GET', path: '/api/v1/jobs/abc', status: 404 },
  { as: 'admin', method: 'DELETE', path: '/api/v1/jobs/:adminJob', status: 405 },
  { as: 'admin', method: 'GET', path: '/api/v1/jobs?state=stuck', status: 422, fields: ['state:enum'] },
  { as: 'admin', method: 'GET', path: '/api/v1/jobs?sort=owner', status: 422, fields: ['sort:enum'] },
];
for (const c of access) test(caseName(c), async () => runCase(h, c, v));

const badJobs = [
  { name: 'an unknown kind', body: { kind: 'rm.rf' }, fields: ['kind:enum'] },
  { name: 'no kind', body: { payload: {} }, fields: ['kind:required'] },
  { name: 'a payload that is no object', body: { kind: 'test.sleep', payload: [1] }, fields: ['payload:type'] },
  { name: 'the payload checked by its kind', body: { kind: 'test.sleep', payload: { seconds: 'six', extra: 1 } }, fields: ['payload.seconds:type', 'payload.extra:unknown'] },
  { name: 'a payload value out of range', body: { kind: 'test.sleep', payload: { seconds: 0 } }, fields: ['payload.seconds:range'] },
  { name: 'a missing payload member', body: { kind: 'test.sleep' }, fields: ['payload.seconds:required'] },
  { name: 'a payload for a kind that takes none', body: { kind: 'audit.verify', payload: { deep: true } }, fields: ['payload.deep:unknown'] },
  { name: 'an unknown member', body: { kind: 'audit.verify', when: 'now' }, fields: ['when:unknown'] },
];
for (const c of badJobs) {
  test(`POST /api/v1/jobs refused: ${c.name} → 422`, async () => {
    const admin = await h.as('admin');
    const r = await admin.post('/api/v1/jobs', c.body);
    expectProblem(r, 422, { fields: c.fields });
    await expectNoAudit(admin, r);
  });
}

test('POST /api/v1/jobs: 202 + Location, audited; the job runs to done with percent 100', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/jobs', { kind: 'test.sleep', payload: { seconds: 1 } });
  expectStatus(r, 202);
  assert.equal(r.headers.get('location'), `/api/v1/jobs/${r.body.id}`);
  assert.equal(r.body.kind, 'test.sleep');
  assert.ok(['queued', 'running'].includes(r.body.state), r.body.state);
  assert.equal(r.body.created_by, v.u_admin);
  const row = await expectAudit(admin, r, { entity: 'job', entityId: r.body.id, action: 'job.enqueue' });
  assert.deepEqual(row.after.payload, { seconds: 1 });
  const done = await waitJob(admin, r.body.id, (j) => j.state === 'done', 'the job to finish');
  assert.equal(done.percent, 100);
  assert.equal(done.attempts, 1);
  assert.deepEqual(done.result, { slept: 1 });
  assert.equal(done.error, null);
  assert.ok(done.started_at && done.finished_at);
});

test('an audit.verify job reports on the chain in its result', async () => {
  const admin = await h.as('admin');
  const r = await admin.post('/api/v1/jobs', { kind: 'audit.verify' });
  expectStatus(r, 202);
  const done = await waitJob(admin, r.body.id, (j) => j.state === 'done' || j.state === 'failed', 'audit.verify');
  assert.equal(done.state, 'done', JSON.stringify(done));
  assert.equal(done.result.first_bad, 0);
  assert.ok(done.result.rows > 0);
  assert.equal(done.result.rows, done.result.head_seq);
});

test('GET /api/v1/jobs: jobs.admin sees every job, others only their own; filters by state and kind', async () => {
  const admin = await h.as('admin');
  await waitJob(admin, v.adminJob, (j) => j.state === 'done', 'the first job');
  const all = expectList(await admin.get('/api/v1/jobs?per_page=200'));
  assert.ok(all.items.some((j) => j.id === v.adminJob));
  const ids = all.items.map((j) => j.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  const done = expectList(await admin.get('/api/v1/jobs?state=done&kind=test.sleep&per_page=200'));
  assert.ok(done.items.length >= 1);
  assert.ok(done.items.every((j) => j.state === 'done' && j.kind === 'test.sleep'));
  const staff = expectList(await (await h.as('staff')).get('/api/v1/jobs'));
  assert.deepEqual(staff.items, [], 'staff created no job');
  assert.equal(staff.total, 0);
});

// ---- the lease: kill -9 in the middle of a job -----------------------------------------

test(`a job whose server is killed (SIGKILL) mid-run is reclaimed and finished by another server (${BACKEND})`, { timeout: 180000 * SLOW }, async () => {
  const db = freshDatabase('jobs_reclaim');
  const a = await startServer(db);
  const b = await startServer(db);
  const viaA = new Client(a.base);
  expectStatus(await viaA.login('admin', ADMIN_PASSWORD), 200);
  // the session lives in the database: the same cookie works on B
  const viaB = new Client(b.base).withSessionOf(viaA);
  expectStatus(await viaB.get('/api/v1/session'), 200);

  const r = await viaA.post('/api/v1/jobs', { kind: 'test.sleep', payload: { seconds: 6 } });
  expectStatus(r, 202);
  const id = r.body.id;
  const running = await waitJob(viaA, id, (j) => j.state === 'running' && j.percent < 100, 'the job to start', 20000);
  assert.equal(running.attempts, 1);
  assert.ok(running.started_at);
  // Which server runs it: the owner is "host:pid:random" (read from the table; the API
  // shows it too if it chooses to).
  const owner = db.sql(`SELECT owner FROM jobs WHERE id = ${id}`);
  assert.match(owner, /^[^:]+:\d+:[0-9a-f]+$/, `the running job has an owner: '${owner}'`);
  if ('owner' in running) assert.equal(running.owner, owner);
  const pid = Number(owner.split(':')[1]);
  const [victim, survivor, client] = pid === a.pid ? [a, b, viaB] : [b, a, viaA];
  assert.equal(victim.pid, pid, `the owner ${owner} is one of the two servers (${a.pid}, ${b.pid})`);

  const killedAt = Date.now();
  const ex = await victim.kill9();
  assert.equal(ex.signal, 'SIGKILL');
  const lost = await client.get(`/api/v1/jobs/${id}`);
  expectStatus(lost, 200);
  assert.notEqual(lost.body.state, 'done', 'killed before it finished');

  const done = await waitJob(client, id, (j) => j.state === 'done' || j.state === 'failed', 'the survivor to finish the job', 60000);
  assert.equal(done.state, 'done', JSON.stringify(done));
  assert.equal(done.attempts, 2, 'claimed twice: once by each server');
  assert.equal(done.percent, 100);
  assert.deepEqual(done.result, { slept: 6 });
  assert.ok(Date.now() - killedAt >= 5000, 'the second run slept its six seconds again');
  const finalOwner = db.sql(`SELECT owner FROM jobs WHERE id = ${id}`);
  if (finalOwner) assert.match(finalOwner, new RegExp(`:${survivor.pid}:`), 'finished by the survivor');
  // the survivor still answers, and the audit chain is whole after the crash
  expectStatus(await client.get('/readyz'), 200);
  const verify = await client.post('/api/v1/audit/verify');
  expectStatus(verify, 200);
  assert.equal(verify.body.ok, true);
});
