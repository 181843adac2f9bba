// ui.js — showing results and errors the same way on every page.
import { ElMessage } from 'element-plus/es/components/message/index.mjs';
import { ElMessageBox } from 'element-plus/es/components/message-box/index.mjs';
import { i18n } from '../i18n.js';

const t = (...a) => i18n.global.t(...a);

/**
 * Shows an error as a message. An ApiError carries the server's translated detail; field
 * errors that a form shows next to its fields are left out (pass their names in `shown`).
 */
export function showError(e, shown = []) {
  if (!e) return;
  if (e.status === 0) {
    ElMessage.error(t('errors.network'));
    return;
  }
  if (e.status === 401) return; // the router takes the user to the log-in page
  const rest = Object.entries(e.fields || {}).filter(([f]) => !shown.includes(f));
  const extra = rest.map(([f, m]) => `${f}: ${m}`).join('; ');
  if (e.fields && Object.keys(e.fields).length && !rest.length) {
    ElMessage.error(t('errors.checkFields'));
    return;
  }
  ElMessage.error(extra ? `${e.message} — ${extra}` : e.message || t('errors.unknown'));
}

export function showOk(text) {
  ElMessage.success(text || t('common.saved'));
}

/** Asks before a destructive action; resolves true when confirmed. */
export async function confirmAction(text, title) {
  try {
    await ElMessageBox.confirm(text, title || t('common.confirm'), {
      type: 'warning',
      confirmButtonText: t('common.ok'),
      cancelButtonText: t('common.cancel'),
    });
    return true;
  } catch {
    return false;
  }
}
