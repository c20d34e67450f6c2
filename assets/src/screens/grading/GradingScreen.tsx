/**
 * Grading an exam (`/courses/:courseId/exams/:examId/grading`), for the
 * course's instructors and reviewers: "Grade" runs every submission's
 * answers against all of its question's tests, hidden ones too, in Python
 * sandboxes in this browser (grading/engine.ts), with a progress bar, Pause
 * and Resume; results are stored on the server as they come, so a closed tab
 * loses nothing and grading again goes on where it stopped. Below, the
 * gradebook: points per question from the share of tests passed, the
 * total, and each submission's results test by test.
 */
import { useCallback, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { getExam } from '../../api/exams';
import { grading as loadGrading, recordResults, submissionWork, type Grading } from '../../api/grading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import { canonicalExpected, gradeSubmission, workerCount } from '../../grading/engine';
import { Gradebook } from './Gradebook';

const text = t.grading;

interface Props {
  courseId: string;
  examId: string;
}

type Phase = 'idle' | 'preparing' | 'running' | 'paused' | 'done';

/** Submissions with a test still lacking a result. */
const ungraded = (found: Grading): string[] =>
  found.submissions.filter((row) => row.scores.some((score) => score.graded < score.tests)).map((row) => row.submission_id);

function GradingRun({ courseId, examId, found, refresh }: Props & { found: Grading; refresh: () => Promise<void> }) {
  const [phase, setPhase] = useState<Phase>('idle');
  const [progress, setProgress] = useState({ done: 0, of: 0 });
  const [error, setError] = useState<unknown>(null);
  const paused = useRef<{ resume: () => void; wait: Promise<void> } | null>(null);
  const left = ungraded(found).length;
  const begun = found.submissions.some((row) => row.scores.some((score) => score.graded > 0));

  const pause = () => {
    const gate: { open?: () => void } = {};
    const wait = new Promise<void>((resolve) => { gate.open = resolve; });
    paused.current = { resume: () => { gate.open?.(); }, wait };
    setPhase('paused');
  };
  const resume = () => {
    paused.current?.resume();
    paused.current = null;
    setPhase('running');
  };

  const start = async () => {
    setError(null);
    setPhase('preparing');
    try {
      const queue = ungraded(found);
      setProgress({ done: 0, of: queue.length });
      const expected = await canonicalExpected(found.questions);
      setPhase('running');
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          if (paused.current !== null) await paused.current.wait;
          const work = await submissionWork(courseId, examId, id);
          await gradeSubmission(found.questions, expected, work, async (results) => {
            await recordResults(courseId, examId, id, results);
          });
          setProgress((now) => ({ ...now, done: now.done + 1 }));
          await refresh();
        }
      };
      await Promise.all(Array.from({ length: workerCount() }, worker));
      setPhase('done');
    } catch (failure) {
      setError(failure);
      setPhase('idle');
    }
  };

  const busy = phase === 'preparing' || phase === 'running' || phase === 'paused';
  return (
    <section aria-labelledby="grading-run-heading" class="panel">
      <h2 id="grading-run-heading">{text.runHeading}</h2>
      <p>{text.explain}</p>
      <p class="row-actions">
        {!busy && (
          <button type="button" class="button" disabled={left === 0} onClick={() => void start()} data-testid="grade-start">
            {begun ? text.resumeGrading : text.start}
          </button>
        )}
        {phase === 'running' && (
          <button type="button" class="button button--secondary" onClick={pause} data-testid="grade-pause">{text.pause}</button>
        )}
        {phase === 'paused' && (
          <button type="button" class="button" onClick={resume} data-testid="grade-resume">{text.resume}</button>
        )}
      </p>
      {busy && (
        <progress max={Math.max(progress.of, 1)} value={progress.done} aria-labelledby="grading-progress" data-testid="grade-progress" />
      )}
      <p id="grading-progress" role="status" data-testid="grade-status" data-phase={phase}>
        {phase === 'preparing'
          ? text.preparing
          : busy
            ? text.progress(progress.done, progress.of, phase === 'paused')
            : left === 0
              ? text.allGraded(found.submissions.length)
              : text.waiting(left)}
      </p>
      <ErrorNotice error={error} />
    </section>
  );
}

export function GradingScreen({ courseId, examId }: Props) {
  const exam = useLoad(useCallback(() => getExam(courseId, examId), [courseId, examId]));
  const loaded = useLoad(useCallback(() => loadGrading(courseId, examId), [courseId, examId]));
  const [latest, setLatest] = useState<Grading | undefined>(undefined);
  const refresh = useCallback(async () => { setLatest(await loadGrading(courseId, examId)); }, [courseId, examId]);
  const show = (found: Grading) => (
    <>
      <GradingRun courseId={courseId} examId={examId} found={found} refresh={refresh} />
      <Gradebook courseId={courseId} examId={examId} grading={found} />
    </>
  );
  return (
    <WhenLoaded loaded={exam}>
      {(about) => (
        <>
          <h1 data-testid="grading-heading">{text.heading(about.title)}</h1>
          {/* One tree whether the first load or a refresh is shown: a running grade keeps its state. */}
          <WhenLoaded loaded={loaded}>{(first) => show(latest ?? first)}</WhenLoaded>
        </>
      )}
    </WhenLoaded>
  );
}
