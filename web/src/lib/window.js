// window.js — what the pages of the "can't-get-it-done" window share (办不成事窗口, a kind of
// the case engine: src/firm/window.c). The machine comes from GET /api/v1/window-cases/machine
// (lib/cases.js); here are the kind's own forms and words: the ladder of levels (window →
// department → joint review → business-environment office), the refusal report (no "no"
// without a report a supervisor approved) and the root cause every closed case files for
// the case library. The server decides what a user may do (a case's `actions`).
import { i18n } from '../i18n.js';
import { useCaseMachine } from './cases.js';
import { EVENT_FORMS, fieldLabel as demandFieldLabel } from './demands.js';

const t = (...a) => i18n.global.t(...a);

export const WINDOW_BASE = '/window-cases';

/** The window kind's machine in the UI language (levels are its categories). */
export const useWindowMachine = () => useCaseMachine(WINDOW_BASE);

const note = { key: 'note', kind: 'textarea' };
// Closing (at the window or in the lead department) files the root cause: the library.
const CLOSE = [
  { key: 'reply', kind: 'textarea', required: true, rows: 5, max: 5000 },
  { key: 'root_cause', kind: 'select:root_causes', required: true },
  { key: 'root_cause_text', kind: 'textarea', required: true },
  note,
];

/** The members each event's form takes (the API's, src/case/store.c), with the required ones. */
export const WINDOW_FORMS = {
  ...EVENT_FORMS,
  settle: CLOSE,
  reply: CLOSE,
  raise: [
    { key: 'lead_dept_id', kind: 'dept', required: true },
    { key: 'assist_dept_ids', kind: 'depts' },
    { key: 'reason', kind: 'textarea', required: true },
    note,
  ],
  request_refusal: [{ key: 'report', kind: 'textarea', required: true, rows: 6, max: 5000 }, note],
  approve_refusal: [note],
  reject_refusal: [{ key: 'reason', kind: 'textarea', required: true }, note],
  refuse: [
    { key: 'reason', kind: 'textarea', required: true },
    { key: 'root_cause', kind: 'select:root_causes', required: true },
    { key: 'root_cause_text', kind: 'textarea', required: true },
    note,
  ],
  archive: [note],
};

/** The label of an event form's member; some read differently for some events. */
export function fieldLabel(key, event) {
  if (key === 'reason' && event === 'refuse') return t('window.field.refusal');
  if (key === 'reason' && event === 'raise') return t('window.field.raiseReason');
  if (key === 'reason' && event === 'reject_refusal') return t('window.field.rejectReason');
  if (key === 'lead_dept_id' && event === 'raise') return t('window.field.newLead');
  return (
    {
      category: t('window.field.level'),
      reply: t('window.field.reply'),
      root_cause: t('window.field.rootCause'),
      root_cause_text: t('window.field.rootCauseText'),
      report: t('window.field.report'),
    }[key] || demandFieldLabel(key)
  );
}

/** Events that move the case forward get the primary colour, a refusal red, a raise orange. */
export function actionType(event) {
  if (['assess', 'settle', 'dispatch', 'receive', 'reply', 'evaluate', 'redispatch', 'grant_extension', 'approve_refusal', 'archive'].includes(event)) return 'primary';
  if (['reject', 'return', 'withdraw', 'refuse_extension', 'refuse', 'reject_refusal'].includes(event)) return 'danger';
  if (event === 'raise') return 'warning';
  return '';
}

/** The line an event's dialog opens with; `raise` names the step (m: the window machine). */
export function eventIntro(event, c, m) {
  if (event === 'raise') {
    const levels = (m && m.categories.value) || [];
    const i = levels.findIndex((l) => l.code === (c && c.category));
    const from = i >= 0 ? levels[i].name : '';
    const to = i >= 0 && levels[i + 1] ? levels[i + 1].name : '';
    return t('window.intro.raise', { from, to });
  }
  return (
    {
      assess: t('window.intro.assess'),
      settle: t('window.intro.settle'),
      dispatch: t('window.intro.dispatch'),
      receive: t('window.intro.receive'),
      return: t('window.intro.return'),
      request_extension: t('demands.intro.requestExtension'),
      reply: t('window.intro.reply'),
      evaluate: t('window.intro.evaluate'),
      request_refusal: t('window.intro.requestRefusal'),
      approve_refusal: t('window.intro.decideRefusal'),
      reject_refusal: t('window.intro.decideRefusal'),
      refuse: t('window.intro.refuse'),
      reject: t('window.intro.reject'),
      withdraw: t('window.intro.withdraw'),
      merge: t('window.intro.merge'),
      archive: t('window.intro.archive'),
    }[event] || ''
  );
}

/** The window kind as the shared case components take it (see DEMAND_KIND). */
export const WINDOW_KIND = {
  base: WINDOW_BASE,
  route: '/window',
  forms: WINDOW_FORMS,
  fieldLabel,
  actionType,
  intro: eventIntro,
  // A case is classified at the window first, its lead the department that accepted it.
  defaults: (event, c) => (event === 'assess' ? { category: c.category || 'window', lead_dept_id: c.lead_dept_id || c.accept_dept_id || null } : {}),
  fileCategory: false,
  topicRequired: true,
  text: {
    fileTitle: () => t('window.file.title'),
    fileTopic: () => t('window.file.topic'),
    fileLang: () => t('window.file.lang'),
    noFirms: () => t('window.file.noFirms'),
    fileSubmit: () => t('window.file.submit'),
    fileDone: (code) => t('window.file.done', { code }),
    mergeSearch: () => t('window.mergeSearch'),
    lowRateHint: () => t('window.lowRateHint'),
  },
};

/** el-tag type of a level of the ladder: the higher, the hotter. */
export function levelTag(level) {
  return { window: 'success', department: 'primary', joint: 'warning', bizenv: 'danger' }[level] || 'info';
}

/** The refusal report's state in words, and its tag. */
export function refusalLabel(state) {
  return (
    {
      pending: t('window.refusal.pending'),
      approved: t('window.refusal.approved'),
      rejected: t('window.refusal.rejected'),
    }[state] || t('window.refusal.none')
  );
}
export const refusalTag = (state) => ({ pending: 'warning', approved: 'success', rejected: 'danger' })[state] || 'info';

/** How a closed case ended. */
export function outcomeLabel(outcome) {
  return (
    {
      resolved: t('window.outcome.resolved'),
      refused: t('window.outcome.refused'),
      out_of_scope: t('window.outcome.outOfScope'),
      withdrawn: t('window.outcome.withdrawn'),
    }[outcome] ||
    outcome ||
    ''
  );
}
export const outcomeTag = (outcome) => ({ resolved: 'success', refused: 'danger' })[outcome] || 'info';
