// firm-import.test.mjs — the firm registry filled from CSV and XLSX (firm/import.h) as two
// jobs: POST /api/v1/firms/imports {file_id} checks an uploaded file, reporting every bad row
// with its row number and field; POST /api/v1/firms/imports/{job_id}/commit {keep} writes the
// good rows (or none) in one transaction, audited once per batch. The jobs run as the user who
// asked and are read back with GET /api/v1/jobs/{id} by that user (no jobs.admin needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_PASSWORD,
  useServer,
  demoVars,
  waitFor,
  expectStatus,
  expectProblem,
  expectList,
  newCreditCode,
  creditCode,
  uniq,
} from './lib.mjs';
import { xlsxBook } from './xlsx.mjs';

const h = useServer('firm-import');
const KEEPER = 'import-keeper'; // firm.admin, files.upload, scope dept_tree in INVEST; no jobs.admin
const KEEPER2 = 'import-keeper2';
const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let v = {};

h.setup(async () => {
  v = demoVars(h);
  const admin = await h.login('admin');
  const role = await admin.post('/api/v1/roles', {
    name: 'importer',
    title_zh: '企业导入员',
    title_ru: 'Импорт предприятий',
    title_en: 'Firm importer',
    permissions: ['firm.read', 'firm.edit', 'firm.admin', 'files.upload', 'files.read'],
  });
  expectStatus(role, 201);
  for (const username of [KEEPER, KEEPER2]) {
    const u = await admin.post('/api/v1/users', {
      username,
      password: DEMO_PASSWORD,
      display_name: `导入员 ${username}`,
      roles: ['importer'],
      department_id: v.d_INVEST,
      scope: 'dept_tree',
    });
    expectStatus(u, 201);
  }
});

// ---- helpers ----

const cellText = (x) => {
  if (x === null || x === undefined) return '';
  const s = String(x);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
/** A CSV as Excel saves it: byte-order mark, CRLF; [] is a blank line. */
const csv = (rows) => `\uFEFF${rows.map((r) => r.map(cellText).join(',')).join('\r\n')}\r\n`;

async function upload(client, name, data, type) {
  const r = await client.request('POST', `/api/v1/files?name=${encodeURIComponent(name)}`, {
    body: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'),
    headers: { 'content-type': type },
  });
  expectStatus(r, 201);
  return r.body.id;
}

/** Polls the job as `client` until it ends; percents (optional) collects what was seen. */
async function waitJob(client, id, percents) {
  let last;
  await waitFor(
    async () => {
      const r = await client.get(`/api/v1/jobs/${id}`);
      expectStatus(r, 200);
      last = r.body;
      if (percents) percents.push([last.state, last.percent]);
      return last.state === 'done' || last.state === 'failed';
    },
    { timeoutMs: 60000, everyMs: percents ? 5 : 50, what: `job ${id} to end (last: ${JSON.stringify(last)})` },
  );
  return last;
}

/** 202 + Location + the queued job. */
function expectQueued(r) {
  expectStatus(r, 202);
  assert.equal(r.headers.get('location'), `/api/v1/jobs/${r.body.id}`);
  assert.equal(r.body.kind, 'firm.import');
  assert.ok(['queued', 'running', 'done'].includes(r.body.state), r.text);
  return r.body.id;
}

async function validateFile(client, fileId, percents) {
  const id = expectQueued(await client.post('/api/v1/firms/imports', { file_id: fileId }));
  const job = await waitJob(client, id, percents);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.percent, 100);
  assert.equal(job.result.mode, 'validate');
  return { id, result: job.result };
}

async function validate(client, name, data, type = CSV) {
  const fileId = await upload(client, name, data, type);
  return { fileId, ...(await validateFile(client, fileId)) };
}

