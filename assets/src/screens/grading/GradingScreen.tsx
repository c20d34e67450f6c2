/**
 * Grading an exam (`/courses/:courseId/exams/:examId/grading`), for the
 * course's instructors and reviewers: "Grade" runs every submission's
 * answers against all of its question's tests, hidden ones too, in Python
 * sandboxes in this browser (grading/engine.ts), with a progress bar, Pause
 * and Resume; results are stored on the server as they come, so a closed tab
 * loses nothing and grading again goes on where it stopped. Instructors
 * then get the marking set-up (options, how points divide, release); last,
 * the gradebook: points per question and where they came from, the total,
 * and each submission's results test by test with a mark form per answer.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { getExam } from '../../api/exams';
import { grading as loadGrading, type Grading } from '../../api/grading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { WhenLoaded } from '../../components/Status';
import { useLoad } from '../../hooks/useLoad';
import type { Control } from '../../grading/engine';
import { gradeQueue } from '../../grading/run';
import { Gradebook } from './Gradebook';
import { MarkingSetup } from './MarkingSetup';

const text = t.grading;
/** The gradebook is read again at most this often while grading runs. */
const REFRESH_MS = 3000;

interface Props {
  courseId: string;
  examId: string;
}

type Phase = 'idle' | 'preparing' | 'running' | 'paused' | 'done';

/** Submissions with a test still lacking a result. */
const ungraded = (found: Grading): string[] =>
  found.submissions.filter((row) => row.scores.some((score) => score.graded < score.tests)).map((row) => row.submission_id);

/** A gate that is open until `close()`, and open again after `open()`; the same object across renders. */
function useGate() {
  const closed = useRef<{ wait: Promise<void>; open: () => void } | null>(null);
  return useMemo(
    () => ({
      close: () => {
        let open = (): void => undefined;
        const wait = new Promise<void>((resolve) => { open = resolve; });
        closed.current = { wait, open };
      },
      open: () => {
        closed.current?.open();
        closed.current = null;
      },
      pass: () => closed.current?.wait ?? Promise.resolve(),
      held: () => closed.current !== null,
    }),
    [],
  );
}

interface RunProps extends Props {
  found: Grading;
  reload: () => void;
  /** Reloads the gradebook; settles once the fresh one is shown. */
  refresh: () => Promise<void>;
}

function GradingRun({ courseId, examId, found, reload, refresh }: RunProps) {
  const [phase, setPhase] = useState<Phase>('idle');
  const [progress, setProgress] = useState({ done: 0, of: 0 });
  const [error, setError] = useState<unknown>(null);
  const gate = useGate();
  const running = useRef<AbortController | null>(null);
  // Leaving the page ends the grade: its sandboxes would otherwise go on unseen.
  useEffect(() => () => { running.current?.abort(); gate.open(); }, [gate]);
  const left = ungraded(found).length;
  const begun = found.submissions.some((row) => row.scores.some((score) => score.graded > 0));

  const start = async () => {
    const abort = new AbortController();
    running.current = abort;
    const control: Control = { signal: abort.signal, gate: gate.pass, held: gate.held };
    setError(null);
    setPhase('preparing');
    const queue = ungraded(found);
    setProgress({ done: 0, of: queue.length });
    let lastRefresh = 0;
    try {
      await gradeQueue({
        courseId,
        examId,
        questions: found.questions,
        queue,
        control,
        onRunning: () => { setPhase('running'); },
        onGraded: () => {
          setProgress((now) => ({ ...now, done: now.done + 1 }));
          if (Date.now() - lastRefresh >= REFRESH_MS) {
            lastRefresh = Date.now();
            reload();
          }
        },
      });
      // "Done" speaks of the gradebook as it now is, not of the last one read while grading ran.
      await refresh();
      setPhase('done');
    } catch (failure) {
      // One worker failed: the others stop too, before their next test.
      abort.abort();
      if (!(failure instanceof DOMException && failure.name === 'AbortError')) setError(failure);
      setPhase('idle');
      reload();
    } finally {
      running.current = null;
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
          <button type="button" class="button button--secondary" onClick={() => { gate.close(); setPhase('paused'); }} data-testid="grade-pause">
            {text.pause}
          </button>
        )}
        {phase === 'paused' && (
          <button type="button" class="button" onClick={() => { gate.open(); setPhase('running'); }} data-testid="grade-resume">
            {text.resume}
          </button>
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
  return (
    <WhenLoaded loaded={exam}>
      {(about) => (
        <>
          <h1 data-testid="grading-heading">{text.heading(about.title)}</h1>
          <WhenLoaded loaded={loaded}>
            {(found) => (
              <>
                <GradingRun courseId={courseId} examId={examId} found={found} reload={loaded.reload} refresh={loaded.refresh} />
                {found.may_release && <MarkingSetup courseId={courseId} examId={examId} grading={found} reload={loaded.reload} />}
                <Gradebook courseId={courseId} examId={examId} grading={found} reload={loaded.reload} />
              </>
            )}
          </WhenLoaded>
        </>
      )}
    </WhenLoaded>
  );
}
