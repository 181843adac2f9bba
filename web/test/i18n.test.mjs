// i18n.test.mjs — the three languages are complete (DESIGN.md: Chinese first, Russian and
// English complete). Every key of any locale exists in all three with a non-empty string, the
// placeholders ({name}) agree, no message uses vue-i18n's special characters by accident, and
// every key the sources use — t('…') / $t('…') calls, and keys kept in tables for a later t()
// such as the menu's label: 'menu.users' — exists in the locales.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(WEB, 'src');
const LANGS = ['zh', 'ru', 'en'];

const load = (l) => JSON.parse(readFileSync(path.join(SRC, 'locales', `${l}.json`), 'utf8'));
const locales = Object.fromEntries(LANGS.map((l) => [l, load(l)]));

/** {'a.b.c': value} of a nested message object; non-string leaves are kept to be reported. */
function flatten(obj, prefix = '', out = {}) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}
const flat = Object.fromEntries(LANGS.map((l) => [l, flatten(locales[l])]));
const allKeys = [...new Set(LANGS.flatMap((l) => Object.keys(flat[l])))].sort();

function sources(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.(vue|js)$/.test(name)) out.push(p);
  }
  return out;
}

test('the three locales have the same keys', () => {
  for (const l of LANGS) {
    const missing = allKeys.filter((k) => !(k in flat[l]));
    assert.deepEqual(missing, [], `keys missing from ${l}.json`);
  }
});

test('every message is a non-empty string', () => {
  for (const l of LANGS) {
    const bad = Object.entries(flat[l])
      .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
      .map(([k]) => k);
    assert.deepEqual(bad, [], `empty or non-string messages in ${l}.json`);
  }
});

test('placeholders agree across the languages', () => {
  const names = (s) => [...String(s).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  const bad = [];
  for (const k of allKeys) {
    const want = names(flat.zh[k]);
    for (const l of ['ru', 'en']) if (names(flat[l][k]) !== want) bad.push(`${l}:${k} has {${names(flat[l][k])}}, zh has {${want}}`);
  }
  assert.deepEqual(bad, []);
});

test('no message uses vue-i18n syntax by accident (@ linked messages, | plurals, unbalanced braces)', () => {
  const bad = [];
  for (const l of LANGS) {
    for (const [k, v] of Object.entries(flat[l])) {
      const s = String(v);
      if (s.includes('@') || s.includes('|')) bad.push(`${l}:${k}`);
      const stripped = s.replace(/\{\w+\}/g, '');
      if (/[{}]/.test(stripped)) bad.push(`${l}:${k} (brace)`);
    }
  }
  assert.deepEqual(bad, []);
});

test('Chinese is the default language', () => {
  const i18n = readFileSync(path.join(SRC, 'i18n.js'), 'utf8');
  assert.match(i18n, /stored\(\) \|\| 'zh'/);
  assert.match(i18n, /fallbackLocale: 'zh'/);
});

test('every key used in web/src exists in every locale', () => {
  const namespaces = new Set(Object.keys(locales.zh));
  const used = new Map(); // key → first file using it
  const callRe = /\$?\bt\(\s*(['"`])([^'"`$]+?)\1/g;
  // Keys held in tables and passed to t() later: `label: 'menu.users'`, `text: 'home.link.firms'`.
  const literalRe = /\b(?:label|title|message|\w*[tT]ext)\s*:\s*(['"])([a-z][a-zA-Z]*(?:\.[a-zA-Z_][a-zA-Z0-9_]*)+)\1/g;
  for (const file of sources(SRC)) {
    if (file.includes(`${path.sep}locales${path.sep}`)) continue;
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(WEB, file);
    for (const m of text.matchAll(callRe)) if (!used.has(m[2])) used.set(m[2], rel);
    for (const m of text.matchAll(literalRe)) {
      if (namespaces.has(m[2].split('.')[0]) && !used.has(m[2])) used.set(m[2], rel);
    }
  }
  assert.ok(used.size > 50, `the scan found only ${used.size} keys; is the pattern broken?`);
  const missing = [];
  for (const [key, file] of used) {
    for (const l of LANGS) if (typeof flat[l][key] !== 'string') missing.push(`${key} (${l}, used in ${file})`);
  }
  assert.deepEqual(missing, [], 'keys used in the sources but missing from a locale');
});

test('no locale key is left unused', () => {
  const text = sources(SRC)
    .filter((f) => !f.includes(`${path.sep}locales${path.sep}`))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const unused = allKeys.filter((k) => !text.includes(`'${k}'`) && !text.includes(`"${k}"`) && !text.includes(`\`${k}\``));
  assert.deepEqual(unused, [], 'messages no source refers to (remove them or use them)');
});