async function commit(client, validationId, keep) {
  const id = expectQueued(await client.post(`/api/v1/firms/imports/${validationId}/commit`, { keep }));
  const job = await waitJob(client, id);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.equal(job.result.mode, 'commit');
  assert.equal(job.result.keep, keep);
  assert.equal(job.result.validation_job_id, validationId);
  return { id, result: job.result };
}

/** "row:field:code" of every error, sorted. */
const errs = (result) => result.errors.map((e) => `${e.row}:${e.field}:${e.code}`).sort();

async function firmByCode(code) {
  const b = expectList(await (await h.as('admin')).get(`/api/v1/firms?q=${encodeURIComponent(code)}`));
  return b.items.find((f) => f.credit_code === code) || null;
}

/** The firm.import audit rows of a commit job. */
async function importAudits(jobId) {
  const b = expectList(await (await h.as('admin')).get('/api/v1/audit?action=firm.import&per_page=200'));
  return b.items.filter((row) => row.after && row.after.job_id === jobId);
}

const HEADER = [
  'credit_code', 'name_zh', 'name_ru', 'name_en', 'industry', 'customs_code', 'cross_border',
  'address', 'legal_rep', 'contact_name', 'contact_phone', 'contact_email', 'status',
];

// ---- the good path ----

test('a good CSV is checked without writing, then committed in one batch with one audit row', async () => {
  const keeper = await h.as(KEEPER);
  const codes = [newCreditCode(), newCreditCode(), newCreditCode()];
  const file = csv([
    HEADER,
    [codes[0].toLowerCase(), '黑河导入一号有限公司', 'ООО «Импорт-1»', 'Import One', '51', '2311960abc', '是', '黑河市自贸片区', '张三', 'Иван', '+7 (4162) 000-000', 'one@import.example', 'active'],
    [codes[1], '黑河导入二号有限公司', '', '', '', '', 'нет', '', '', '', '', '', ''],
    [codes[2], ' 黑河导入三号有限公司 ', 'ООО "Три"', '', '', '', 'TRUE', '', '', '', "'+86 456 822 1234", '', 'Suspended'],
  ]);
  const { fileId, id, result } = await validate(keeper, 'firms.csv', file);
  assert.equal(result.format, 'csv');
  assert.equal(result.file_id, fileId);
  assert.equal(result.file_name, 'firms.csv');
  assert.equal(result.usable, true);
  assert.deepEqual([result.rows, result.good, result.bad, result.errors_total], [3, 3, 0, 0], JSON.stringify(result.errors));
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.columns.map((c) => `${c.column}=${c.field}`), HEADER.map((f, i) => `${String.fromCharCode(65 + i)}=${f}`));
  for (const code of codes) assert.equal(await firmByCode(code), null, 'validation writes nothing');

  const done = await commit(keeper, id, 'good');
  assert.deepEqual(
    [done.result.written, done.result.inserted, done.result.skipped, done.result.reason],
    [true, 3, 0, null],
  );
  const one = await firmByCode(codes[0]);
  assert.ok(one, 'the first firm is registered');
  assert.equal(one.name_zh, '黑河导入一号有限公司');
  assert.equal(one.name_ru, 'ООО «Импорт-1»');
  assert.equal(one.customs_code, '2311960ABC', 'upper-cased like the API does');
  assert.equal(one.cross_border, true);
  assert.equal(one.industry, '51');
  assert.equal(one.contact_email, 'one@import.example');
  assert.equal(one.status, 'active');
  const two = await firmByCode(codes[1]);
  assert.equal(two.cross_border, false);
  assert.equal(two.name_ru, null, 'an empty cell is no value');
  const three = await firmByCode(codes[2]);
  assert.equal(three.name_zh, '黑河导入三号有限公司', 'trimmed');
  assert.equal(three.name_ru, 'ООО "Три"');
  assert.equal(three.contact_phone, '+86 456 822 1234', "the export's formula guard is dropped");
  assert.equal(three.status, 'suspended');

  // audited per batch: one firm.import row naming the user, the file and the new ids
  const rows = await importAudits(done.id);
  assert.equal(rows.length, 1);
  const a = rows[0];
  assert.equal(a.actor, KEEPER);
  assert.equal(a.entity, 'firm');
  assert.equal(a.after.file_id, fileId);
  assert.equal(a.after.validation_job_id, id);
  assert.equal(a.after.inserted, 3);
  assert.deepEqual([a.after.rows, a.after.good, a.after.bad], [3, 3, 0]);
  const ids = new Set();
  for (const [lo, hi] of a.after.id_runs) for (let i = lo; i <= hi; i++) ids.add(i);
  assert.deepEqual([...ids].sort((x, y) => x - y), [one.id, two.id, three.id].sort((x, y) => x - y));
  // and no per-row audit
  const admin = await h.as('admin');
  const per = expectList(await admin.get(`/api/v1/audit?entity=firm&entity_id=${one.id}`));
  assert.deepEqual(per.items.map((r) => r.action), []);
});

