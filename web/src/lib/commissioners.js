// commissioners.js — what the commissioner and start-up package screens share: the package's
// catalogue (items, costs, statuses and the changes each allows: GET
// /api/v1/startup-package/catalogue, fetched once per page load and language), the tag colour
// of a status, and amounts in fen shown as yuan.
import { api } from './api.js';

let cached = null;
let cachedLang = null;

/** The catalogue in the UI language: {version, items: [{code, name, cost_fen}], statuses}. */
export async function loadCatalogue(lang) {
  if (!cached || cachedLang !== lang) {
    cachedLang = lang;
    cached = api.get('/startup-package/catalogue').catch((e) => {
      cached = null;
      throw e;
    });
  }
  return cached;
}

/** el-tag type of an item's status. */
export function packageTag(status) {
  return { pending: 'info', in_progress: 'warning', done: 'success', not_needed: '' }[status] ?? 'info';
}

/** Integer fen → "1,234.50" yuan (integer arithmetic: no float rounding of money). */
export function yuan(fen) {
  if (fen === null || fen === undefined) return '';
  const neg = fen < 0;
  const a = Math.abs(Math.trunc(fen));
  const whole = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = String(a % 100).padStart(2, '0');
  return `${neg ? '-' : ''}${whole}.${cents}`;
}

/** A firm's name in the UI language (the API's firm_name is already localised). */
export function firmName(row) {
  return row.firm_name || row.name_zh || '';
}
