// depts.js — the department tree. GET /api/v1/departments answers a flat list, parents before
// children (parent_id, path "/1/4/9/"); the UI builds el-tree nodes from it.
import { localName } from '../i18n.js';

/** [{id, label, code, dept, children}] roots first, in the server's order. */
export function deptTree(items) {
  const nodes = new Map();
  const roots = [];
  for (const d of items || []) nodes.set(d.id, { id: d.id, value: d.id, code: d.code, label: localName(d), dept: d, children: [] });
  for (const d of items || []) {
    const n = nodes.get(d.id);
    const p = d.parent_id ? nodes.get(d.parent_id) : null;
    if (p) p.children.push(n);
    else roots.push(n);
  }
  return roots;
}

/** id → department, for names in lists. */
export function deptIndex(items) {
  return new Map((items || []).map((d) => [d.id, d]));
}