// ---- bad rows ----

test('every bad row is reported with its row number and field; keep=none writes nothing; keep=good writes the good ones', async () => {
  const keeper = await h.as(KEEPER);
  const existing = h.ids.firmRec[0].credit_code;
  const good1 = newCreditCode();
  const good3 = newCreditCode();
  const valid = creditCode('MA9A8B7C');
  const badCheck = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
  const file = csv([
    ['credit_code', 'name_zh', 'cross_border', 'contact_email', 'contact_phone', 'industry', 'customs_code', 'status'], // 1
    [good1, '好企业一'], // 2
    [badCheck, '校验码错'], // 3
    [newCreditCode(), ''], // 4
    [], // 5: blank, not a row
    [good1, '重复的代码'], // 6
    [existing, '已登记的代码'], // 7
    [newCreditCode(), '多处错误', 'maybe', 'no-at-sign', 'call me', '999', '12-45', 'gone'], // 8
    [newCreditCode(), '企'.repeat(201)], // 9
    [good3, '好企业二', 'да'], // 10
  ]);
  const v1 = await validate(keeper, 'bad-rows.csv', file);
  const r = v1.result;
  assert.equal(r.usable, true);
  assert.deepEqual([r.rows, r.good, r.bad], [8, 2, 6]);
  assert.deepEqual(errs(r), [
    '3:credit_code:check_digit',
    '4:name_zh:required',
    '6:credit_code:duplicate_in_file',
    '7:credit_code:exists',
    '8:contact_email:format',
    '8:contact_phone:format',
    '8:cross_border:enum',
    '8:customs_code:format',
    '8:industry:enum',
    '8:status:enum',
    '9:name_zh:too_long',
  ]);
  assert.equal(r.errors_total, 11);
  const param = (row, field) => r.errors.find((e) => e.row === row && e.field === field).param;
  assert.equal(param(6, 'credit_code'), '2', 'the row that had the code first');
  assert.equal(param(9, 'name_zh'), '200');
  assert.equal(param(8, 'status'), 'active, suspended, closed');

  // keep none: a bad row means nothing is written
  const none = await commit(keeper, v1.id, 'none');
  assert.deepEqual(
    [none.result.written, none.result.inserted, none.result.reason, none.result.bad],
    [false, 0, 'bad_rows', 6],
  );
  assert.equal(none.result.skipped, 8);
  assert.equal(await firmByCode(good1), null);
  assert.equal(await firmByCode(good3), null);
  assert.deepEqual(await importAudits(none.id), []);

  // keep good: the two good rows, in one go
  const some = await commit(keeper, v1.id, 'good');
  assert.deepEqual([some.result.written, some.result.inserted, some.result.skipped], [true, 2, 6]);
  assert.deepEqual(errs(some.result), errs(r), 'the commit checked again and found the same');
  assert.equal((await firmByCode(good1)).name_zh, '好企业一');
  assert.equal((await firmByCode(good3)).cross_border, true);
  const rows = await importAudits(some.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].after.inserted, 2);

  // a second commit of the same validation checks again: the good rows are registered now
  const again = await commit(keeper, v1.id, 'good');
  assert.deepEqual([again.result.written, again.result.inserted, again.result.reason], [false, 0, 'no_good_rows']);
  assert.ok(errs(again.result).includes('2:credit_code:exists'));
  assert.ok(errs(again.result).includes('10:credit_code:exists'));
});

