// forms.js — field errors of a refused write (422 problem `errors`) keyed by form field, so
// each el-form-item shows its own message (`roles[2]` belongs to the `roles` field).
import { reactive } from 'vue';

export function useFieldErrors() {
  const errors = reactive({});
  return {
    errors,
    clear() {
      for (const k of Object.keys(errors)) delete errors[k];
    },
    /** Takes the ApiError's fields; returns the names now shown, for showError(e, shown). */
    take(e) {
      for (const k of Object.keys(errors)) delete errors[k];
      const shown = [];
      for (const [field, msg] of Object.entries((e && e.fields) || {})) {
        const base = field.replace(/\[\d+\]$/, '');
        if (!errors[base]) errors[base] = msg;
        shown.push(field);
      }
      return shown;
    },
  };
}
