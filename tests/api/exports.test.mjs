// exports.test.mjs — lists as files (DESIGN.md §4): small exports are answered at once; an
// export over the setting export.sync_max_rows runs as a job (202 + Location), reruns the
// list as its creator (same filters, same scope), reports progress, and leaves a file the
// creator can download — and nobody outside the creator's scope can.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, waitFor, expectStatus, expectProblem, expectXlsx, XLSX_TYPE } from './lib.mjs';

const h = useServer('exports');

async function setSyncMax(n) {
  const admin = await h.login('admin');
  const r = await admin.patch('/api/v1/settings', { 'export.sync_max_rows': n });
  expectStatus(r, 200);
}

async function finished(client, location) {
  return waitFor(
    async () => {
      const r = await client.get(location);
      expectStatus(r, 200);
      return ['done', 'failed'].includes(r.body.state) ? r.body : null;
    },
    { timeoutMs: 30000, what: `export job ${location}` },
  );
}

test('a small export is answered at once', async () => {
  await setSyncMax(5000);
  const admin = await h.login('admin');
  expectXlsx(await admin.get('/api/v1/audit.xlsx'));
});

test('a large export runs as a job with progress and leaves a downloadable file', async () => {
  await setSyncMax(3);
  const admin = await h.login('admin');
  const r = await admin.get('/api/v1/audit.xlsx?action=firm.*');
  expectStatus(r, 202);
  const loc = r.headers.get('location');
  assert.match(loc, /^\/api\/v1\/jobs\/\d+$/);
  assert.equal(r.body.job.kind, 'export');
  const job = await finished(admin, loc);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.percent, 100);
  assert.ok(job.result.rows >= 5, 'the demo made at least five firm changes');
  assert.equal(job.result.media_type, XLSX_TYPE);
  const file = await admin.get(`/api/v1/files/${job.result.file_id}/content`);
  expectStatus(file, 200);
  assert.equal(file.bytes.slice(0, 2).toString('latin1'), 'PK');
  assert.match(file.headers.get('content-disposition') || '', /audit-\d{8}\.xlsx/);
  // The filter was applied: every row is a firm change (the CSV form shows it plainly).
  const csv = await admin.get('/api/v1/audit.csv?action=firm.*');
  expectStatus(csv, 202);
  const cjob = await finished(admin, csv.headers.get('location'));
  assert.equal(cjob.state, 'done');
  const text = (await admin.get(`/api/v1/files/${cjob.result.file_id}/content`)).text;
  const lines = text.trim().split(/\r\n/).slice(1);
  assert.equal(lines.length, cjob.result.rows);
  for (const l of lines) assert.match(l, /,firm\.(create|update),firm,/);
  await setSyncMax(5000);
});

test("an export job runs in its creator's scope, and its file is the creator's", async () => {
  await setSyncMax(1);
  const firm = await h.login('firm');
  const r = await firm.get('/api/v1/firms.csv');
  // the firm account sees one firm: under the limit of 1, answered at once
  expectStatus(r, 200);
  const commissioner = await h.login('commissioner');
  const r2 = await commissioner.get('/api/v1/firms.csv');
  expectStatus(r2, 202);
  const job = await finished(commissioner, r2.headers.get('location'));
  assert.equal(job.state, 'done');
  assert.equal(job.result.rows, 3, 'the commissioner looks after three demo firms');
  // someone else cannot see the job or download the file
  const staff = await h.login('staff');
  expectProblem(await staff.get(r2.headers.get('location')), 404);
  const other = await firm.get(`/api/v1/files/${job.result.file_id}/content`);
  expectProblem(other, 404);
  await setSyncMax(5000);
});

test('the export setting is checked like any setting', async () => {
  const admin = await h.login('admin');
  expectProblem(await admin.patch('/api/v1/settings', { 'export.sync_max_rows': 0 }), 422);
  expectProblem(await admin.patch('/api/v1/settings', { 'export.sync_max_rows': 'many' }), 422);
});
