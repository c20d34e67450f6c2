/**
 * Changes to a draft, as pure functions: the editor applies them with
 * `edit((draft) => ...)`, so each control changes only what it shows.
 */
import type { Draft, DraftQuestion, DraftTest } from './draft';

export type QuestionPatch = Partial<Omit<DraftQuestion, 'key' | 'tests'>>;
export type TestPatch = Partial<Omit<DraftTest, 'key'>>;

const mapQuestion = (draft: Draft, key: number, change: (question: DraftQuestion) => DraftQuestion): Draft => ({
  ...draft,
  questions: draft.questions.map((question) => (question.key === key ? change(question) : question)),
});

export const patchQuestion = (draft: Draft, key: number, patch: QuestionPatch): Draft =>
  mapQuestion(draft, key, (question) => ({ ...question, ...patch }));

export const addQuestion = (draft: Draft, question: DraftQuestion): Draft => ({
  ...draft,
  questions: [...draft.questions, question],
});

export const removeQuestion = (draft: Draft, key: number): Draft => ({
  ...draft,
  questions: draft.questions.filter((question) => question.key !== key),
});

/** Moves a question one place up (-1) or down (+1); at either end nothing changes. */
export function moveQuestion(draft: Draft, key: number, by: -1 | 1): Draft {
  const from = draft.questions.findIndex((question) => question.key === key);
  const to = from + by;
  const moving = draft.questions[from];
  if (from < 0 || to < 0 || to >= draft.questions.length || moving === undefined) return draft;
  const questions = draft.questions.filter((question) => question.key !== key);
  questions.splice(to, 0, moving);
  return { ...draft, questions };
}

export const addTest = (draft: Draft, questionKey: number, test: DraftTest): Draft =>
  mapQuestion(draft, questionKey, (question) => ({ ...question, tests: [...question.tests, test] }));

export const patchTest = (draft: Draft, questionKey: number, testKey: number, patch: TestPatch): Draft =>
  mapQuestion(draft, questionKey, (question) => ({
    ...question,
    tests: question.tests.map((test) => (test.key === testKey ? { ...test, ...patch } : test)),
  }));

export const removeTest = (draft: Draft, questionKey: number, testKey: number): Draft =>
  mapQuestion(draft, questionKey, (question) => ({
    ...question,
    tests: question.tests.filter((test) => test.key !== testKey),
  }));

/** Focuses the element `id` once the change that makes or moves it has been drawn. */
export function focusSoon(id: string): void {
  requestAnimationFrame(() => {
    document.getElementById(id)?.focus();
  });
}
