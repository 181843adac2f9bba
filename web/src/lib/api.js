// api.js — the one HTTP client of the UI (DESIGN.md §4). Every call goes to /api/v1 with the
// session cookie, the UI language as Accept-Language and, on writes, the session's CSRF
// token. Errors come back as ApiError carrying the RFC 9457 problem, with its field errors as
// a {field: message} map so forms can show each next to its field.
//
// Pure module (no Vue): the export helper and its node:test tests use it too.

export const BASE = '/api/v1';

const LANG_TAGS = { zh: 'zh-CN', ru: 'ru', en: 'en' };

const state = {
  csrf: null,
  lang: 'zh',
  onUnauthorized: null,
};

/** The CSRF token of the current session (null when logged out). */
export function setCsrf(token) {
  state.csrf = token || null;
}

/** The UI language (zh, ru, en), sent as Accept-Language so problems come translated. */
export function setApiLang(lang) {
  state.lang = LANG_TAGS[lang] ? lang : 'zh';
}

/** Called on a 401 from anything but the session routes (the session ended elsewhere). */
export function setUnauthorizedHandler(fn) {
  state.onUnauthorized = fn;
}

export class ApiError extends Error {
  constructor(status, problem, fallback) {
    const p = problem && typeof problem === 'object' ? problem : {};
    super(p.detail || p.title || fallback || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = p.code || null;
    this.problem = p;
    /** {field: message} of the problem's errors (first message per field). */
    this.fields = {};
    for (const e of Array.isArray(p.errors) ? p.errors : []) {
      if (e && e.field && !(e.field in this.fields)) this.fields[e.field] = e.message || e.code;
    }
  }
}

/** Query string of the members that have a value ('' and null are left out). */
export function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      for (const x of v) q.append(k, String(x));
    } else {
      q.append(k, String(v));
    }
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** '/users' → '/api/v1/users'; a path already under /api/ (a Location header) is kept. */
export function apiUrl(path, query) {
  const p = path.startsWith('/api/') ? path : `${BASE}${path}`;
  return p + queryString(query);
}

function headers(method, { json, accept } = {}) {
  const h = {
    Accept: accept || 'application/json',
    'Accept-Language': LANG_TAGS[state.lang] || 'zh-CN',
  };
  if (json) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && state.csrf) h['X-CSRF-Token'] = state.csrf;
  return h;
}

/** Reads a failed response into an ApiError (problem+json when the server sent one). */
export async function errorOf(r) {
  let problem = null;
  const type = r.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      problem = await r.json();
    } catch {
      problem = null;
    }
  }
  return new ApiError(r.status, problem, r.statusText);
}

/**
 * One request. Returns the parsed JSON body (null for 204), or with {raw: true} the Response
 * itself for the caller to read (downloads, 202 answers). Throws ApiError for any status
 * outside 2xx and for network failures (status 0).
 */
export async function request(method, path, { query, body, raw = false, accept } = {}) {
  const init = {
    method,
    credentials: 'same-origin',
    headers: headers(method, { json: body !== undefined, accept }),
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  let r;
  try {
    r = await fetch(apiUrl(path, query), init);
  } catch (e) {
    throw new ApiError(0, null, e && e.message ? e.message : 'network');
  }
  if (!r.ok) {
    const err = await errorOf(r);
    if (r.status === 401 && !path.endsWith('/session') && state.onUnauthorized) state.onUnauthorized(err);
    throw err;
  }
  if (raw) return r;
  if (r.status === 204) return null;
  const type = r.headers.get('Content-Type') || '';
  return type.includes('json') ? r.json() : r.text();
}

export const api = {
  get: (path, query, opts = {}) => request('GET', path, { ...opts, query }),
  post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts = {}) => request('PATCH', path, { ...opts, body }),
  del: (path, opts = {}) => request('DELETE', path, opts),
};
