// cases.js — what the pages of every kind of the case engine share (demands, window cases …):
// a kind's state machine from GET <base>/machine in the UI language (states, events, value
// sets and their names), the colour of each state and priority, and how rates in basis points
// are shown. The server decides what a user may do (a case's `actions`); nothing here
// re-implements the machine. lib/demands.js and lib/window.js add each kind's own words.
import { computed, ref, watch } from 'vue';
import { api } from './api.js';
import { i18n } from '../i18n.js';

const t = (...a) => i18n.global.t(...a);

// One fetch per kind, language and page load: the machine does not change while the UI runs.
const cache = new Map();

function fetchMachine(base, lang) {
  const key = `${base} ${lang}`;
  if (!cache.has(key)) {
    cache.set(
      key,
      api.get(`${base}/machine`).catch((e) => {
        cache.delete(key);
        throw e;
      }),
    );
  }
  return cache.get(key);
}

/**
 * The machine of the kind at `base` ('/demands', '/window-cases') in the UI language,
 * reloaded when the language changes. Helpers name the codes the API answers with (a state,
 * a category …) and list a value set as options.
 */
export function useCaseMachine(base) {
  const machine = ref(null);
  const loading = ref(false);
  async function load() {
    loading.value = true;
    try {
      machine.value = await fetchMachine(base, i18n.global.locale.value);
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
  const rootCauses = computed(() => list('root_causes'));
  const deadlines = computed(() => list('deadlines'));

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
  /** The event's definition ({name, from: [states], to, perm, who}), or null. */
  const eventDef = (code) => list('events').find((v) => v.name === code) || null;
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
    rootCauses,
    deadlines,
    stateName,
    eventName,
    eventDef,
    categoryName: (c) => named('categories', c),
    topicName: (c) => named('topics', c),
    priorityName: (c) => named('priorities', c),
    channelName: (c) => named('channels', c),
    rootCauseName: (c) => named('root_causes', c),
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
      archived: 'info',
      merged: 'info',
    }[state] || 'info'
  );
}

/** el-tag type of a priority. */
export function priorityTag(p) {
  return { urgent: 'danger', high: 'warning', normal: 'info' }[p] || 'info';
}

/** A rate in basis points as a percentage (8750 → "87.5%"); '—' when the denominator is 0. */
export function fmtRate(bp, den) {
  if (!den) return '—';
  return `${(Number(bp || 0) / 100).toFixed(1)}%`;
}

/** The same as a number for a chart (null when undefined: the line leaves a gap). */
export const rateValue = (bp, den) => (den ? Math.round(Number(bp || 0)) / 100 : null);