// ---- XLSX ----

test('XLSX: shared and inline strings, numbers, booleans; errors name the sheet\'s own rows', async () => {
  const keeper = await h.as(KEEPER);
  const a = newCreditCode();
  const b = newCreditCode();
  const rows = [
    { r: 1, cells: ['Единый код', 'Название (кит.)', 'Внешняя торговля', 'Телефон', 'Отрасль'] },
    { r: 2, cells: [a, '表格企业甲', true, 4162000000, 51] },
    // rows 3 and 4 are missing from the sheet
    { r: 5, cells: [12345, '代码是数字', false] },
    { r: 7, cells: [b, '表格企业乙', null, null, 'F'] },
  ];
  for (const inline of [false, true]) {
    const { result } = await validate(keeper, `firms-${inline ? 'inline' : 'shared'}.xlsx`, xlsxBook(rows, { inline }), XLSX);
    assert.equal(result.format, 'xlsx');
    assert.deepEqual([result.rows, result.good, result.bad], [3, 2, 1]);
    assert.deepEqual(errs(result), ['5:credit_code:format']);
    assert.deepEqual(result.columns.map((c) => c.field), ['credit_code', 'name_zh', 'cross_border', 'contact_phone', 'industry']);
  }
  const v1 = await validate(keeper, 'firms.xlsx', xlsxBook(rows), XLSX);
  const done = await commit(keeper, v1.id, 'good');
  assert.equal(done.result.inserted, 2);
  const fa = await firmByCode(a);
  assert.equal(fa.cross_border, true);
  assert.equal(fa.contact_phone, '4162000000');
  assert.equal(fa.industry, '51');
  assert.equal((await firmByCode(b)).industry, 'F');
});

test('files exported by the registry import back: every column is recognised in zh, ru and en', async () => {
  const admin = await h.as('admin');
  const total = expectList(await admin.get('/api/v1/firms?per_page=1')).total;
  const exports = [
    { lang: 'zh', ext: 'csv', type: CSV },
    { lang: 'ru', ext: 'csv', type: CSV },
    { lang: 'en', ext: 'csv', type: CSV },
    { lang: 'zh', ext: 'xlsx', type: XLSX },
    { lang: 'ru', ext: 'xlsx', type: XLSX },
  ];
  for (const x of exports) {
    const file = await admin.get(`/api/v1/firms.${x.ext}`, { headers: { 'accept-language': x.lang } });
    expectStatus(file, 200);
    const { result } = await validate(admin, `export-${x.lang}.${x.ext}`, file.bytes, x.type);
    const what = `${x.lang} ${x.ext}: ${JSON.stringify(result.errors.slice(0, 5))}`;
    assert.equal(result.usable, true, what);
    assert.equal(result.rows, total, what);
    assert.equal(result.good, 0, what);
    // every row is one the registry holds already — and that is the only complaint
    assert.equal(result.bad, total, what);
    assert.deepEqual([...new Set(result.errors.map((e) => `${e.field}:${e.code}`))], ['credit_code:exists'], what);
    const fields = result.columns.map((c) => c.field);
    for (const f of ['credit_code', 'name_zh', 'name_ru', 'status', 'industry', 'customs_code', 'cross_border', 'legal_rep', 'contact_phone'])
      assert.ok(fields.includes(f), `${x.lang} ${x.ext} maps ${f}: ${JSON.stringify(result.columns)}`);
    assert.equal(fields.filter((f) => f === null).length, 4, 'id, commissioner, department and time are read and ignored');
  }
});

