/**
 * An exam's landing page (`/exams/:examId`): its instructions, window and time
 * allowed, and the one button that fits: Start, Continue (when this browser
 * holds the signed-in student's binding to the attempt), Continue on this
 * computer (when staff allowed the attempt to move here, or with the move
 * code a proctor gives) or Receipt (once submitted); then the student's
 * results, once released.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { formatDateTime, t } from '../../i18n';
import { examLanding, startAttempt } from '../../api/attempts';
import { ErrorNotice } from '../../components/ErrorNotice';
import { MoveCodeForm } from './MoveCodeForm';
import { ResultsPanel } from './ResultsPanel';
import { WhenLoaded } from '../../components/Status';
import { useAction } from '../../hooks/useAction';
import { useDocumentTitle } from '../../hooks/useDocumentTitle';
import { useLoad } from '../../hooks/useLoad';
import { Link, navigate } from '../../router';
import { Markdown } from '../../exam/Markdown';
import { justStarted } from '../../exam/handoff';
import { bind, findAttempt, purgeExpired, setOccupant } from '../../exam/store';
import { useSession } from '../../session/SessionProvider';
import { prepareOffline } from '../../exam/offline';
import { releaseWarmPython, warmUpPython } from '../../exam/warmPython';

export function ExamLandingScreen({ examId }: { examId: string }) {
  const load = useCallback(() => examLanding(examId), [examId]);
  const loaded = useLoad(load);
  const [hasBinding, setHasBinding] = useState<boolean | undefined>(undefined);
  const action = useAction();
  const userId = useSession().view?.user.id;
  useDocumentTitle(loaded.data === undefined ? undefined : `${loaded.data.title} · examhall`);

  useEffect(() => {
    if (userId === undefined) return;
    // Whoever signs in here is this browser's occupant; others' kept data stays theirs.
    void setOccupant(userId).then(() => purgeExpired()).catch(() => undefined);
    findAttempt(userId, examId).then((record) => { setHasBinding(record !== undefined); }, () => { setHasBinding(false); });
  }, [examId, userId]);

  // An open exam: fill the service worker's cache and start Python while
  // the student reads, so the exam is ready the moment it starts.
  const open = loaded.data?.phase === 'open' && loaded.data.attempt?.submitted_at == null;
  useEffect(() => {
    if (!open) return undefined;
    void prepareOffline();
    warmUpPython();
    return releaseWarmPython;
  }, [open]);

  const start = (fullscreen: boolean, moveCode?: string): void => {
    void action.run(async () => {
      if (fullscreen && document.fullscreenElement === null) {
        await document.documentElement.requestFullscreen().catch(() => undefined);
      }
      const view = await startAttempt(examId, moveCode);
      if (view.binding === undefined || userId === undefined) throw new Error('the server sent no binding');
      const keepUntil = Date.parse(view.local_keep_until);
      const { record, leftovers } = await bind(userId, examId, view.attempt.id, view.binding, keepUntil);
      justStarted.set(examId, { view, record, leftovers });
      navigate(`/exams/${encodeURIComponent(examId)}/take`);
    });
  };

  return (
    <>
      <p class="breadcrumb"><Link href="/home">{t.exam.back}</Link></p>
      <WhenLoaded loaded={loaded}>
        {(exam) => {
          const submitted = exam.attempt?.submitted_at != null;
          const path = `/exams/${encodeURIComponent(examId)}`;
          return (
            <>
              <h1 data-testid="exam-title">{exam.title}</h1>
              <dl class="facts">
                <dt>{t.exam.facts.course}</dt>
                <dd data-testid="exam-course">{t.home.course(exam.course.code, exam.course.title)}</dd>
                <dt>{t.exam.facts.window}</dt>
                <dd>{t.home.window(formatDateTime(exam.opens_at), formatDateTime(exam.closes_at))}</dd>
                <dt>{t.exam.facts.duration}</dt>
                <dd>{t.home.duration(exam.duration_minutes, exam.extra_minutes)}</dd>
                <dt>{t.exam.facts.questions}</dt>
                <dd>{t.exam.questionCount(exam.questions)}</dd>
              </dl>
              {exam.instructions.trim() !== '' && (
                <section class="panel" aria-labelledby="instructions-heading">
                  <h2 id="instructions-heading">{t.exam.instructionsHeading}</h2>
                  <Markdown source={exam.instructions} headingLevel={3} />
                </section>
              )}
              {exam.require_fullscreen && <p class="notice notice--info">{t.exam.fullscreenRequired}</p>}
              <section class="panel" aria-labelledby="recorded-heading" data-testid="exam-recorded">
                <h2 id="recorded-heading">{t.exam.recorded.heading}</h2>
                <p>{t.exam.recorded.intro}</p>
                <ul>
                  {t.exam.recorded.items.map((item) => <li key={item}>{item}</li>)}
                  {exam.require_fullscreen && <li>{t.exam.recorded.fullscreen}</li>}
                </ul>
                <p>{t.exam.recorded.outro}</p>
              </section>
              <ErrorNotice error={action.error} />
              <div class="actions">
                {submitted ? (
                  <Link href={`${path}/receipt`} class="button" data-testid="exam-receipt">{t.exam.receipt}</Link>
                ) : exam.attempt !== null ? (
                  hasBinding === true ? (
                    <Link href={`${path}/take`} class="button" data-testid="exam-continue">{t.exam.continue}</Link>
                  ) : hasBinding === false && exam.attempt.move_allowed ? (
                    <>
                      <p class="notice notice--info">{t.exam.movedHere}</p>
                      <button
                        type="button"
                        class="button"
                        disabled={action.busy}
                        onClick={() => { start(exam.require_fullscreen); }}
                        data-testid="exam-continue-here"
                      >
                        {t.exam.continueHere}
                      </button>
                    </>
                  ) : hasBinding === false ? (
                    <MoveCodeForm busy={action.busy} onSubmit={(code) => { start(exam.require_fullscreen, code); }} />
                  ) : null
                ) : exam.phase === 'open' ? (
                  <button
                    type="button"
                    class="button"
                    disabled={action.busy}
                    onClick={() => { start(exam.require_fullscreen); }}
                    data-testid="exam-start"
                  >
                    {action.busy ? t.exam.starting : t.exam.start}
                  </button>
                ) : (
                  <p class="empty-state">{exam.phase === 'closed' ? t.exam.closed : t.exam.notOpen}</p>
                )}
              </div>
              {(submitted || exam.phase === 'closed') && <ResultsPanel examId={examId} />}
            </>
          );
        }}
      </WhenLoaded>
    </>
  );
}
