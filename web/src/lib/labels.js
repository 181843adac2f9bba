// labels.js — words for the API's codes (job states, firm statuses, scopes, setting types).
// Each key is written out literally so test/i18n.test.mjs can check it exists in every locale.
import { i18n } from '../i18n.js';

const t = (k) => i18n.global.t(k);

export function jobStateLabel(s) {
  return (
    {
      queued: t('job.queued'),
      running: t('job.running'),
      done: t('job.done'),
      failed: t('job.failed'),
    }[s] || s
  );
}

export function firmStatusLabel(s) {
  return (
    {
      active: t('firm.status.active'),
      suspended: t('firm.status.suspended'),
      closed: t('firm.status.closed'),
    }[s] || s
  );
}

export function scopeLabel(s) {
  return (
    {
      all: t('scope.all'),
      dept_tree: t('scope.dept_tree'),
      own_firms: t('scope.own_firms'),
      own_firm: t('scope.own_firm'),
    }[s] || s
  );
}

export const SCOPES = ['all', 'dept_tree', 'own_firms', 'own_firm'];

/** A built-in role's title (for users who may not read the roles list); else the name. */
export function builtinRoleLabel(name) {
  return (
    {
      admin: t('role.admin'),
      leader: t('role.leader'),
      staff: t('role.staff'),
      commissioner: t('role.commissioner'),
      customs: t('role.customs'),
      postal: t('role.postal'),
      station: t('role.station'),
      dispatcher: t('role.dispatcher'),
      firm: t('role.firm'),
    }[name] || name
  );
}
