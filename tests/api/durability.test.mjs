// durability.test.mjs — a write acknowledged to a client survives `kill -9` of the server
// (DESIGN.md §6): many writes, each answered 201, then the process dies at once; a new server
// on the same database finds every one of them, and the audit chain is whole.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  freshDatabase, startServer, cleanupAll, Client, ADMIN_PASSWORD, newCreditCode, auditVerify, SLOW,
} from './lib.mjs';

after(cleanupAll, { timeout: 120000 * SLOW });

test('acknowledged writes survive kill -9', { timeout: 120000 * SLOW }, async () => {
  const db = freshDatabase('durable');
  // The production setting (synchronous=FULL on SQLite), not the tests' faster default.
  const a = await startServer(db, { env: { FTZ_SQLITE_SYNC: 'FULL' } });
  const admin = new Client(a.base);
  assert.equal((await admin.login('admin', ADMIN_PASSWORD)).status, 200);
  const acked = [];
  // Writes in flight when the kill lands: only the acknowledged ones are promised.
  const inflight = [];
  for (let i = 0; i < 40; i++) {
    const code = newCreditCode();
    const p = admin.post('/api/v1/firms', { credit_code: code, name_zh: `持久测试企业${i}` }).then(
      (r) => {
        if (r.status === 201) acked.push({ code, id: r.body.id });
        return r;
      },
      () => null,
    );
    inflight.push(p);
    if (i === 30) break;
    if (i % 5 === 4) await p; // let some complete before the next batch
  }
  await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 50))]);
  const snapshot = [...acked];
  await a.kill9();
  await Promise.allSettled(inflight);
  assert.ok(snapshot.length >= 5, `only ${snapshot.length} writes were acknowledged before the kill`);

  const b = await startServer(db, { env: { FTZ_SQLITE_SYNC: 'FULL' } });
  const admin2 = new Client(b.base);
  assert.equal((await admin2.login('admin', ADMIN_PASSWORD)).status, 200);
  for (const { code, id } of snapshot) {
    const r = await admin2.get(`/api/v1/firms/${id}`);
    assert.equal(r.status, 200, `firm ${id} (${code}) acknowledged before the kill is gone`);
    assert.equal(r.body.credit_code, code);
  }
  await b.stop();
  const v = auditVerify(db);
  assert.equal(v.code, 0, `audit chain after kill -9: ${v.stdout} ${v.stderr}`);
  assert.equal(v.report.ok, true);
});
