// cli.test.mjs — the command line (DESIGN.md §4): every command against a real database,
// the exit codes (0 ok, 1 failure, 2 usage, 65 bad input data), configuration precedence and
// its errors naming file and line, and that bad input changes nothing (the audit head stays).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  ftz, freshDatabase, createDatabase, cleanupAll, auditVerify, startServer, Client, IS_PG, SLOW,
} from './lib.mjs';

after(cleanupAll, { timeout: 120000 * SLOW });

const db = freshDatabase('cli');
const run = (args, opts) => ftz([...args, '--db', db.url], opts);
const head = () => run(['audit', 'head']).stdout.trim();

test('--help, --version, unknown commands and verbs', () => {
  let r = ftz(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Usage: ftz <command>/);
  r = ftz(['--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^ftz \d+\.\d+\.\d+/);
  assert.equal(ftz([]).code, 2);
  assert.equal(ftz(['frobnicate']).code, 2);
  assert.equal(run(['user', 'frobnicate']).code, 2);
  assert.equal(run(['token']).code, 2);
  assert.equal(ftz(['user', 'add', '--help']).code, 0);
});

test('init is idempotent and a generated admin password is printed once', () => {
  const fresh = createDatabase('cli-init');
  let r = ftz(['init', '--db', fresh.url], { env: { FTZ_ADMIN_PASSWORD: '' } });
  assert.equal(r.code, 0, r.stderr);
  const m = /admin password \(shown once\): (\S+)/.exec(r.stdout);
  assert.ok(m, r.stdout);
  r = ftz(['init', '--db', fresh.url]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /already exists/);
  assert.doesNotMatch(r.stdout, /shown once/);
  r = ftz(['migrate', '--db', fresh.url]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /0 migration\(s\) applied/);
});

test('user add, list, passwd, disable and enable', () => {
  let r = run(['user', 'add', 'cli.user', '--role', 'staff', '--name', '命令行用户', '--dept', 'INVEST'], {
    env: { FTZ_USER_PASSWORD: 'cli-password-2026' },
  });
  assert.equal(r.code, 0, r.stderr);
  r = run(['user', 'list', '--json']);
  assert.equal(r.code, 0);
  const u = JSON.parse(r.stdout).find((x) => x.username === 'cli.user');
  assert.ok(u);
  assert.deepEqual(u.roles, ['staff']);
  assert.equal(u.department_name, '招商服务局');
  // password from standard input
  r = run(['user', 'passwd', 'cli.user'], { input: 'another-password-2026\n' });
  assert.equal(r.code, 0, r.stderr);
  r = run(['user', 'disable', 'cli.user']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(run(['user', 'list', '--json']).stdout).find((x) => x.username === 'cli.user').disabled, true);
  r = run(['user', 'enable', 'cli.user']);
  assert.equal(r.code, 0, r.stderr);
});

test('bad input: exit 65, each broken field named, nothing changed', () => {
  const before = head();
  let r = run(['user', 'add', 'Bad Name', '--role', 'nope'], { env: { FTZ_USER_PASSWORD: 'short' } });
  assert.equal(r.code, 65);
  assert.match(r.stderr, /username: /);
  assert.match(r.stderr, /password: /);
  assert.match(r.stderr, /roles\[0\]: /);
  r = run(['user', 'add', 'x.firm', '--role', 'firm'], { env: { FTZ_USER_PASSWORD: 'long-enough-2026' } });
  assert.equal(r.code, 65);
  assert.match(r.stderr, /firm_id: /);
  r = run(['user', 'add', 'dup', '--role', 'staff', '--dept', 'NOPE'], { env: { FTZ_USER_PASSWORD: 'long-enough-2026' } });
  assert.equal(r.code, 65);
  assert.match(r.stderr, /--dept NOPE/);
  r = run(['user', 'passwd', 'nobody-here']);
  assert.equal(r.code, 65);
  r = run(['dept', 'add', 'bad code']);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /code: /);
  assert.match(r.stderr, /name: /);
  r = run(['role', 'grant', 'staff', 'no.such.permission']);
  assert.equal(r.code, 65);
  r = run(['token', 'create', '--user', 'admin', '--name', 't', '--perm', 'audit.read', '--expires', 'tomorrow']);
  assert.equal(r.code, 65);
  assert.equal(head(), before, 'the audit head did not move: nothing was written');
});

test('token create, use, list and revoke', async () => {
  let r = run(['token', 'create', '--user', 'admin', '--name', 'cli-token', '--perm', 'audit.read']);
  assert.equal(r.code, 0, r.stderr);
  const secret = r.stdout.trim().split('\n').pop();
  assert.match(secret, /^ftz_/);
  const id = /token (\d+) created/.exec(r.stdout)[1];
  const srv = await startServer(db);
  const c = new Client(srv.base, { token: secret });
  assert.equal((await c.get('/api/v1/audit?per_page=1')).status, 200);
  assert.equal((await c.get('/api/v1/users')).status, 403, 'the token carries only audit.read');
  r = run(['token', 'list', '--json']);
  assert.ok(JSON.parse(r.stdout).some((t) => String(t.id) === id && t.revoked_at === null));
  r = run(['token', 'revoke', id]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await c.get('/api/v1/audit?per_page=1')).status, 401);
  assert.equal(run(['token', 'revoke', 'abc']).code, 2);
  await srv.stop();
});

