// money.js — amounts as the financing pages show and take them. The API speaks integer fen
// (DESIGN.md §3: no floating point for money); people speak 万元 ("融资1100万元"). Input in
// 万元 with up to six decimals (one fen) is turned into fen by string arithmetic, never by
// multiplying a float; output uses the server's *_words where it sends them, and this
// module's wording (the same rules as src/core/money.h) for sums made in the browser.
//
// Pure module (no Vue): web/test/money.test.mjs tests it.

const FEN_PER_WAN = 1000000;
const FEN_PER_YI = 10000000000;
/** The API's cap of any amount: 100亿元 in fen. */
export const AMOUNT_MAX_FEN = 1000000000000;

/**
 * "600", "0.5", "1100.25" (万元) → fen as an integer; null when the text is no amount: not
 * digits with an optional point and at most six decimals, or over the cap, or zero.
 */
export function wanToFen(text) {
  const s = String(text ?? '').trim();
  const m = /^(\d{1,7})(?:\.(\d{1,6}))?$/.exec(s);
  if (!m) return null;
  const whole = Number(m[1]);
  const frac = Number((m[2] || '').padEnd(6, '0'));
  const fen = whole * FEN_PER_WAN + frac;
  if (!Number.isSafeInteger(fen) || fen <= 0 || fen > AMOUNT_MAX_FEN) return null;
  return fen;
}

/** fen → the 万元 text an input shows ("600", "0.5", "1100.25"). */
export function fenToWan(fen) {
  if (fen === null || fen === undefined || fen === '') return '';
  const n = Math.trunc(Number(fen));
  const neg = n < 0;
  const a = Math.abs(n);
  const whole = Math.floor(a / FEN_PER_WAN);
  const frac = String(a % FEN_PER_WAN).padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** fen divided by unit, rounded half up to at most `decimals` places, zeros trimmed. */
function scaled(fen, unit, decimals) {
  const step = unit / 10 ** decimals; // fen per last decimal
  const q = Math.floor((fen + step / 2) / step); // half up on the magnitude
  const whole = Math.floor(q / 10 ** decimals);
  const frac = decimals ? String(q % 10 ** decimals).padStart(decimals, '0').replace(/0+$/, '') : '';
  return `${whole}${frac ? `.${frac}` : ''}`;
}

/**
 * The report's wording of fen, as the server writes it: below 1万元 exact yuan ("8500元"),
 * to 1亿元 in 万元 with at most two decimals ("1100万元"), then 亿元 ("73.9亿元").
 */
export function fenWords(fen) {
  if (fen === null || fen === undefined) return '';
  const n = Math.trunc(Number(fen));
  const a = Math.abs(n);
  let s;
  if (a < FEN_PER_WAN) {
    const yuan = Math.floor(a / 100);
    const cents = String(a % 100).padStart(2, '0').replace(/0+$/, '');
    s = `${yuan}${cents ? `.${cents}` : ''}元`;
  } else {
    const wan = scaled(a, FEN_PER_WAN, 2);
    s = Number(wan) >= 10000 ? `${scaled(a, FEN_PER_YI, 2)}亿元` : `${wan}万元`;
  }
  return n < 0 && s !== '0元' ? `-${s}` : s;
}

/** fen as 万元 for a chart axis (a number for drawing only, never stored). */
export function fenToWanNumber(fen) {
  return Math.round(Number(fen || 0) / 100) / 10000;
}

/** basis points as a percentage text: 385 → "3.85%". */
export function bpPercent(bp) {
  if (bp === null || bp === undefined) return '—';
  const n = Math.trunc(Number(bp));
  const frac = String(n % 100).padStart(2, '0').replace(/0+$/, '');
  return `${Math.floor(n / 100)}${frac ? `.${frac}` : ''}%`;
}
