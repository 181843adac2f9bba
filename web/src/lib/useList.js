// useList.js — the state every list page shares: filters, paging, sort, loading.
//
// useServerList: the server pages, sorts and filters (`page`, `per_page`, `sort=key|-key`,
// the list's own filters) — users, firms, audit.
// useLocalList: small lists the server answers whole (departments, roles, tokens, settings):
// the same controls, applied in the browser.
import { computed, reactive, ref } from 'vue';
import { api } from './api.js';
import { showError } from './ui.js';

export const PAGE_SIZES = [20, 50, 100, 200];

/** el-table's sort-change event → `key` / `-key` (or the default when cleared). */
export function sortParam({ prop, order }, fallback) {
  if (!prop || !order) return fallback;
  return order === 'descending' ? `-${prop}` : prop;
}

/** `-key` → {prop: 'key', order: 'descending'}, for el-table's default-sort. */
export function defaultSort(sort) {
  if (!sort) return {};
  return sort.startsWith('-') ? { prop: sort.slice(1), order: 'descending' } : { prop: sort, order: 'ascending' };
}

export function useServerList(path, { sort = '', perPage = 20, filters = {} } = {}) {
  const initial = { ...filters };
  const list = reactive({
    items: [],
    total: 0,
    page: 1,
    perPage,
    sort,
    loading: false,
    filters: { ...filters },
  });

  /** The filters and sort, without paging: the export takes the same query. */
  function query() {
    const q = {};
    for (const [k, v] of Object.entries(list.filters)) if (v !== '' && v !== null && v !== undefined) q[k] = v;
    if (list.sort) q.sort = list.sort;
    return q;
  }

  let seq = 0;
  async function load() {
    const mine = ++seq;
    list.loading = true;
    try {
      const r = await api.get(path, { ...query(), page: list.page, per_page: list.perPage });
      if (mine !== seq) return;
      list.items = r.items || [];
      list.total = r.total || 0;
    } catch (e) {
      if (mine === seq) showError(e);
    } finally {
      if (mine === seq) list.loading = false;
    }
  }

  return {
    list,
    query,
    load,
    search() {
      list.page = 1;
      return load();
    },
    reset() {
      Object.assign(list.filters, initial);
      list.page = 1;
      return load();
    },
    onSort(e) {
      list.sort = sortParam(e, sort);
      list.page = 1;
      return load();
    },
    onPage(p) {
      list.page = p;
      return load();
    },
    onSize(n) {
      list.perPage = n;
      list.page = 1;
      return load();
    },
  };
}

/**
 * A list held whole in the browser. `source` is a ref of all rows; `match(row, filters)`
 * decides the filter; `sortValue(row, key)` the sort key (row[key] by default).
 */
export function useLocalList(source, { filters = {}, match = () => true, sort = '', perPage = 20, sortValue } = {}) {
  const initial = { ...filters };
  const list = reactive({ page: 1, perPage, sort, filters: { ...filters } });
  const value = sortValue || ((row, key) => row[key]);

  const filtered = computed(() => {
    const rows = (source.value || []).filter((r) => match(r, list.filters));
    if (!list.sort) return rows;
    const desc = list.sort.startsWith('-');
    const key = desc ? list.sort.slice(1) : list.sort;
    const cmp = (a, b) => {
      const x = value(a, key);
      const y = value(b, key);
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return String(x).localeCompare(String(y));
    };
    return [...rows].sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)));
  });
  const total = computed(() => filtered.value.length);
  const items = computed(() => {
    const start = (list.page - 1) * list.perPage;
    return filtered.value.slice(start, start + list.perPage);
  });
  const loading = ref(false);

  return {
    list,
    items,
    total,
    filtered,
    loading,
    search() {
      list.page = 1;
    },
    reset() {
      Object.assign(list.filters, initial);
      list.page = 1;
    },
    onSort(e) {
      list.sort = sortParam(e, sort);
      list.page = 1;
    },
    onPage(p) {
      list.page = p;
    },
    onSize(n) {
      list.perPage = n;
      list.page = 1;
    },
  };
}

/** Case-insensitive "contains" over several values. */
export function textMatch(needle, ...values) {
  const n = String(needle || '').trim().toLowerCase();
  if (!n) return true;
  return values.some((v) => v !== null && v !== undefined && String(v).toLowerCase().includes(n));
}