test('dept and role commands', () => {
  let r = run(['dept', 'add', 'CLIDEPT', '--name', '命令行部门', '--parent', 'ZONE']);
  assert.equal(r.code, 0, r.stderr);
  r = run(['dept', 'list', '--json']);
  const d = JSON.parse(r.stdout).find((x) => x.code === 'CLIDEPT');
  assert.match(d.path, /^\/\d+\/\d+\/$/);
  r = run(['role', 'grant', 'staff', 'jobs.admin']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(JSON.parse(run(['role', 'list', '--json']).stdout).find((x) => x.name === 'staff').permissions.includes('jobs.admin'));
  r = run(['role', 'revoke', 'staff', 'jobs.admin']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!JSON.parse(run(['role', 'list', '--json']).stdout).find((x) => x.name === 'staff').permissions.includes('jobs.admin'));
});

test('audit verify and head', () => {
  const v = auditVerify(db);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.report.ok, true);
  assert.match(head(), /^\d+ [0-9a-f]{64}$/);
  const j = JSON.parse(run(['audit', 'head', '--json']).stdout);
  assert.equal(j.hash.length, 64);
});

test('backup: an online, consistent copy that opens and verifies', { skip: IS_PG && 'SQLite only (PostgreSQL: pg_dump)' }, async () => {
  const srv = await startServer(db);
  const out = path.join(db.dir, 'copy.db');
  const r = run(['backup', out]);
  assert.equal(r.code, 0, r.stderr);
  await srv.stop();
  const v = ftz(['audit', 'verify', '--json', '--db', `sqlite:${out}`]);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(JSON.parse(v.stdout).rows, Number(head().split(' ')[0]));
  assert.equal(run(['backup']).code, 2);
});

test('backup refuses PostgreSQL and names pg_dump', { skip: !IS_PG && 'PostgreSQL only' }, () => {
  const r = run(['backup', '/tmp/x.db']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /pg_dump/);
});

test('configuration: flags > environment > file > defaults; errors name file and line', () => {
  const ini = path.join(db.dir, 'ftz.ini');
  writeFileSync(ini, `[ftz]\ndb = ${db.url}\n`);
  // the file supplies the database
  let r = ftz(['audit', 'head', '--config', ini]);
  assert.equal(r.code, 0, r.stderr);
  // the environment overrides the file, the flag overrides the environment
  r = ftz(['audit', 'head', '--config', ini], { env: { FTZ_DB: 'sqlite:/nonexistent/dir/x.db' } });
  assert.notEqual(r.code, 0);
  r = ftz(['audit', 'head', '--config', ini, '--db', db.url], { env: { FTZ_DB: 'sqlite:/nonexistent/dir/x.db' } });
  assert.equal(r.code, 0, r.stderr);
  writeFileSync(ini, `[ftz]\ndb = ${db.url}\nworkers = many\n`);
  r = ftz(['audit', 'head', '--config', ini]);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /ftz\.ini:3: .*workers/);
  writeFileSync(ini, `[elsewhere]\nx = 1\n`);
  r = ftz(['audit', 'head', '--config', ini]);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /ftz\.ini:2: unknown section \[elsewhere\]/); // the first key in it
  r = ftz(['audit', 'head', '--db', db.url], { env: { FTZ_WORKERS: '-3' } });
  assert.equal(r.code, 65);
  assert.match(r.stderr, /FTZ_WORKERS/);
  r = ftz(['audit', 'head', '--db']);
  assert.equal(r.code, 2);
});

test('firm check: valid codes print their parts (exit 0); any invalid one exits 65 naming the check', () => {
  let r = ftz(['firm', 'check', '91110000802100433B']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /registration authority\s+9 工商/);
  assert.match(r.stdout, /firm type\s+1 企业/);
  assert.match(r.stdout, /region\s+110000 北京市/);
  assert.match(r.stdout, /organisation code\s+802100433/);
  r = ftz(['firm', 'check', '91110000802100433B', '91110000802100433C']);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /91110000802100433C\s+INVALID \(check_digit\)/);
  r = ftz(['firm', 'check', '91110000802100434B']);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /INVALID \((check_digit|org_check_digit)\)/);
  r = ftz(['firm', 'check', 'abc', '--json']);
  assert.equal(r.code, 65);
  assert.deepEqual(JSON.parse(r.stdout).map((x) => [x.valid, x.error]), [[false, 'length']]);
  r = ftz(['firm', 'check', '9111000080210043sb']);
  assert.equal(r.code, 65);
  assert.match(r.stderr, /charset/);
  assert.equal(ftz(['firm', 'check']).code, 2);
  assert.equal(ftz(['firm']).code, 2);
});
