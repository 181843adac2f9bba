// openapi.test.mjs — docs/openapi.yaml and the router agree: every route of
// `ftz routes --json` is documented under `paths:` with its method, and every path + method
// documented there is routed. A missing or unreadable file FAILS (it is part of the API).
//
// No YAML library: a small line-based reader of the `paths:` section (block style, as
// OpenAPI files are written): path keys at one indentation, operation keys (get, post, …)
// one level deeper. Path parameter names are not compared ({id} and {seq} are both "a
// parameter"); an export route (`export: true`) also answers PATH.xlsx and PATH.csv, so
// those documented forms count as routed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, routeTable } from './lib.mjs';

const FILE = path.join(ROOT, 'docs/openapi.yaml');
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Reads the `paths:` section of an OpenAPI YAML text. Returns {ops: Map("METHOD /path" →
 * line number), paths: Map(path → line number), problems: [text]}.
 */
export function readPaths(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const indentOf = (l) => l.match(/^ */)[0].length;
  const blank = (l) => /^\s*(#.*)?$/.test(l);
  const start = lines.findIndex((l) => /^paths\s*:\s*(#.*)?$/.test(l));
  const ops = new Map();
  const paths = new Map();
  const problems = [];
  if (start < 0) {
    problems.push('no top-level "paths:" key');
    return { ops, paths, problems };
  }
  if (lines.some((l) => /^\t/.test(l))) problems.push('tabs used for indentation');
  let pathIndent = -1;
  let opIndent = -1;
  let current = null;
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i];
    if (blank(l)) continue;
    const ind = indentOf(l);
    if (ind === 0) break; // the next top-level key
    if (pathIndent < 0) pathIndent = ind;
    if (ind < pathIndent) {
      problems.push(`line ${i + 1}: unexpected indentation`);
      continue;
    }
    if (ind === pathIndent) {
      const m = /^\s*(['"]?)(\/[^'"]*?)\1\s*:\s*(.*)$/.exec(l);
      if (!m) {
        problems.push(`line ${i + 1}: not a path key: ${l.trim()}`);
        current = null;
        continue;
      }
      current = m[2];
      if (paths.has(current)) problems.push(`line ${i + 1}: path ${current} listed twice`);
      paths.set(current, i + 1);
      opIndent = -1;
      const rest = m[3].replace(/#.*$/, '').trim();
      if (rest && rest !== '{}') problems.push(`line ${i + 1}: flow-style path item not read: ${rest}`);
      continue;
    }
    if (!current) continue;
    if (opIndent < 0) opIndent = ind;
    if (ind !== opIndent) continue; // deeper: the operation's own content
    const k = /^\s*([A-Za-z$][\w$-]*)\s*:/.exec(l);
    if (k && METHODS.has(k[1].toLowerCase())) {
      if (k[1] !== k[1].toLowerCase()) problems.push(`line ${i + 1}: method keys are lower case in OpenAPI: ${k[1]}`);
      const key = `${k[1].toUpperCase()} ${current}`;
      if (ops.has(key)) problems.push(`line ${i + 1}: ${key} listed twice`);
      ops.set(key, i + 1);
    } else if (k && k[1] === '$ref') {
      problems.push(`line ${i + 1}: path item $ref not followed for ${current}`);
    }
  }
  return { ops, paths, problems };
}

const norm = (p) => p.replace(/\{[^}]*\}/g, '{}');

function loadDoc() {
  assert.ok(existsSync(FILE), `docs/openapi.yaml does not exist (${FILE}): the API must be documented`);
  const text = readFileSync(FILE, 'utf8');
  assert.ok(text.trim().length > 0, 'docs/openapi.yaml is empty');
  assert.match(text, /^openapi\s*:\s*['"]?3\.\d+(\.\d+)?['"]?\s*$/m, 'an OpenAPI 3.x document (openapi: 3.x at the top level)');
  const doc = readPaths(text);
  assert.deepEqual(doc.problems, [], 'the paths section reads cleanly');
  assert.ok(doc.ops.size > 0, 'the paths section lists operations');
  return doc;
}

/** "METHOD /normalised/path" of every form the router answers. */
function routedForms(routes) {
  const forms = new Set();
  for (const r of routes) {
    forms.add(`${r.method} ${norm(r.path)}`);
    if (r.method === 'GET') forms.add(`HEAD ${norm(r.path)}`);
    if (r.export) {
      for (const sfx of ['.xlsx', '.csv', '.{}']) {
        forms.add(`GET ${norm(r.path)}${sfx}`);
        forms.add(`HEAD ${norm(r.path)}${sfx}`);
      }
    }
  }
  return forms;
}

test('the line reader reads a paths section (self-check)', () => {
  const sample = [
    'openapi: 3.0.3',
    'paths:',
    '  /api/v1/users:',
    '    get:',
    '      summary: x',
    '      parameters:',
    '        - name: q',
    '    post:',
    '      responses: {}',
    "  '/api/v1/users/{id}':",
    '    parameters: []',
    '    patch: {}',
    'components:',
    '  schemas: {}',
  ].join('\n');
  const d = readPaths(sample);
  assert.deepEqual(d.problems, []);
  assert.deepEqual([...d.ops.keys()].sort(), ['GET /api/v1/users', 'PATCH /api/v1/users/{id}', 'POST /api/v1/users']);
  assert.deepEqual(readPaths('openapi: 3.0.0\ninfo: {}\n').problems, ['no top-level "paths:" key']);
});

test('docs/openapi.yaml exists and is an OpenAPI 3 document with a paths section', () => {
  loadDoc();
});

test('every route of `ftz routes --json` is in docs/openapi.yaml with that method', () => {
  const doc = loadDoc();
  const documented = new Set([...doc.ops.keys()].map((k) => k.replace(/ (.*)$/, (_, p) => ` ${norm(p)}`)));
  const missing = routeTable()
    .map((r) => `${r.method} ${r.path}`)
    .filter((k) => !documented.has(k.replace(/ (.*)$/, (_, p) => ` ${norm(p)}`)));
  assert.deepEqual(missing, [], `routes missing from docs/openapi.yaml:\n  ${missing.join('\n  ')}`);
});

test('every path + method in docs/openapi.yaml is routed', () => {
  const doc = loadDoc();
  const forms = routedForms(routeTable());
  const unrouted = [...doc.ops.entries()]
    .filter(([k]) => !forms.has(k.replace(/ (.*)$/, (_, p) => ` ${norm(p)}`)))
    .map(([k, line]) => `${k} (line ${line})`);
  assert.deepEqual(unrouted, [], `documented but not routed:\n  ${unrouted.join('\n  ')}`);
});