// ---- broken files and headers ----

const broken = [
  { name: 'an unknown column', file: () => csv([['credit_code', 'name_zh', 'Foo'], [newCreditCode(), 'x', 'y']]), errors: ['1:header:unknown_column:Foo'] },
  { name: 'a required column missing', file: () => csv([['credit_code', 'name_ru'], [newCreditCode(), 'x']]), errors: ['1:header:missing_column:name_zh'] },
  { name: 'a column twice', file: () => csv([['credit_code', '统一社会信用代码', '企业名称']]), errors: ['1:header:duplicate_column:统一社会信用代码'] },
  { name: 'values under no title', file: () => csv([['credit_code', 'name_zh', ''], [newCreditCode(), 'x', 'stray']]), errors: ['1:header:unnamed_column:C'] },
  { name: 'the header below blank lines', file: () => csv([[], [], ['credit_code', 'Name (Chinese)', 'Bar']]), errors: ['3:header:unknown_column:Bar'] },
  { name: 'broken CSV quoting', file: () => '\uFEFFcredit_code,name_zh\r\nX,"open\r\n', errors: ['null:file:sheet_bad_csv:row 2'] },
  { name: 'an XLSX without its sheet', type: XLSX, file: () => xlsxBook([['credit_code']], { parts: { 'xl/worksheets/sheet1.xml': null } }), errors: ['null:file:sheet_no_sheet:xl/worksheets/sheet1.xml'] },
  { name: 'an XLSX with a DOCTYPE', type: XLSX, file: () => xlsxBook([['credit_code']], { parts: { 'xl/workbook.xml': '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>' } }), errors: ['null:file:sheet_dtd:xl/workbook.xml'] },
];
for (const c of broken) {
  test(`a broken file is reported and cannot be written: ${c.name}`, async () => {
    const keeper = await h.as(KEEPER);
    const { id, result } = await validate(keeper, `broken.${c.type === XLSX ? 'xlsx' : 'csv'}`, c.file(), c.type || CSV);
    assert.equal(result.usable, false);
    assert.deepEqual(result.errors.map((e) => `${e.row}:${e.field}:${e.code}:${e.param}`), c.errors);
    assert.deepEqual([result.good, result.bad], [0, 0]);
    const done = await commit(keeper, id, 'good');
    assert.deepEqual([done.result.written, done.result.inserted, done.result.reason], [false, 0, 'file_errors']);
  });
}

test('a header without rows is a usable, empty import', async () => {
  const keeper = await h.as(KEEPER);
  const { id, result } = await validate(keeper, 'empty.csv', csv([['统一社会信用代码', '企业名称']]));
  assert.deepEqual([result.usable, result.rows, result.good, result.bad], [true, 0, 0, 0]);
  const done = await commit(keeper, id, 'good');
  assert.deepEqual([done.result.written, done.result.reason], [false, 'no_good_rows']);
});

// ---- progress ----

