/**
 * Similarity between an exam's submissions, one question at a time, for the
 * course's instructors and reviewers: when and why the question's latest
 * run was made, "Run now", and the same report viewer as
 * `examhall similarity --html` (what it is and is not, the clusters as a
 * graph and a table, the ranked pairs and the chosen pair side by side),
 * with each pair's decisions and the form to add one. The submissions are
 * compared by themselves once the exam has closed.
 */
import { useCallback, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { getExam } from '../../api/exams';
import type { Decision } from '../../api/review';
import { isAbout, questionSimilarity, reviewPair, runSimilarity, type QuestionSimilarity, type SimilarityRun } from '../../api/similarity';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { useAction } from '../../hooks/useAction';
import { useLoad } from '../../hooks/useLoad';
import { SimilarityReport } from '../../similarity/SimilarityReport';
import type { Pair } from '../../similarity/types';
import { PairReview } from './PairReview';
import '../../similarity/similarity.css';

const text = t.similarityScreen;

interface Props {
  courseId: string;
  examId: string;
}

function RunInfo({ run }: { run: SimilarityRun }) {
  const when = formatDateTime(run.ran_at);
  return (
    <p data-testid="run-info" data-reason={run.reason}>
      {run.reason === 'exam_closed' ? text.ranAtClose(when) : text.ranOnDemand(run.requested_by_name ?? '', when)}
    </p>
  );
}

/** One question: its latest run, running it now, and the decisions on its pairs. */
function QuestionView({ courseId, examId, questionId }: Props & { questionId: string }) {
  const loaded = useLoad(useCallback(() => questionSimilarity(courseId, examId, questionId), [courseId, examId, questionId]));
  // What the page learnt since loading (a run now, a decision): newer than `loaded`.
  const [latest, setLatest] = useState<QuestionSimilarity | undefined>(undefined);
  const running = useAction();
  const runNow = (found: QuestionSimilarity) => (
    <p class="row-actions">
      <button
        type="button"
        class={found.run === null ? 'button' : 'button button--secondary'}
        disabled={running.busy}
        onClick={() => {
          void running.run(async () => { setLatest(await runSimilarity(courseId, examId, questionId)); });
        }}
        data-testid="run-now"
      >
        {found.run === null ? text.runNow : text.runAgain}
      </button>{' '}
      <span role="status" data-testid="running">{running.busy ? text.running : ''}</span>
      <ErrorNotice error={running.error} />
    </p>
  );
  const show = (found: QuestionSimilarity) => {
    const about = (pair: Pair) => found.reviews.filter((review) => isAbout(review, pair.a, pair.b));
    const decide = (pair: Pair) => async (decision: Decision, comment: string) => {
      const made = await reviewPair(courseId, examId, questionId, [pair.a, pair.b], decision, comment);
      setLatest({ ...found, reviews: [made, ...found.reviews] });
    };
    if (found.run === null) {
      return (
        <>
          <p class="notice notice--info" data-testid="no-run">{text.noRun}</p>
          <p data-testid="notice">{found.notice}</p>
          {runNow(found)}
        </>
      );
    }
    return (
      <>
        <RunInfo run={found.run} />
        {runNow(found)}
        <SimilarityReport
          key={found.run.id}
          report={found.run.report}
          embedded
          decisionOf={(pair) => {
            const [newest] = about(pair);
            return newest === undefined ? text.noDecision : t.student.review.decisions[newest.decision];
          }}
          aside={(pair) => <PairReview reviews={about(pair)} decide={decide(pair)} />}
        />
      </>
    );
  };
  return latest === undefined ? <WhenLoaded loaded={loaded}>{show}</WhenLoaded> : show(latest);
}

export function SimilarityScreen({ courseId, examId }: Props) {
  const exam = useLoad(useCallback(() => getExam(courseId, examId), [courseId, examId]));
  const [question, setQuestion] = useState(0);
  return (
    <WhenLoaded loaded={exam}>
      {(found) => (
        <>
          <h1 data-testid="similarity-heading">{t.similarityScreen.heading(found.title)}</h1>
          <label class="field-label" for="similarity-question">{t.similarityScreen.question}</label>
          <select id="similarity-question" class="input" value={question} onChange={(e) => { setQuestion(Number(e.currentTarget.value)); }} data-testid="similarity-question">
            {found.questions.map((q, index) => <option key={index} value={index}>{q.title}</option>)}
          </select>
          {found.question_ids[question] !== undefined && (
            <QuestionView key={found.question_ids[question]} courseId={courseId} examId={examId} questionId={found.question_ids[question]} />
          )}
        </>
      )}
    </WhenLoaded>
  );
}
