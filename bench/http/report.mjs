// report.mjs — turns bench/http's four wrk runs into bench/results/latest.json and the
// results table of bench/README.md (between its bench:http markers).
//
//   node bench/http/report.mjs WRK_DIR OUT_JSON README
//
// WRK_DIR holds nginx-healthz.txt, ftz-healthz.txt, nginx-list.txt and ftz-list.txt: wrk's
// text output (--latency) ending in the "BENCH-JSON {...}" line that bench/http/wrk.lua
// prints. The figures come from that line (wrk's own totals, latencies in µs); the error
// lines of the text ("Socket errors: …", "Non-2xx or 3xx responses: N") are read as well and
// the larger count wins, so an error is never lost to a parsing slip. BENCH_META (JSON, from
// run.sh) describes the machine, versions and parameters.
//
// Exit status: 0 ok; 1 any request errored (the README is then left alone, the JSON says
// "ok": false) or, with BENCH_ENFORCE_GOALS=1, a ratio is below its goal.
// Plain Node (18 or newer), no npm packages.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const [wrkDir, outJson, readme] = process.argv.slice(2);
if (!wrkDir || !outJson || !readme) {
  console.error('usage: node bench/http/report.mjs WRK_DIR OUT_JSON README');
  process.exit(2);
}
const meta = JSON.parse(process.env.BENCH_META || '{}');

const BEGIN = '<!-- bench:http:begin -->';
const END = '<!-- bench:http:end -->';

/** The four targets, in the order they ran; pairs share a `kind`. */
const TARGETS = [
  { name: 'nginx-healthz', server: 'nginx', kind: 'healthz' },
  { name: 'ftz-healthz', server: 'ftz', kind: 'healthz' },
  { name: 'nginx-list', server: 'nginx', kind: 'list' },
  { name: 'ftz-list', server: 'ftz', kind: 'list' },
];
/** Goals of issue 3: ftz's requests/s as a share of nginx's, in the same run. */
const GOALS = { healthz: 0.7, list: 0.2 };

function parseWrk(file) {
  const text = readFileSync(file, 'utf8');
  const line = text.split('\n').find((l) => l.startsWith('BENCH-JSON '));
  if (!line) throw new Error(`${file}: no BENCH-JSON line (did wrk run with bench/http/wrk.lua?)`);
  const j = JSON.parse(line.slice('BENCH-JSON '.length));
  const num = (re) => {
    const m = text.match(re);
    return m ? m.slice(1).map(Number) : null;
  };
  const sock = num(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/) || [0, 0, 0, 0];
  const non2xx = (num(/Non-2xx or 3xx responses: (\d+)/) || [0])[0];
  const textRps = (num(/Requests\/sec:\s+([\d.]+)/) || [null])[0];
  const e = j.errors;
  const errors = {
    connect: Math.max(e.connect, sock[0]),
    read: Math.max(e.read, sock[1]),
    write: Math.max(e.write, sock[2]),
    timeout: Math.max(e.timeout, sock[3]),
    non_2xx: Math.max(e.status, non2xx),
  };
  errors.total = errors.connect + errors.read + errors.write + errors.timeout + errors.non_2xx;
  const seconds = j.duration_us / 1e6;
  const ms = (us) => Math.round(us) / 1000;
  return {
    requests: j.requests,
    duration_s: Math.round(seconds * 1000) / 1000,
    requests_per_s: Math.round((j.requests / seconds) * 10) / 10,
    requests_per_s_wrk_text: textRps,
    bytes_per_s: Math.round(j.bytes / seconds),
    latency_ms: {
      p50: ms(j.latency_us.p50),
      p75: ms(j.latency_us.p75),
      p90: ms(j.latency_us.p90),
      p99: ms(j.latency_us.p99),
      p99_9: ms(j.latency_us.p99_9),
      mean: ms(j.latency_us.mean),
      max: ms(j.latency_us.max),
    },
    errors,
  };
}