test('a large file shows its progress; a commit before the check ends is refused; the commit is one batch', async () => {
  const keeper = await h.as(KEEPER);
  const n = 20000;
  const rows = [['credit_code', 'name_zh', 'cross_border']];
  const tag = uniq(4);
  for (let i = 0; i < n; i++) rows.push([creditCode(`Q${String(i).padStart(7, '0')}`), `批量企业${tag}${i}`, i % 2 ? '是' : '否']);
  const fileId = await upload(keeper, 'large.csv', csv(rows), CSV);
  const id = expectQueued(await keeper.post('/api/v1/firms/imports', { file_id: fileId }));
  const early = await keeper.post(`/api/v1/firms/imports/${id}/commit`, { keep: 'good' });
  expectProblem(early, 409, { code: 'conflict', detail: /import_not_done/ });
  const seen = [];
  const job = await waitJob(keeper, id, seen);
  assert.equal(job.state, 'done', JSON.stringify(job));
  assert.deepEqual([job.result.rows, job.result.good, job.result.bad], [n, n, 0]);
  const between = seen.filter(([state, p]) => state === 'running' && p > 0 && p < 100);
  assert.ok(between.length > 0, `a running percent between 0 and 100 was seen: ${JSON.stringify(seen.slice(0, 40))}`);
  const percents = seen.map(([, p]) => p);
  assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'percent only grows');

  const done = await commit(keeper, id, 'good');
  assert.equal(done.result.inserted, n);
  const audits = await importAudits(done.id);
  assert.equal(audits.length, 1);
  assert.equal(audits[0].after.inserted, n);
  const b = expectList(await (await h.as('admin')).get(`/api/v1/firms?q=${encodeURIComponent(`批量企业${tag}`)}&per_page=1`));
  assert.equal(b.total, n);
});

// ---- refusals ----

