// demands.js — what the demand pages share (企业诉求, the case engine's first kind): the kind's
// state machine from GET /api/v1/demands/machine in the UI language (states, events, value
// sets and their names), the colour of each state, the members each event's form takes, and
// how rates in basis points are shown. The server decides what a user may do (a demand's
// `actions`); nothing here re-implements the machine.
import { computed, ref, watch } from 'vue';
import { api } from './api.js';
import { i18n } from '../i18n.js';
import { session } from '../session.js';

const t = (...a) => i18n.global.t(...a);

// One fetch per language and page load: the machine does not change while the UI runs.
const cache = new Map();

function fetchMachine(lang) {
  if (!cache.has(lang)) {
    cache.set(
      lang,
      api.get('/demands/machine').catch((e) => {
        cache.delete(lang);
        throw e;
      }),
    );
  }
  return cache.get(lang);
}

/**
 * The machine in the UI language, reloaded when the language changes. Helpers name the
 * codes the API answers with (a state, a category …) and list a value set as options.
 */
export function useMachine() {
  const machine = ref(null);
  const loading = ref(false);
  async function load() {
    loading.value = true;
    try {
      machine.value = await fetchMachine(i18n.global.locale.value);
    } catch {
      machine.value = machine.value || null;
    } finally {
      loading.value = false;
    }
  }
  watch(() => i18n.global.locale.value, load);

  const list = (key) => (machine.value && machine.value[key]) || [];
  const states = computed(() => list('states'));
  const categories = computed(() => list('categories'));
  const topics = computed(() => list('topics'));
  const priorities = computed(() => list('priorities'));
  const channels = computed(() => list('channels'));
  const events = computed(() => list('events'));

  const named = (key, code) => {
    if (code === null || code === undefined || code === '') return '';
    const hit = list(key).find((v) => v.code === code);
    return hit ? hit.name : String(code);
  };
  function stateName(code) {
    if (!code) return '';
    const s = list('states').find((v) => v.name === code);
    return s ? s.label : code;
  }
  function eventName(code) {
    const e = list('events').find((v) => v.name === code);
    if (e) return e.label;
    if (code === 'merged_in') return t('demands.event.mergedIn');
    return code;
  }
  return {
    machine,
    loading,
    load,
    states,
    categories,
    topics,
    priorities,
    channels,
    events,
    stateName,
    eventName,
    categoryName: (c) => named('categories', c),
    topicName: (c) => named('topics', c),
    priorityName: (c) => named('priorities', c),
    channelName: (c) => named('channels', c),
  };
}

/** el-tag type of a state: waiting grey, in hand blue/orange, returned red, done green. */
export function stateTag(state) {
  return (
    {
      accepted: 'info',
      assessed: 'primary',
      dispatched: 'primary',
      returned: 'danger',
      handling: 'warning',
      replied: 'success',
      closed: 'success',
      merged: 'info',
    }[state] || 'info'
  );
}

/** el-tag type of a priority. */
export function priorityTag(p) {
  return { urgent: 'danger', high: 'warning', normal: 'info' }[p] || 'info';
}

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

/** A rate in basis points as a percentage (8750 → "87.5%"); '—' when the denominator is 0. */
export function fmtRate(bp, den) {
  if (!den) return '—';
  return `${(Number(bp || 0) / 100).toFixed(1)}%`;
}

/** The same as a number for a chart (null when undefined: the line leaves a gap). */
export const rateValue = (bp, den) => (den ? Math.round(Number(bp || 0)) / 100 : null);
