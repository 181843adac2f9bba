// i18n.js — the UI's three languages (Chinese first; Russian and English complete, checked by
// test/i18n.test.mjs). The locale files are precompiled at build time by
// @intlify/unplugin-vue-i18n, and vue-i18n is aliased to its runtime-only build, so nothing is
// compiled in the browser (the CSP forbids eval).
import { createI18n } from 'vue-i18n';
import zh from './locales/zh.json';
import ru from './locales/ru.json';
import en from './locales/en.json';
import { setApiLang } from './lib/api.js';

export const LANGS = [
  { code: 'zh', label: '中文' },
  { code: 'ru', label: 'Русский' },
  { code: 'en', label: 'English' },
];
const KEY = 'ftz.lang';

function stored() {
  try {
    const v = localStorage.getItem(KEY);
    return LANGS.some((l) => l.code === v) ? v : null;
  } catch {
    return null;
  }
}

const initial = stored() || 'zh';

export const i18n = createI18n({
  legacy: false,
  globalInjection: true,
  locale: initial,
  fallbackLocale: 'zh',
  messages: { zh, ru, en },
  missingWarn: false,
  fallbackWarn: false,
});

function apply(lang) {
  i18n.global.locale.value = lang;
  setApiLang(lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : lang;
  document.title = `${i18n.global.t('app.title')} · ftz`;
}
apply(initial);

/** Switches the UI language and remembers the choice in this browser. */
export function setLang(lang) {
  if (!LANGS.some((l) => l.code === lang)) return;
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  apply(lang);
}

/** After log-in: the user's own language, unless this browser already chose one. */
export function adoptUserLang(lang) {
  if (!stored() && LANGS.some((l) => l.code === lang)) apply(lang);
}

/** The current language code. */
export const lang = () => i18n.global.locale.value;

/** A record's name in the UI language: obj[base] (Chinese), obj[base_ru], obj[base_en]. */
export function localName(obj, base = 'name') {
  if (!obj) return '';
  const l = lang();
  if (l !== 'zh' && obj[`${base}_${l}`]) return obj[`${base}_${l}`];
  return obj[base] || obj[`${base}_zh`] || '';
}

/** A role's title in the UI language. */
export function roleTitle(role) {
  if (!role) return '';
  return role[`title_${lang()}`] || role.title_zh || role.name;
}