test('refusals: 401, 403 without firm.admin, 404 for a file outside the scope, 422 for bad input', async () => {
  const keeper = await h.as(KEEPER);
  const own = await upload(keeper, 'own.csv', csv([['credit_code', 'name_zh']]), CSV);
  // a file uploaded by INVEST staff, tied to no firm: its uploader's and scope-all users' only
  const staffFile = await upload(await h.as('staff'), 'staff.csv', csv([['credit_code', 'name_zh']]), CSV);
  const pdf = await upload(keeper, 'doc.pdf', Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1'), 'application/pdf');
  const cases = [
    { as: null, body: { file_id: own }, status: 401 },
    { as: 'firm', body: { file_id: own }, status: 403, code: 'permission' },
    { as: 'staff', body: { file_id: staffFile }, status: 403, code: 'permission' },
    { as: 'leader', body: { file_id: own }, status: 403, code: 'permission' },
    { as: KEEPER, body: { file_id: staffFile }, status: 404, code: 'not_found' },
    { as: KEEPER2, body: { file_id: own }, status: 404, code: 'not_found' },
    { as: KEEPER, body: { file_id: 987654321 }, status: 404, code: 'not_found' },
    { as: KEEPER, body: {}, status: 422, fields: ['file_id:required'] },
    { as: KEEPER, body: { file_id: String(own) }, status: 422, fields: ['file_id:type'] },
    { as: KEEPER, body: { file_id: 0 }, status: 422, fields: ['file_id:range'] },
    { as: KEEPER, body: { file_id: own, mode: 'commit' }, status: 422, fields: ['mode:unknown'] },
    { as: KEEPER, body: { file_id: pdf }, status: 422, fields: ['file_id:file_type'] },
  ];
  for (const c of cases) {
    const client = c.as ? await h.as(c.as) : h.anon();
    const r = await client.post('/api/v1/firms/imports', c.body);
    expectProblem(r, c.status, { code: c.code, fields: c.fields });
  }
  // the admin (scope all) may import the staff member's file
  expectQueued(await (await h.as('admin')).post('/api/v1/firms/imports', { file_id: staffFile }));
});

test('commit refusals: 403, 404, 409 for what is not the caller\'s finished validation, 422 for bad input', async () => {
  const keeper = await h.as(KEEPER);
  const admin = await h.as('admin');
  const mine = await validate(keeper, 'mine.csv', csv([['credit_code', 'name_zh'], [newCreditCode(), '提交测试']]));
  const committed = await commit(keeper, mine.id, 'none');
  const adminsOwn = await validate(admin, 'admin.csv', csv([['credit_code', 'name_zh']]));
  const sweep = await admin.post('/api/v1/jobs', { kind: 'sessions.sweep' });
  expectStatus(sweep, 202);
  const cases = [
    { as: null, id: mine.id, body: { keep: 'good' }, status: 401 },
    { as: 'firm', id: mine.id, body: { keep: 'good' }, status: 403, code: 'permission' },
    { as: 'staff', id: mine.id, body: { keep: 'good' }, status: 403, code: 'permission' },
    // another importer cannot see the job at all; the admin sees it (jobs.admin) but it is not theirs
    { as: KEEPER2, id: mine.id, body: { keep: 'good' }, status: 404, code: 'not_found' },
    { as: 'admin', id: mine.id, body: { keep: 'good' }, status: 409, code: 'conflict', detail: /import_of_another_user/ },
    { as: KEEPER, id: adminsOwn.id, body: { keep: 'good' }, status: 404 },
    { as: 'admin', id: sweep.body.id, body: { keep: 'good' }, status: 409, code: 'conflict', detail: /not_an_import_validation/ },
    { as: KEEPER, id: committed.id, body: { keep: 'good' }, status: 409, code: 'conflict', detail: /not_an_import_validation/ },
    { as: KEEPER, id: 987654321, body: { keep: 'good' }, status: 404 },
    { as: KEEPER, id: 'abc', body: { keep: 'good' }, status: 404 },
    { as: KEEPER, id: mine.id, body: {}, status: 422, fields: ['keep:required'] },
    { as: KEEPER, id: mine.id, body: { keep: 'all' }, status: 422, fields: ['keep:enum'] },
    { as: KEEPER, id: mine.id, body: { keep: 'good', file_id: 1 }, status: 422, fields: ['file_id:unknown'] },
  ];
  for (const c of cases) {
    const client = c.as ? await h.as(c.as) : h.anon();
    const r = await client.post(`/api/v1/firms/imports/${c.id}/commit`, c.body);
    expectProblem(r, c.status, { code: c.code, fields: c.fields, detail: c.detail });
  }
});

test('the job kind through POST /api/v1/jobs checks its payload the same way', async () => {
  const admin = await h.as('admin');
  const fileId = await upload(admin, 'via-jobs.csv', csv([['credit_code', 'name_zh'], [newCreditCode(), '经由作业接口']]), CSV);
  expectProblem(await admin.post('/api/v1/jobs', { kind: 'firm.import', payload: { mode: 'x', extra: 1 } }), 422, {
    fields: ['payload.mode:enum', 'payload.extra:unknown', 'payload.file_id:required'],
  });
  expectProblem(await admin.post('/api/v1/jobs', { kind: 'firm.import', payload: { file_id: fileId, mode: 'commit', keep: 'some' } }), 422, {
    fields: ['payload.keep:enum'],
  });
  expectProblem(await admin.post('/api/v1/jobs', { kind: 'firm.import', payload: { file_id: 987654321, mode: 'validate' } }), 422, {
    fields: ['payload.file_id:no_such'],
  });
  const r = await admin.post('/api/v1/jobs', { kind: 'firm.import', payload: { file_id: fileId, mode: 'validate' } });
  expectStatus(r, 202);
  const job = await waitJob(admin, r.body.id);
  assert.deepEqual([job.state, job.result.good], ['done', 1]);
});

test('an importer reads their own jobs without jobs.admin; nobody else does', async () => {
  const keeper = await h.as(KEEPER);
  const { id } = await validate(keeper, 'own-job.csv', csv([['credit_code', 'name_zh']]));
  const own = await keeper.get(`/api/v1/jobs/${id}`);
  expectStatus(own, 200);
  assert.equal(own.body.created_by, h.ids.user[KEEPER] ?? own.body.created_by);
  expectProblem(await (await h.as(KEEPER2)).get(`/api/v1/jobs/${id}`), 404);
  expectProblem(await (await h.as('firm')).get(`/api/v1/jobs/${id}`), 404);
  const list = expectList(await keeper.get('/api/v1/jobs?kind=firm.import&per_page=200'));
  assert.ok(list.items.some((j) => j.id === id));
});
