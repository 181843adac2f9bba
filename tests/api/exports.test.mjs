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

test('GET /api/v1/jobs/{id}/file: the creator downloads without files.read; others get 404', async () => {
  await setSyncMax(1);
  const admin = await h.login('admin');
  // a role with audit.read only: no files.read
  const role = await admin.post('/api/v1/roles', {
    name: `auditor_${Date.now() % 100000}`,
    title_zh: '审计员',
    title_ru: 'Аудитор',
    title_en: 'Auditor',
    permissions: ['audit.read'],
  });
  expectStatus(role, 201);
  const username = `auditor.${Date.now() % 100000}`;
  expectStatus(
    await admin.post('/api/v1/users', {
      username,
      password: 'auditor-pass-2026',
      display_name: '审计员',
      roles: [role.body.name],
      scope: 'all',
    }),
    201,
  );
  const { Client } = await import('./lib.mjs');
  const auditor = new Client(h.base);
  expectStatus(await auditor.login(username, 'auditor-pass-2026'), 200);
  const r = await auditor.get('/api/v1/audit.csv');
  expectStatus(r, 202);
  const loc = r.headers.get('location');
  // not done yet, or done: the file route answers 404 until done
  const job = await finished(auditor, loc);
  assert.equal(job.state, 'done');
  expectProblem(await auditor.get(`/api/v1/files/${job.result.file_id}/content`), 403);
  const file = await auditor.get(`${loc}/file`);
  expectStatus(file, 200);
  assert.match(file.type, /^text\/csv/);
  assert.ok(file.text.split('\r\n').length > 2);
  const staff = await h.login('staff');
  expectProblem(await staff.get(`${loc}/file`), 404);
  expectProblem(await auditor.get('/api/v1/jobs/999999/file'), 404);
  await setSyncMax(5000);
});

test('PATCH /api/v1/session sets the caller’s own language, audited; bad values are 422', async () => {
  const station = await h.login('station', { fresh: true });
  const r = await station.patch('/api/v1/session', { lang: 'en' });
  expectStatus(r, 200);
  assert.equal(r.body.user.lang, 'en');
  const again = await station.get('/api/v1/session');
  assert.equal(again.body.user.lang, 'en');
  expectProblem(await station.patch('/api/v1/session', { lang: 'fr' }), 422);
  expectProblem(await station.patch('/api/v1/session', { lang: 'ru', extra: 1 }), 422);
  expectProblem(await station.patch('/api/v1/session', { lang: 'ru' }, { csrf: false }), 403);
  expectStatus(await station.patch('/api/v1/session', { lang: 'ru' }), 200);
  const admin = await h.login('admin');
  const a = await admin.get('/api/v1/audit?action=user.lang');
  expectStatus(a, 200);
  assert.ok(a.body.items.some((row) => row.after && row.after.lang === 'en'));
});
