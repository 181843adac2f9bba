// router.js — the pages and who may open them. A page's meta.perm is the permission its list
// needs (the same one the menu checks); meta.public pages need no session. History mode:
// `ftz serve` answers index.html for any path without a file extension (SPA fallback).
import { createRouter, createWebHistory } from 'vue-router';
import { session, restoreSession, can, canAny } from './session.js';
import { setUnauthorizedHandler } from './lib/api.js';
import AppLayout from './components/AppLayout.vue';
import LoginPage from './pages/LoginPage.vue';

const routes = [
  { path: '/login', name: 'login', component: LoginPage, meta: { public: true, bare: true } },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'home', component: () => import('./pages/HomePage.vue') },
      { path: 'users', name: 'users', component: () => import('./pages/UsersPage.vue'), meta: { perm: 'auth.user.read' } },
      {
        path: 'departments',
        name: 'departments',
        component: () => import('./pages/DepartmentsPage.vue'),
        meta: { perm: 'auth.dept.read' },
      },
      { path: 'roles', name: 'roles', component: () => import('./pages/RolesPage.vue'), meta: { perm: 'auth.role.read' } },
      {
        path: 'tokens',
        name: 'tokens',
        component: () => import('./pages/TokensPage.vue'),
        meta: { anyPerm: ['auth.token.create', 'auth.token.admin'] },
      },
      { path: 'firms', name: 'firms', component: () => import('./pages/FirmsPage.vue'), meta: { perm: 'firm.read' } },
      // One firm: its registry record, credit code explained, edit, and its demands.
      {
        path: 'firms/:id(\\d+)',
        name: 'firm',
        component: () => import('./pages/FirmDetailPage.vue'),
        meta: { perm: 'firm.read' },
      },
      // Enterprise demands (企业诉求): the inbox (a firm's own account: its portal), the figures
      // and one demand. /demands/stats is matched before /demands/:id (a number).
      { path: 'demands', name: 'demands', component: () => import('./pages/DemandsPage.vue'), meta: { perm: 'demand.read' } },
      {
        path: 'demands/stats',
        name: 'demand-stats',
        component: () => import('./pages/DemandStatsPage.vue'),
        meta: { perm: 'demand.read' },
      },
      {
        path: 'demands/:id(\\d+)',
        name: 'demand',
        component: () => import('./pages/DemandDetailPage.vue'),
        meta: { perm: 'demand.read' },
      },
      // The "can't-get-it-done" window (办不成事窗口): the desk, the case library and one case.
      // /window/library is matched before /window/:id (a number).
      { path: 'window', name: 'window', component: () => import('./pages/WindowDeskPage.vue'), meta: { perm: 'window.read' } },
      {
        path: 'window/library',
        name: 'window-library',
        component: () => import('./pages/WindowLibraryPage.vue'),
        meta: { perm: 'window.read' },
      },
      {
        path: 'window/:id(\\d+)',
        name: 'window-case',
        component: () => import('./pages/WindowCasePage.vue'),
        meta: { perm: 'window.read' },
      },
      // Chief service commissioners: the workspace (a commissioner's home) and the start-up
      // package board.
      {
        path: 'workspace',
        name: 'workspace',
        component: () => import('./pages/CommissionerWorkspacePage.vue'),
        meta: { perm: 'firm.workspace' },
      },
      {
        path: 'startup-package',
        name: 'startup-package',
        component: () => import('./pages/StartupPackagePage.vue'),
        meta: { perm: 'firm.read' },
      },
      // Leader visits, enterprise salons (issues raised there become demands) and financing
      // matchmaking (firm/outreach.h, firm/financing.h).
      { path: 'visits', name: 'visits', component: () => import('./pages/VisitsPage.vue'), meta: { perm: 'visit.read' } },
      { path: 'salons', name: 'salons', component: () => import('./pages/SalonsPage.vue'), meta: { perm: 'visit.read' } },
      {
        path: 'financing',
        name: 'financing',
        component: () => import('./pages/FinancingPage.vue'),
        meta: { perm: 'financing.read' },
      },
      {
        path: 'settings',
        name: 'settings',
        component: () => import('./pages/SettingsPage.vue'),
        meta: { perm: 'settings.read' },
      },
      { path: 'audit', name: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { perm: 'audit.read' } },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'notfound',
    component: () => import('./pages/NotFoundPage.vue'),
    meta: { public: true, bare: true },
  },
];

export const router = createRouter({
  history: createWebHistory(),
  routes,
  scrollBehavior: () => ({ top: 0 }),
});

/** May the current user open this route? */
export function allowed(route) {
  const m = route.meta || {};
  if (m.perm && !can(m.perm)) return false;
  if (m.anyPerm && !canAny(...m.anyPerm)) return false;
  return true;
}

router.beforeEach(async (to) => {
  if (!session.checked) {
    try {
      await restoreSession();
    } catch {
      /* the server is unreachable: the log-in page says so when it is used */
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && session.user) return { name: 'home' };
    return true;
  }
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (!allowed(to)) return { name: 'home' };
  return true;
});

// A 401 in the middle of work: the session ended (idle timeout, log-out elsewhere).
setUnauthorizedHandler(() => {
  if (!session.user) return;
  session.user = null;
  session.permissions = [];
  const here = router.currentRoute.value;
  if (!here.meta.public) router.replace({ name: 'login', query: { next: here.fullPath, expired: '1' } });
});