/** {"other_cpu_pct", "steal_pct"} measured by run.sh around the run, if it was. */
function parseCpu(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const targets = {};
for (const t of TARGETS) {
  targets[t.name] = {
    server: t.server,
    kind: t.kind,
    ...parseWrk(path.join(wrkDir, `${t.name}.txt`)),
    machine_during_run: parseCpu(path.join(wrkDir, `${t.name}.cpu`)),
  };
}
/** Most CPU that other processes (or the hypervisor) took during any of the four runs. */
const otherMax = Math.max(
  0,
  ...Object.values(targets).map((t) =>
    t.machine_during_run ? t.machine_during_run.other_cpu_pct + t.machine_during_run.steal_pct : 0,
  ),
);
const ratios = {};
for (const kind of Object.keys(GOALS)) {
  const r = targets[`ftz-${kind}`].requests_per_s / targets[`nginx-${kind}`].requests_per_s;
  ratios[kind] = { ftz_over_nginx: Math.round(r * 1000) / 1000, goal: GOALS[kind], met: r >= GOALS[kind] };
}
const errorsTotal = Object.values(targets).reduce((s, t) => s + t.errors.total, 0);
const ok = errorsTotal === 0;
const goalsMet = Object.values(ratios).every((r) => r.met);

const result = {
  benchmark: 'http',
  ok,
  errors_total: errorsTotal,
  goals_met: goalsMet,
  ...meta,
  other_cpu_max_pct: otherMax,
  targets,
  ratios,
};
mkdirSync(path.dirname(outJson), { recursive: true });
writeFileSync(outJson, JSON.stringify(result, null, 2) + '\n');

// ---- the README table ---------------------------------------------------------------------

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n) => n.toFixed(2);
const p = meta.params || {};
const d = meta.data || {};
const v = meta.versions || {};
const kb = (n) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const label = {
  healthz: `\`/healthz\` (${kb(d.healthz_body_bytes || 0)})`,
  list: `audit list, 50 rows (${kb(d.list_body_bytes || 0)})`,
};
const rows = [];
for (const t of TARGETS) {
  const r = targets[t.name];
  const who = t.server === 'nginx' ? 'nginx (static file)' : 'ftz';
  let ratio = '';
  let goal = '';
  if (t.server === 'ftz') {
    const q = ratios[t.kind];
    ratio = `**${q.ftz_over_nginx.toFixed(3)}×**`;
    goal = `≥ ${q.goal}× — ${q.met ? 'met' : '**missed**'}`;
  }
  rows.push(
    `| ${label[t.kind]} | ${who.trim()} | ${fmtInt(r.requests_per_s)} | ${fmtMs(r.latency_ms.p50)} | ` +
      `${fmtMs(r.latency_ms.p90)} | ${fmtMs(r.latency_ms.p99)} | ${r.errors.total} | ${ratio} | ${goal} |`,
  );
}
const m = meta.machine || {};
const table = [
  BEGIN,
  `Latest run: ${meta.date || '?'}, ${m.cpu || 'unknown CPU'} (${m.cores || '?'} cores, Linux ${m.kernel || '?'}); ` +
    `${v.ftz || 'ftz'}${v.ftz_commit ? ` (commit ${v.ftz_commit})` : ''}, nginx ${v.nginx || '?'}, wrk ${v.wrk || '?'}. ` +
    `\`wrk -t${p.threads} -c${p.connections} -d${p.duration} --latency\` after a ${p.warmup} warm-up per target; ` +
    `ftz \`--workers ${p.ftz_workers}\` on SQLite (synchronous=${p.ftz_sqlite_sync}), nginx \`worker_processes ${p.nginx_workers}\`; ` +
    `the list is \`GET ${d.list_path}\` with a Bearer token, 50 of ${d.audit_rows} audit rows. ` +
    `wrk, nginx and ftz share the same ${m.cores || '?'} cores; ` +
    `other processes took at most ${otherMax} % of the CPU during a measured run` +
    (otherMax > 5 || meta.busy_before_pct > 10
      ? ` (${meta.busy_before_pct} % just before the first), so these figures are less reliable than usual.`
      : '.'),
  '',
  '| target | server | requests/s | p50 ms | p90 ms | p99 ms | errors | ftz ÷ nginx | goal |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|',
  ...rows,
  '',
  `Errors count socket errors (connect, read, write, timeout) and non-2xx answers. ` +
    `Raw figures: \`bench/results/latest.json\`.`,
  END,
].join('\n');

if (ok) {
  let doc = existsSync(readme) ? readFileSync(readme, 'utf8') : '';
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  if (a >= 0 && b > a) doc = doc.slice(0, a) + table + doc.slice(b + END.length);
  else doc = doc.replace(/\n*$/, '\n\n') + table + '\n';
  writeFileSync(readme, doc);
}

// ---- the console ----------------------------------------------------------------------------

for (const t of TARGETS) {
  const r = targets[t.name];
  console.log(
    `${t.name.padEnd(14)} ${fmtInt(r.requests_per_s).padStart(9)} req/s  p50 ${fmtMs(r.latency_ms.p50)} ms  ` +
      `p90 ${fmtMs(r.latency_ms.p90)} ms  p99 ${fmtMs(r.latency_ms.p99)} ms  errors ${r.errors.total}`,
  );
}
console.log(`other processes' CPU during the runs: at most ${otherMax} %`);
for (const [kind, q] of Object.entries(ratios)) {
  console.log(`${kind.padEnd(8)} ftz/nginx ${q.ftz_over_nginx.toFixed(3)}  (goal ≥ ${q.goal}: ${q.met ? 'met' : 'MISSED'})`);
}
console.log(`results: ${outJson}${ok ? `; table: ${readme}` : ''}`);
if (!ok) {
  console.error(`bench/http: ${errorsTotal} request(s) errored; ${readme} left unchanged`);
  process.exit(1);
}
if (!goalsMet && process.env.BENCH_ENFORCE_GOALS === '1') {
  console.error('bench/http: a goal was missed (BENCH_ENFORCE_GOALS=1)');
  process.exit(1);
}
