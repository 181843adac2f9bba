// demands.js — what the demand pages share (企业诉求, the case engine's first kind): the kind's
// state machine from GET /api/v1/demands/machine (lib/cases.js, shared with the other kinds),
// the members each event's form takes and their words, and the kind as the shared case
// components take it (DEMAND_KIND). The server decides what a user may do (a demand's
// `actions`); nothing here re-implements the machine.
import { i18n } from '../i18n.js';
import { session } from '../session.js';
import { useCaseMachine } from './cases.js';

export { fmtRate, priorityTag, rateValue, stateTag } from './cases.js';

const t = (...a) => i18n.global.t(...a);

/**
 * The demand machine in the UI language, reloaded when the language changes (lib/cases.js).
 * Helpers name the codes the API answers with (a state, a category …) and list a value set
 * as options.
 */
export const useMachine = () => useCaseMachine('/demands');

/** A firm's own account: the demands page is its portal (its firm's demands only). */
export const isPortal = () => !!(session.user && session.user.scope === 'own_firm');

/**
 * The members each event's form takes (the API's, case.h), with the ones it requires.
 * Kinds: text (one line), textarea, select:<set> (a machine value set), dept, depts (several),
 * date, days, switch, rate, demand (another open demand).
 */
export const EVENT_FORMS = {
  assess: [
    { key: 'category', kind: 'select:categories', required: true },
    { key: 'priority', kind: 'select:priorities', required: true },
    { key: 'topic', kind: 'select:topics' },
    { key: 'lead_dept_id', kind: 'dept', required: true },
    { key: 'assist_dept_ids', kind: 'depts' },
    { key: 'deadline', kind: 'date' },
    { key: 'note', kind: 'textarea' },
  ],
  dispatch: [{ key: 'note', kind: 'textarea' }],
  receive: [{ key: 'note', kind: 'textarea' }],
  return: [
    { key: 'reason', kind: 'textarea', required: true },
    { key: 'note', kind: 'textarea' },
  ],
  redispatch: [
    { key: 'lead_dept_id', kind: 'dept', required: true },
    { key: 'assist_dept_ids', kind: 'depts' },
    { key: 'note', kind: 'textarea' },
  ],
  request_extension: [
    { key: 'days', kind: 'days', required: true },
    { key: 'reason', kind: 'textarea', required: true },
  ],
  grant_extension: [
    { key: 'days', kind: 'days' },
    { key: 'note', kind: 'textarea' },
  ],
  refuse_extension: [
    { key: 'reason', kind: 'textarea' },
    { key: 'note', kind: 'textarea' },
  ],
  reply: [
    { key: 'reply', kind: 'textarea', required: true, rows: 6, max: 5000 },
    { key: 'note', kind: 'textarea' },
  ],
  evaluate: [
    { key: 'solved', kind: 'switch', required: true },
    { key: 'satisfaction', kind: 'rate', required: true },
    { key: 'evaluation', kind: 'textarea' },
  ],
  reopen: [
    { key: 'reason', kind: 'textarea', required: true },
    { key: 'note', kind: 'textarea' },
  ],
  reject: [
    { key: 'reason', kind: 'textarea', required: true },
    { key: 'note', kind: 'textarea' },
  ],
  withdraw: [
    { key: 'reason', kind: 'textarea' },
    { key: 'note', kind: 'textarea' },
  ],
  merge: [
    { key: 'into_id', kind: 'demand', required: true },
    { key: 'note', kind: 'textarea' },
  ],
  comment: [{ key: 'note', kind: 'textarea', required: true }],
};

/** The label of an event form's member (written out so the i18n test finds every key). */
export function fieldLabel(key) {
  return (
    {
      category: t('demands.field.category'),
      priority: t('demands.field.priority'),
      topic: t('demands.field.topic'),
      lead_dept_id: t('demands.field.leadDept'),
      assist_dept_ids: t('demands.field.assistDepts'),
      deadline: t('demands.field.deadlineEarlier'),
      note: t('demands.field.note'),
      reason: t('demands.field.reason'),
      days: t('demands.field.days'),
      reply: t('demands.field.reply'),
      solved: t('demands.field.solved'),
      satisfaction: t('demands.field.satisfaction'),
      evaluation: t('demands.field.evaluation'),
      into_id: t('demands.field.intoId'),
    }[key] || key
  );
}

/** Events that move the demand forward get the primary colour; the rest are plain. */
export function actionType(event) {
  if (['assess', 'dispatch', 'receive', 'reply', 'evaluate', 'redispatch', 'grant_extension'].includes(event)) return 'primary';
  if (['reject', 'return', 'withdraw', 'refuse_extension'].includes(event)) return 'danger';
  return '';
}

/** The line an event's dialog opens with (written out so the i18n test finds every key). */
export function eventIntro(event) {
  return (
    {
      assess: t('demands.intro.assess'),
      dispatch: t('demands.intro.dispatch'),
      receive: t('demands.intro.receive'),
      return: t('demands.intro.return'),
      request_extension: t('demands.intro.requestExtension'),
      reply: t('demands.intro.reply'),
      evaluate: t('demands.intro.evaluate'),
      reject: t('demands.intro.reject'),
      withdraw: t('demands.intro.withdraw'),
      merge: t('demands.intro.merge'),
    }[event] || ''
  );
}

/**
 * The demand kind as the shared case components take it (DemandEventDialog,
 * DemandFileDialog, CaseTimeline): its API path, its event forms and their words.
 */
export const DEMAND_KIND = {
  base: '/demands',
  route: '/demands',
  forms: EVENT_FORMS,
  fieldLabel: (key) => fieldLabel(key),
  actionType,
  intro: (event) => eventIntro(event),
  defaults: () => ({}),
  fileCategory: true,
  topicRequired: false,
  text: {
    fileTitle: () => t('demands.file.title'),
    fileTopic: () => t('demands.file.topicOptional'),
    fileLang: () => t('demands.file.lang'),
    fileSubmit: () => t('demands.file.submit'),
    fileDone: (code) => t('demands.file.done', { code }),
    mergeSearch: () => t('demands.mergeSearch'),
    lowRateHint: () => t('demands.lowRateHint'),
  },
};
