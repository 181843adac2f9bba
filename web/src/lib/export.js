// export.js — the UI's export helper (DESIGN.md §4 "Long work … runs as a job").
//
// GET /api/v1/<list>.xlsx?<the list's filters> answers either
//   200 with the file (small lists): saved at once, or
//   202 Accepted, Location: /api/v1/jobs/{id}, body {"job": {...}} (large lists): the job is
//   polled (state queued|running|done|failed, percent) and, once done, its result.file_id is
//   downloaded from /api/v1/files/{file_id}/content.
// onProgress({state, percent}) lets the caller draw a progress bar while the job runs.
//
// Pure module (no Vue), so test/export.test.mjs can drive it with a fake fetch.
import { ApiError, apiUrl, errorOf, request } from './api.js';
import { fileDate } from './format.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The file name of a Content-Disposition header (filename* preferred), or null. */
export function fileNameOf(disposition) {
  if (!disposition) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      /* fall through to the plain name */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(disposition);
  const name = plain ? (plain[1] ?? plain[2]).trim() : null;
  return name && name !== 'download' ? name : null;
}

/** Offers a Blob to the user as a download named `name` (browser only). */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function download(response, fallbackName, save) {
  const blob = await response.blob();
  const name = fileNameOf(response.headers.get('Content-Disposition')) || fallbackName;
  save(blob, name);
  return name;
}

/**
 * Exports the list at `path` ('/users', '/audit', '/firms') with `query` (its filters and
 * sort) as XLSX. Resolves with {name, job} once the file was handed to `save`; rejects with
 * ApiError (the problem of a refused export, or the error of a failed job).
 * Options: onProgress({state, percent}), pollMs (500), timeoutMs (30 min), signal
 * ({aborted}: stops polling), save (saveBlob).
 */
export async function exportXlsx(path, query = {}, opts = {}) {
  const { onProgress = () => {}, pollMs = 500, timeoutMs = 30 * 60 * 1000, signal, save = saveBlob } = opts;
  const base = path.replace(/^\/+/, '').replace(/\//g, '-');
  const fallbackName = `${base}-${fileDate()}.xlsx`;
  const r = await request('GET', `${path}.xlsx`, { query, raw: true, accept: `${XLSX_TYPE}, application/json` });
  if (r.status !== 202) {
    onProgress({ state: 'done', percent: 100 });
    return { name: await download(r, fallbackName, save), job: null };
  }
  // A job: follow it until it ends.
  let body = null;
  try {
    body = await r.json();
  } catch {
    body = null;
  }
  let job = (body && (body.job || body)) || {};
  const location = r.headers.get('Location') || (job.id ? `/api/v1/jobs/${job.id}` : null);
  if (!location) throw new ApiError(502, null, 'export job without a location');
  const end = Date.now() + timeoutMs;
  for (;;) {
    onProgress({ state: job.state || 'queued', percent: Number(job.percent) || 0 });
    if (job.state === 'done') break;
    if (job.state === 'failed') throw new ApiError(500, { detail: job.error || 'export failed', code: 'job_failed' });
    if (signal && signal.aborted) throw new ApiError(0, { detail: 'cancelled', code: 'cancelled' });
    if (Date.now() > end) throw new ApiError(504, { detail: 'export timed out', code: 'timeout' });
    await sleep(pollMs);
    const j = await request('GET', location);
    job = (j && (j.job || j)) || {};
  }
  const fileId = job.result && job.result.file_id;
  if (!fileId) throw new ApiError(500, { detail: 'export job finished without a file', code: 'job_failed' });
  const f = await fetch(apiUrl(`/files/${fileId}/content`), { credentials: 'same-origin' });
  if (!f.ok) throw await errorOf(f);
  return { name: await download(f, job.result.name || fallbackName, save), job };
}
