// refdata.js — the small reference lists many pages need (departments, roles, permissions),
// fetched once per page visit when the user may read them.
import { ref } from 'vue';
import { api } from './api.js';
import { can } from '../session.js';

export function useDepartments() {
  const items = ref([]);
  const load = async () => {
    if (!can('auth.dept.read')) return;
    try {
      items.value = (await api.get('/departments')).items || [];
    } catch {
      items.value = [];
    }
  };
  return { items, load };
}

export function useRoles() {
  const items = ref([]);
  const load = async () => {
    if (!can('auth.role.read')) return;
    try {
      items.value = (await api.get('/roles')).items || [];
    } catch {
      items.value = [];
    }
  };
  return { items, load };
}

export function usePermissions() {
  const items = ref([]);
  const load = async () => {
    if (!can('auth.role.read')) return;
    try {
      items.value = (await api.get('/permissions')).items || [];
    } catch {
      items.value = [];
    }
  };
  return { items, load };
}
