/**
 * The gradebook of an exam: per student the points of each question (from
 * the share of its tests passed, once every test has a result), the total,
 * and on demand the results test by test: outcome in words, expected and
 * actual values, output, duration and who graded it. Filter by name or
 * e-mail; sort by name or total.
 */
import { useCallback, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { submissionWork, type Grading, type GradingRow, type SubmissionWork } from '../../api/grading';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';

const text = t.grading;

type Sort = 'name' | 'total';

interface Props {
  courseId: string;
  examId: string;
  grading: Grading;
}

function Results({ grading, work }: { grading: Grading; work: SubmissionWork }) {
  return (
    <div data-testid="grade-results">
      {grading.questions.map((question) => {
        const results = work.results.filter((result) => result.question_id === question.id);
        const older = results.filter((r) => !question.tests.some((test) => test.sha256 === r.test_sha256)).length;
        return (
          <section key={question.id} aria-label={question.title}>
            <h4>{question.title}</h4>
            <ol>
              {question.tests.map((test) => {
                const result = results.find((r) => r.test_sha256 === test.sha256);
                return (
                  <li key={test.position} data-testid="grade-result" data-outcome={result?.outcome ?? 'pending'}>
                    <strong>{text.testName(test.position, test.visibility)}</strong>{': '}
                    {result === undefined ? text.notGraded : text.outcomes[result.outcome]}
                    {result !== undefined && (
                      <dl class="facts">
                        <dt>{text.expected}</dt>
                        <dd><pre>{result.expected}</pre></dd>
                        <dt>{text.actual}</dt>
                        <dd><pre>{result.actual}</pre></dd>
                        {result.stdout !== '' && <><dt>{text.stdout}</dt><dd><pre>{result.stdout}</pre></dd></>}
                        {result.stderr !== '' && <><dt>{text.stderr}</dt><dd><pre>{result.stderr}</pre></dd></>}
                        <dt>{text.ran}</dt>
                        <dd>{text.ranBy(result.duration_ms, result.graded_by_name, formatDateTime(result.recorded_at))}</dd>
                      </dl>
                    )}
                  </li>
                );
              })}
            </ol>
            {older > 0 && <p class="hint" data-testid="grade-older-results">{text.olderResults(older)}</p>}
          </section>
        );
      })}
    </div>
  );
}

/** A submission's results, read when its row is opened. */
function RowResults({ courseId, examId, grading, submissionId }: Props & { submissionId: string }) {
  const work = useLoad(useCallback(() => submissionWork(courseId, examId, submissionId), [courseId, examId, submissionId]));
  return <WhenLoaded loaded={work}>{(found) => <Results grading={grading} work={found} />}</WhenLoaded>;
}

function Row({ courseId, examId, grading, row }: Props & { row: GradingRow }) {
  const [open, setOpen] = useState(false);
  const detailsId = `grade-details-${row.submission_id}`;
  return (
    <>
      <tr data-testid="grade-row" data-email={row.email}>
        <th scope="row">{row.name}<br /><span class="hint">{row.email}</span></th>
        {row.scores.map((score) => {
          const question = grading.questions.find((q) => q.id === score.question_id);
          return (
            <td key={score.question_id} data-testid="grade-points">
              {score.points === null ? text.pending(score.graded, score.tests) : text.points(score.points, question?.points ?? 0)}
              <br />
              <span class="hint">{text.passed(score.passed, score.tests)}</span>
            </td>
          );
        })}
        <td data-testid="grade-total">{row.total === null ? text.noTotal : text.points(row.total, grading.max_points)}</td>
        <td>
          <button type="button" class="button button--secondary" aria-expanded={open} aria-controls={detailsId} onClick={() => { setOpen(!open); }} data-testid="grade-details">
            {open ? text.hideResults : text.showResults}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailsId}>
          <td colSpan={grading.questions.length + 3}>
            <RowResults courseId={courseId} examId={examId} grading={grading} submissionId={row.submission_id} />
          </td>
        </tr>
      )}
    </>
  );
}

export function Gradebook({ courseId, examId, grading }: Props) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>('name');
  const wanted = filter.trim().toLowerCase();
  const rows = grading.submissions
    .filter((row) => wanted === '' || row.name.toLowerCase().includes(wanted) || row.email.toLowerCase().includes(wanted))
    .sort((a, b) => (sort === 'name' ? a.name.localeCompare(b.name) : (b.total ?? -1) - (a.total ?? -1)));
  return (
    <section aria-labelledby="gradebook-heading">
      <h2 id="gradebook-heading">{text.gradebookHeading}</h2>
      {grading.submissions.length === 0 ? (
        <p data-testid="gradebook-empty">{text.noSubmissions}</p>
      ) : (
        <>
          <p class="row-actions">
            <label class="field-label" for="gradebook-filter">{text.filter}</label>{' '}
            <input id="gradebook-filter" class="input" type="search" value={filter} onInput={(e) => { setFilter(e.currentTarget.value); }} data-testid="gradebook-filter" />{' '}
            <label class="field-label" for="gradebook-sort">{text.sortBy}</label>{' '}
            <select id="gradebook-sort" class="input" value={sort} onChange={(e) => { setSort(e.currentTarget.value as Sort); }} data-testid="gradebook-sort">
              <option value="name">{text.sortName}</option>
              <option value="total">{text.sortTotal}</option>
            </select>
          </p>
          <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="gradebook-heading">
            <table class="table" data-testid="gradebook">
              <caption>{text.caption(rows.length, grading.submissions.length)}</caption>
              <thead>
                <tr>
                  <th scope="col">{text.student}</th>
                  {grading.questions.map((q) => <th scope="col" key={q.id}>{text.questionHead(q.title, q.points)}</th>)}
                  <th scope="col">{text.total(grading.max_points)}</th>
                  <th scope="col"><span class="visually-hidden">{text.resultsHead}</span></th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => <Row key={row.submission_id} courseId={courseId} examId={examId} grading={grading} row={row} />)}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
