/**
 * The gradebook of an exam: per student the points of each question and
 * where they came from (computed from the tests and rubric, or set by hand),
 * the second marker's points and whether the markers differ, the total, and
 * the integrity reviews that stand referred, linked to the attempt. Opening
 * a row shows its results test by test (outcome in words, expected and
 * actual values, output, duration and who graded it) and, per question, the
 * mark form and the marks given. Filter by name or e-mail (labels only,
 * while marking is anonymous); sort by name or total.
 */
import { useCallback, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import {
  submissionWork,
  type Grading,
  type GradingQuestion,
  type GradingRow,
  type QuestionScore,
  type SubmissionWork,
} from '../../api/grading';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { Link } from '../../router';
import { MarkForm } from './MarkForm';

const text = t.grading;

type Sort = 'name' | 'total';

interface Props {
  courseId: string;
  examId: string;
  grading: Grading;
  /** Reads the gradebook again, after a mark changed its points. */
  reload: () => void;
}

interface ResultsProps {
  courseId: string;
  examId: string;
  grading: Grading;
  work: SubmissionWork;
  onSaved: () => void;
}

function TestResults({ question, work }: { question: GradingQuestion; work: SubmissionWork }) {
  const results = work.results.filter((result) => result.question_id === question.id);
  const older = results.filter((r) => !question.tests.some((test) => test.sha256 === r.test_sha256)).length;
  return (
    <>
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
    </>
  );
}

function Results({ courseId, examId, grading, work, onSaved }: ResultsProps) {
  return (
    <div data-testid="grade-results">
      {grading.questions.map((question) => (
        <section key={question.id} aria-label={question.title}>
          <h3>{question.title}</h3>
          <TestResults question={question} work={work} />
          <MarkForm
            courseId={courseId}
            examId={examId}
            submissionId={work.submission_id}
            question={question}
            marks={work.marks}
            secondMarker={grading.options.second_marker}
            onSaved={onSaved}
          />
        </section>
      ))}
    </div>
  );
}

/** A submission's results and marks, read when its row is opened; a saved mark reads both it and the gradebook again. */
function RowResults({ courseId, examId, grading, reload, submissionId }: Props & { submissionId: string }) {
  const work = useLoad(useCallback(() => submissionWork(courseId, examId, submissionId), [courseId, examId, submissionId]));
  const saved = (): void => {
    work.reload();
    reload();
  };
  return (
    <WhenLoaded loaded={work}>
      {(found) => <Results courseId={courseId} examId={examId} grading={grading} work={found} onSaved={saved} />}
    </WhenLoaded>
  );
}

/** Why a question has no points yet. */
function pendingText(score: QuestionScore, question: GradingQuestion | undefined): string {
  if (!score.scheme_fits) return text.schemeStale;
  const rubric = (question?.scheme.rubric.length ?? 0) > 0;
  if (score.tests === 0 && !rubric) return text.byHandOnly;
  if (score.graded === score.tests && rubric) return text.rubricWaits;
  return text.pending(score.graded, score.tests);
}

/** The line under the points: tests passed, and what the computed points are made of. */
function hintText(score: QuestionScore, question: GradingQuestion | undefined): string {
  const parts = [text.passed(score.passed, score.tests)];
  if ((question?.scheme.rubric.length ?? 0) > 0) parts.push(text.breakdown(score.test_points, score.rubric_points));
  else if (score.source === 'override' && score.test_points !== null) parts.push(text.computedWas(score.test_points));
  if (score.feedback) parts.push(text.feedbackGiven);
  return parts.join(' · ');
}

function ScoreCell({ score, question }: { score: QuestionScore; question: GradingQuestion | undefined }) {
  const max = question?.points ?? 0;
  return (
    <td data-testid="grade-points" data-source={score.points === null ? 'pending' : score.source}>
      {score.points === null ? pendingText(score, question) : text.pointsFrom(score.points, max, score.source)}
      <br />
      <span class="hint">{hintText(score, question)}</span>
      {score.second_points !== null && (
        <>
          <br />
          <span data-testid="grade-second">{text.secondPoints(score.second_points, max)}</span>
        </>
      )}
      {score.markers_differ && (
        <>
          <br />
          <strong data-testid="grade-differ">{text.markersDiffer}</strong>
        </>
      )}
    </td>
  );
}

function Row({ courseId, examId, grading, reload, row }: Props & { row: GradingRow }) {
  const [open, setOpen] = useState(false);
  const detailsId = `grade-details-${row.submission_id}`;
  // Anonymous marking sends no attempt: its pages would name the student.
  const review =
    row.attempt_id === null
      ? null
      : `/courses/${encodeURIComponent(courseId)}/exams/${encodeURIComponent(examId)}/attempts/${encodeURIComponent(row.attempt_id)}`;
  return (
    <>
      <tr data-testid="grade-row" data-email={row.email ?? undefined} data-name={row.name}>
        <th scope="row">{row.name}{row.email !== null && <><br /><span class="hint">{row.email}</span></>}</th>
        {row.scores.map((score) => (
          <ScoreCell key={score.question_id} score={score} question={grading.questions.find((q) => q.id === score.question_id)} />
        ))}
        <td data-testid="grade-total">{row.total === null ? text.noTotal : text.points(row.total, grading.max_points)}</td>
        <td data-testid="grade-integrity">
          {row.referred === 0 ? text.noneReferred : review === null ? text.referred(row.referred) : <Link href={review}>{text.referred(row.referred)}</Link>}
        </td>
        <td>
          <button type="button" class="button button--secondary" aria-expanded={open} aria-controls={detailsId} onClick={() => { setOpen(!open); }} data-testid="grade-details">
            {open ? text.hideResults : text.showResults}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailsId}>
          <td colSpan={grading.questions.length + 4}>
            <RowResults courseId={courseId} examId={examId} grading={grading} reload={reload} submissionId={row.submission_id} />
          </td>
        </tr>
      )}
    </>
  );
}

