/**
 * The thresholds table as the form holds it: per kind, whether it is on, its
 * severity and its numbers as typed (strings, so a half-typed number stays as
 * typed). Only whether each number is a whole number is checked here; its
 * range is the server's to check, and its refusal names the kind.
 */
import { t, type Messages } from '../../i18n';
import { SIGNAL_KINDS, type Rule, type Severity, type SignalKind, type Thresholds } from '../../api/policy';

const text = t.policy.thresholds;

/** The name of a number's unit (see the messages' `units`). */
export type FieldName = keyof Messages['policy']['thresholds']['units'];

/** The numbers each kind takes, in order. */
export const FIELDS: Record<SignalKind, readonly FieldName[]> = {
  history_mismatch: [],
  second_device: ['second_device'],
  large_paste: ['large_paste'],
  sudden_code: ['sudden_code'],
  typing_burst: ['chars_per_second', 'over_seconds'],
  time_away: ['total_seconds', 'longest_seconds'],
  fullscreen_exit: ['fullscreen_exit'],
  devtools: ['devtools'],
  offline: ['offline'],
};

/** One kind's row as the form holds it. */
export interface DraftRule {
  on: boolean;
  severity: Severity;
  /** The numbers as typed, in the order of `FIELDS`. */
  values: string[];
}

export type Draft = Record<SignalKind, DraftRule>;

/** A kind's numbers in `table`, in the order of `FIELDS`; null when it is off. */
function numbers(kind: SignalKind, table: Thresholds): number[] | null {
  switch (kind) {
    case 'history_mismatch':
      return table.history_mismatch === null ? null : [];
    case 'typing_burst': {
      const rule = table.typing_burst;
      return rule === null ? null : [rule.at.chars_per_second, rule.at.over_seconds];
    }
    case 'time_away': {
      const rule = table.time_away;
      return rule === null ? null : [rule.at.total_seconds, rule.at.longest_seconds];
    }
    default: {
      const rule = table[kind];
      return rule === null ? null : [rule.at];
    }
  }
}

/**
 * The form's rows for `current`. A kind that is off keeps the profile's
 * numbers and severity, ready for when it is switched on again.
 */
export function draftOf(current: Thresholds, profile: Thresholds): Draft {
  const entries = SIGNAL_KINDS.map((kind): [SignalKind, DraftRule] => {
    const values = numbers(kind, current) ?? numbers(kind, profile);
    return [kind, {
      on: current[kind] !== null,
      severity: current[kind]?.severity ?? profile[kind]?.severity ?? 'medium',
      values: values === null ? FIELDS[kind].map(() => '') : values.map(String),
    }];
  });
  return Object.fromEntries(entries) as Draft;
}

/** Which number of which kind: `kind` and its index in `FIELDS`. */
export const fieldKey = (kind: SignalKind, index: number): string => `${kind}.${String(index)}`;

/** A whole number as typed (at most nine digits, so it stays exact), or null. */
export const wholeNumber = (typed: string | undefined): number | null => {
  const trimmed = typed?.trim() ?? '';
  return /^\d{1,9}$/.test(trimmed) ? Number(trimmed) : null;
};

/** The table to send, or the numbers that are not whole numbers (`fieldKey`s) among the kinds switched on. */
export function tableOf(draft: Draft): { table: Thresholds } | { invalid: string[] } {
  const invalid: string[] = [];
  /** The numbers of a kind switched on, or null when it is off or a number is not whole. */
  const read = (kind: SignalKind): number[] | null => {
    const row = draft[kind];
    if (!row.on) return null;
    const found = FIELDS[kind].map((_, index) => wholeNumber(row.values[index]));
    found.forEach((value, index) => {
      if (value === null) invalid.push(fieldKey(kind, index));
    });
    return found.every((value) => value !== null) ? found : null;
  };
  const rule = <T>(kind: SignalKind, at: (values: number[]) => T): Rule<T> | null => {
    const values = read(kind);
    return values === null ? null : { severity: draft[kind].severity, at: at(values) };
  };
  const count = (kind: SignalKind): Rule<number> | null => rule(kind, (values) => values[0] ?? 0);
  const table: Thresholds = {
    // Always on: the server refuses a table without it.
    history_mismatch: { severity: draft.history_mismatch.severity, at: null },
    second_device: count('second_device'),
    large_paste: count('large_paste'),
    sudden_code: count('sudden_code'),
    typing_burst: rule('typing_burst', ([perSecond = 0, over = 0]) => ({ chars_per_second: perSecond, over_seconds: over })),
    time_away: rule('time_away', ([total = 0, longest = 0]) => ({ total_seconds: total, longest_seconds: longest })),
    fullscreen_exit: count('fullscreen_exit'),
    devtools: count('devtools'),
    offline: count('offline'),
  };
  return invalid.length > 0 ? { invalid } : { table };
}

/** A kind's numbers in words, or null when it is off. */
export function settingWords(kind: SignalKind, table: Thresholds): string | null {
  const words = text.setting;
  switch (kind) {
    case 'history_mismatch':
      return table.history_mismatch === null ? null : words.history_mismatch;
    case 'typing_burst': {
      const rule = table.typing_burst;
      return rule === null ? null : words.typing_burst(rule.at.chars_per_second, rule.at.over_seconds);
    }
    case 'time_away': {
      const rule = table.time_away;
      return rule === null ? null : words.time_away(rule.at.total_seconds, rule.at.longest_seconds);
    }
    default: {
      const rule = table[kind];
      return rule === null ? null : words[kind](rule.at);
    }
  }
}

/** A kind's setting in words: "200 characters, medium", or "off". */
export function ruleText(kind: SignalKind, table: Thresholds): string {
  const words = settingWords(kind, table);
  const severity = table[kind]?.severity;
  return words === null || severity === undefined ? text.off : text.rule(words, text.severityWords[severity]);
}
