/**
 * The exam as the editor holds it while the instructor types: times as the
 * local `datetime-local` values, numbers as typed text, and a key on each
 * question and test so that moving or removing one keeps every other's
 * fields and focus. `specOf` turns it into the wire form, or says which
 * fields cannot be sent yet; the server checks the rest.
 */
import { t } from '../../i18n';
import type { Exam, ExamQuestion, ExamTest } from '../../api/types';
import { fromLocalInput, toLocalInput } from '../../components/localTime';
import type { ExamSpec } from '../../api/exams';

export interface DraftTest extends ExamTest {
  key: number;
}

export interface DraftQuestion extends Omit<ExamQuestion, 'points' | 'tests'> {
  key: number;
  points: string;
  tests: DraftTest[];
}

export interface Draft {
  title: string;
  instructions: string;
  opensAt: string;
  closesAt: string;
  duration: string;
  late_policy: Exam['late_policy'];
  integrity_profile: Exam['integrity_profile'];
  require_fullscreen: boolean;
  section_ids: string[];
  questions: DraftQuestion[];
}

/** Field errors found before sending; `points` by question key. */
export interface DraftErrors {
  title?: string;
  opensAt?: string;
  closesAt?: string;
  duration?: string;
  sections?: string;
  points?: Record<number, string>;
}

let lastKey = 0;
const nextKey = (): number => (lastKey += 1);

export const blankTest = (): DraftTest => ({
  key: nextKey(),
  visibility: 'visible',
  kind: 'function',
  expression: '',
  stdin: '',
  expected: '',
  ignore_trailing_whitespace: true,
});

export const blankQuestion = (): DraftQuestion => ({
  key: nextKey(),
  title: '',
  prompt: '',
  starter_code: '',
  model_solution: '',
  points: '10',
  tests: [],
});

/** A new exam: usual settings, no window, no sections chosen, no questions yet. */
export const blankDraft = (): Draft => ({
  title: '',
  instructions: '',
  opensAt: '',
  closesAt: '',
  duration: '60',
  late_policy: 'accept_queued',
  integrity_profile: 'standard',
  require_fullscreen: false,
  section_ids: [],
  questions: [],
});

export const draftOf = (exam: Exam): Draft => ({
  title: exam.title,
  instructions: exam.instructions,
  opensAt: toLocalInput(exam.opens_at),
  closesAt: toLocalInput(exam.closes_at),
  duration: String(exam.duration_minutes),
  late_policy: exam.late_policy,
  integrity_profile: exam.integrity_profile,
  require_fullscreen: exam.require_fullscreen,
  section_ids: [...exam.section_ids],
  questions: exam.questions.map((question) => ({
    ...question,
    key: nextKey(),
    points: String(question.points),
    tests: question.tests.map((test) => ({ ...test, key: nextKey() })),
  })),
});

/** A whole number in `min..max` from typed text, or null. */
function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^\s*\d+\s*$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/**
 * The control shows minutes; an unchanged control keeps the saved time to
 * the second, so opening and saving an exam never moves its window.
 */
function timeOf(local: string, saved: string | undefined): string | null {
  if (saved !== undefined && local === toLocalInput(saved)) return saved;
  return fromLocalInput(local);
}

/** A test as the server takes it (field by field: the server refuses unknown fields). */
export const wireTest = (test: DraftTest): ExamTest => ({
  visibility: test.visibility,
  kind: test.kind,
  expression: test.expression,
  stdin: test.stdin,
  expected: test.expected,
  ignore_trailing_whitespace: test.ignore_trailing_whitespace,
});

/** The draft as the server takes it, or the errors that keep it from being sent. */
export function specOf(draft: Draft, saved: Exam | undefined): { spec: ExamSpec } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  const text = t.author.errors;
  if (draft.title.trim() === '') errors.title = t.common.required;
  const opensAt = timeOf(draft.opensAt, saved?.opens_at);
  const closesAt = timeOf(draft.closesAt, saved?.closes_at);
  if (opensAt === null) errors.opensAt = text.time;
  if (closesAt === null) errors.closesAt = text.time;
  else if (opensAt !== null && Date.parse(closesAt) <= Date.parse(opensAt)) errors.closesAt = text.closesAfterOpens;
  const duration = wholeNumber(draft.duration, 1, 1440);
  if (duration === null) errors.duration = text.wholeNumber(1, 1440);
  if (draft.section_ids.length === 0) errors.sections = text.sections;
  const points: Record<number, string> = {};
  const questions = draft.questions.map((question): ExamQuestion => {
    const value = wholeNumber(question.points, 0, 1000);
    if (value === null) points[question.key] = text.wholeNumber(0, 1000);
    return {
      ...(question.id === undefined ? {} : { id: question.id }),
      title: question.title,
      prompt: question.prompt,
      starter_code: question.starter_code,
      model_solution: question.model_solution,
      points: value ?? 0,
      tests: question.tests.map(wireTest),
    };
  });
  if (Object.keys(points).length > 0) errors.points = points;
  if (Object.keys(errors).length > 0 || opensAt === null || closesAt === null || duration === null) return { errors };
  return {
    spec: {
      title: draft.title,
      instructions: draft.instructions,
      opens_at: opensAt,
      closes_at: closesAt,
      duration_minutes: duration,
      late_policy: draft.late_policy,
      integrity_profile: draft.integrity_profile,
      require_fullscreen: draft.require_fullscreen,
      section_ids: draft.section_ids,
      questions,
    },
  };
}

/** Keys and ids are bookkeeping, not something the instructor wrote. */
const withoutKeys = (name: string, value: unknown): unknown => (name === 'key' || name === 'id' ? undefined : value);

/**
 * The draft after `saved` answered a save of the questions with keys `sent`
 * (in the order sent): each new question takes the id the server gave it, so
 * the next save edits it instead of adding it again. Questions added or
 * removed while the save was under way are left as they are.
 */
export function withSavedIds(draft: Draft, sent: number[], saved: Exam): Draft {
  const ids = new Map<number, string>();
  sent.forEach((key, index) => {
    const id = saved.question_ids[index];
    if (id !== undefined) ids.set(key, id);
  });
  return {
    ...draft,
    questions: draft.questions.map((question) => {
      const id = ids.get(question.key);
      return question.id === undefined && id !== undefined ? { ...question, id } : question;
    }),
  };
}

/** Everything the instructor wrote, to tell whether the draft differs from what was saved. */
export const fingerprint = (draft: Draft): string => JSON.stringify(draft, withoutKeys);

/** What a run of the model solutions depends on: each question's model solution and tests. */
export const runFingerprint = (questions: DraftQuestion[]): string =>
  JSON.stringify(questions.map((question) => [question.model_solution, question.tests]), withoutKeys);