/** With a second marker: the answers where the two markers' points differ, for the instructor to settle. */
function Differences({ grading }: { grading: Grading }) {
  const differing = grading.submissions.flatMap((row) =>
    row.scores.filter((score) => score.markers_differ).map((score) => ({ row, score })),
  );
  return (
    <div data-testid="markers-differ">
      <p role="status"><strong>{text.differHeading(differing.length)}</strong></p>
      {differing.length > 0 && (
        <ul>
          {differing.map(({ row, score }) => (
            <li key={`${row.submission_id}-${score.question_id}`}>
              {text.differItem(
                row.name,
                grading.questions.find((q) => q.id === score.question_id)?.title ?? '',
                score.points ?? 0,
                score.second_points ?? 0,
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Whether `row` matches the filter: by name (a label while anonymous) or e-mail, when there is one. */
const matches = (row: GradingRow, wanted: string): boolean =>
  wanted === '' || row.name.toLowerCase().includes(wanted) || (row.email?.toLowerCase().includes(wanted) ?? false);

export function Gradebook({ courseId, examId, grading, reload }: Props) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>('name');
  const wanted = filter.trim().toLowerCase();
  const rows = grading.submissions
    .filter((row) => matches(row, wanted))
    .sort((a, b) => (sort === 'name' ? a.name.localeCompare(b.name) : (b.total ?? -1) - (a.total ?? -1)));
  return (
    <section class="panel panel--wide" aria-labelledby="gradebook-heading">
      <h2 id="gradebook-heading">{text.gradebookHeading}</h2>
      {grading.anonymous && <p class="notice notice--info" data-testid="gradebook-anonymous">{text.anonymousNote}</p>}
      {grading.submissions.length === 0 ? (
        <p data-testid="gradebook-empty">{text.noSubmissions}</p>
      ) : (
        <>
          {grading.options.second_marker && <Differences grading={grading} />}
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
                  <th scope="col">{text.integrityHead}</th>
                  <th scope="col"><span class="visually-hidden">{text.resultsHead}</span></th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <Row key={row.submission_id} courseId={courseId} examId={examId} grading={grading} reload={reload} row={row} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
