/**
 * What the confirmation before submitting shows: each question's state
 * (edited or not started) and how its visible tests last ended, and whether
 * changes still wait to be saved, all in words. It renders from the exam
 * client's state while the dialog is open, so it follows the autosave.
 */
import { t } from '../../i18n';
import type { AttemptQuestion } from '../../api/attempts';
import type { SaveState } from '../../exam/autosave';
import type { TestsOutcome } from './RunPanel';

interface Props {
  questions: readonly AttemptQuestion[];
  edited: ReadonlySet<string>;
  tested: ReadonlyMap<string, TestsOutcome>;
  /** The code of each question now, to tell whether it changed since its tests ran. */
  code: (questionId: string) => string;
  save: SaveState;
  /** The id of the overview, which the dialog reads out as part of its description. */
  overviewId: string;
}

function testsText(question: AttemptQuestion, outcome: TestsOutcome | undefined, now: string): string {
  const words = t.exam.submitSummary;
  if (question.tests.length === 0) return words.testsNone;
  if (outcome === undefined) return words.testsNotRun;
  const result = outcome.stopped ? words.testsStopped : words.testsPassed(outcome.passed, outcome.total);
  return outcome.code === now ? result : `${result} ${words.testsStale}`;
}

/** `passed-2-3`, `stopped`, `not-run` or `none`, for tests to read. */
function testsState(question: AttemptQuestion, outcome: TestsOutcome | undefined): string {
  if (question.tests.length === 0) return 'none';
  if (outcome === undefined) return 'not-run';
  return outcome.stopped ? 'stopped' : `passed-${String(outcome.passed)}-${String(outcome.total)}`;
}

export function SubmitSummary({ questions, edited, tested, code, save, overviewId }: Props) {
  const words = t.exam.submitSummary;
  const untouched = questions.filter((question) => !edited.has(question.id)).length;
  return (
    <div class="submit-summary" data-testid="submit-summary">
      <div id={overviewId}>
        {untouched > 0 && <p class="notice notice--info" data-testid="summary-not-started">{words.notStarted(untouched)}</p>}
        <p role="status" data-testid="summary-save" data-waiting={String(save.waiting)}>
          {save.waiting === 0 ? words.saved : words.unsaved(save.waiting)}
        </p>
      </div>
      <h3 id={`${overviewId}-heading`}>{words.heading}</h3>
      <table class="table submit-summary__table" aria-labelledby={`${overviewId}-heading`}>
        <thead>
          <tr>
            <th scope="col">{words.question}</th>
            <th scope="col">{words.code}</th>
            <th scope="col">{words.tests}</th>
          </tr>
        </thead>
        <tbody>
          {questions.map((question, index) => {
            const outcome = tested.get(question.id);
            const state = edited.has(question.id) ? 'edited' : 'untouched';
            return (
              <tr key={question.id} data-testid="summary-question" data-state={state} data-tests={testsState(question, outcome)}>
                <th scope="row">{`${String(index + 1)}. ${question.title}`}</th>
                <td class={state === 'untouched' ? 'submit-summary__untouched' : undefined} data-testid="summary-code">
                  {state === 'edited' ? words.edited : words.untouched}
                </td>
                <td data-testid="summary-tests">{testsText(question, outcome, code(question.id))}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
