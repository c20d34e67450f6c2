/**
 * A student's own results on their exam's page, once the instructor has
 * released them: the total, and per question the points (and whether the
 * grader set them by hand), the grader's feedback, the rubric items awarded
 * and the visible tests' results. Hidden tests appear at most as a count:
 * the server never sends their code or values. Before release it says so.
 */
import { useCallback } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { myResults, type QuestionResult } from '../../api/grading';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';

const text = t.results;

function Question({ question }: { question: QuestionResult }) {
  const headingId = `result-${question.question_id}`;
  return (
    <section aria-labelledby={headingId} data-testid="result-question">
      <h3 id={headingId}>{question.title}</h3>
      <p data-testid="result-points">
        {text.questionPoints(question.points, question.max_points)}
        {question.source === 'override' && <> {text.byHand}</>}
      </p>
      {question.feedback !== '' && (
        <>
          <h4>{text.feedback}</h4>
          <p class="prewrap" data-testid="result-feedback">{question.feedback}</p>
        </>
      )}
      {question.rubric.length > 0 && (
        <>
          <h4>{text.rubric}</h4>
          <ul data-testid="result-rubric">
            {question.rubric.map((line, n) => (
              <li key={n} data-awarded={line.awarded}>
                {line.description}: {line.awarded ? text.awarded(line.points) : text.notAwarded(line.points)}
              </li>
            ))}
          </ul>
        </>
      )}
      {question.visible_tests.length > 0 && (
        <>
          <h4>{text.visibleTests}</h4>
          <ul>
            {question.visible_tests.map((test) => (
              <li key={test.position} data-testid="result-test" data-outcome={test.outcome ?? 'not_run'}>
                <strong>{text.testLine(test.position)}</strong>{': '}
                {test.outcome === null ? text.notRun : text.outcomes[test.outcome]}
                <dl class="facts">
                  <dt>{t.grading.testName(test.position, 'visible')}</dt>
                  <dd>{test.kind === 'function' ? <code>{test.expression}</code> : <pre>{test.stdin}</pre>}</dd>
                  <dt>{text.expected}</dt>
                  <dd><pre>{test.expected}</pre></dd>
                  {test.outcome !== null && test.outcome !== 'passed' && (
                    <>
                      <dt>{text.got}</dt>
                      <dd><pre>{test.actual}</pre></dd>
                    </>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        </>
      )}
      {question.hidden_tests !== null && (
        <p data-testid="result-hidden">{text.hidden(question.hidden_tests.passed, question.hidden_tests.total)}</p>
      )}
    </section>
  );
}

export function ResultsPanel({ examId }: { examId: string }) {
  const loaded = useLoad(useCallback(() => myResults(examId), [examId]));
  return (
    <section class="panel" aria-labelledby="results-heading" data-testid="exam-results">
      <h2 id="results-heading">{text.heading}</h2>
      <WhenLoaded loaded={loaded}>
        {(results) =>
          !results.released ? (
            <p data-testid="results-not-released">{text.notReleased}</p>
          ) : !results.submitted ? (
            <p>{text.nothingSubmitted}</p>
          ) : (
            <>
              <p class="results-total" data-testid="results-total">{text.total(results.total, results.max_points ?? 0)}</p>
              {results.released_at !== null && <p class="hint">{text.releasedAt(formatDateTime(results.released_at))}</p>}
              {results.questions.map((question) => <Question key={question.question_id} question={question} />)}
            </>
          )
        }
      </WhenLoaded>
    </section>
  );
}
