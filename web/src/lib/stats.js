// stats.js — counts for the home pages, read from the lists themselves (total of a
// one-row page), so every number shown is live data. A count the user may not read is null.
import { api } from './api.js';

export async function countOf(path, query = {}) {
  try {
    const r = await api.get(path, { ...query, per_page: 1 });
    return typeof r.total === 'number' ? r.total : null;
  } catch {
    return null;
  }
}

export const FIRM_STATUSES = ['active', 'suspended', 'closed'];
export const JOB_STATES = ['queued', 'running', 'done', 'failed'];
