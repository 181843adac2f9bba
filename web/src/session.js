// session.js — who is logged in (DESIGN.md §4 "Session"). The cookie is HttpOnly, so the page
// learns about its session from POST /api/v1/session (log-in) or GET /api/v1/session (after a
// reload, which also gives the CSRF token back); DELETE logs out.
import { reactive } from 'vue';
import { api, setCsrf } from './lib/api.js';
import { adoptUserLang } from './i18n.js';

export const session = reactive({
  user: null,
  permissions: [],
  /** true once the first GET /api/v1/session has answered. */
  checked: false,
});

function take(body) {
  session.user = body.user;
  session.permissions = Array.isArray(body.permissions) ? body.permissions : [];
  setCsrf(body.csrf);
}

export function clearSession() {
  session.user = null;
  session.permissions = [];
  setCsrf(null);
}

let restoring = null;

/** Asks the server for the current session once per page load (401 = logged out). */
export function restoreSession() {
  if (!restoring) {
    restoring = api
      .get('/session')
      .then(take)
      .catch((e) => {
        clearSession();
        if (e.status !== 401) throw e;
      })
      .finally(() => {
        session.checked = true;
      });
  }
  return restoring;
}

export async function login(username, password) {
  const body = await api.post('/session', { username, password });
  take(body);
  adoptUserLang(body.user && body.user.lang);
  return body;
}

export async function logout() {
  try {
    await api.del('/session');
  } finally {
    clearSession();
  }
}

export const can = (perm) => session.permissions.includes(perm);
export const canAny = (...perms) => perms.some(can);

const ROLE_ORDER = ['admin', 'leader', 'dispatcher', 'staff', 'commissioner', 'customs', 'postal', 'station', 'firm'];

/**
 * The role whose home page the user sees: the first built-in role it holds, in the order
 * above; a user with custom roles only gets the home that fits its permissions.
 */
export function homeRole() {
  const roles = (session.user && session.user.roles) || [];
  for (const r of ROLE_ORDER) if (roles.includes(r)) return r;
  if (can('auth.user.admin')) return 'admin';
  if (can('audit.read')) return 'leader';
  return 'other';
}
