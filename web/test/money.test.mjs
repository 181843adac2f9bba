// money.test.mjs — the financing pages' amounts (src/lib/money.js): 万元 typed by people into
// integer fen without floating point, and the report's wording of fen as the server writes it
// (src/core/money.h: "1100万元", "73.9亿元", "8500元").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AMOUNT_MAX_FEN, bpPercent, fenToWan, fenToWanNumber, fenWords, wanToFen } from '../src/lib/money.js';

test('万元 text → fen', () => {
  const cases = [
    ['600', 600000000],
    ['1100', 1100000000],
    ['0.5', 500000],
    ['0.000001', 1],
    ['1100.25', 1100250000],
    [' 12 ', 12000000],
    ['1000000', AMOUNT_MAX_FEN],
    ['0.1', 100000],
    ['0.3', 300000], // 0.1 + 0.2 would not be 0.3 in floating point; the string is exact
  ];
  for (const [text, fen] of cases) assert.equal(wanToFen(text), fen, text);
});

test('what is no amount is refused', () => {
  for (const text of ['', ' ', '0', '0.0000001', '-5', '+5', '1e3', '1,000', '1.', '.5', 'abc', '1000000.000001', '10000000', null, undefined]) {
    assert.equal(wanToFen(text), null, String(text));
  }
});

test('fen → 万元 text and back', () => {
  for (const fen of [1, 500000, 600000000, 1100250000, AMOUNT_MAX_FEN, 123456789]) assert.equal(wanToFen(fenToWan(fen)), fen);
  assert.equal(fenToWan(600000000), '600');
  assert.equal(fenToWan(1100250000), '1100.25');
  assert.equal(fenToWan(null), '');
  assert.equal(fenToWanNumber(1100000000), 1100);
  assert.equal(fenToWanNumber(1234567), 1.2346);
});

test('the report\'s wording', () => {
  const cases = [
    [1100000000, '1100万元'],
    [14460000 * 100, '1446万元'],
    [3404000 * 100, '340.4万元'],
    [850000, '8500元'],
    [1250, '12.5元'],
    [5, '0.05元'],
    [0, '0元'],
    [1234567, '1.23万元'],
    [7390000000 * 100, '73.9亿元'],
    [1300000000 * 100, '13亿元'],
    [9999999999, '1亿元'], // 99,999,999.99 yuan rounds to 1亿元, not 10000万元
    [-500000000, '-500万元'],
  ];
  for (const [fen, words] of cases) assert.equal(fenWords(fen), words, String(fen));
  assert.equal(fenWords(null), '');
});

test('basis points', () => {
  assert.equal(bpPercent(385), '3.85%');
  assert.equal(bpPercent(420), '4.2%');
  assert.equal(bpPercent(500), '5%');
  assert.equal(bpPercent(null), '—');
});
