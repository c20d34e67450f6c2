/**
 * The exam client (`/exams/:examId/take`). It resumes the signed-in
 * student's attempt with the binding this browser keeps (prepareAttempt.ts),
 * and then: questions in tabs, the editor beside Run and Test (on a laptop's
 * width; one above the other on narrower screens), autosave with its status
 * always on screen, integrity events into the same queue, the server's clock
 * counting down, and Submit, after a summary of every question. One tab at a
 * time writes.
 */
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n';
import { ApiError } from '../../api/client';
import { submitAttempt } from '../../api/attempts';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Status';
import { useConfirm } from '../../components/ConfirmDialog';
import { problemText } from '../../components/problem';
import { useDocumentTitle } from '../../hooks/useDocumentTitle';
import { Link, navigate } from '../../router';
import { useSession } from '../../session/SessionProvider';
import type { PythonRunner } from '../../python/runner';
import { claimPython } from '../../exam/warmPython';
import { AutoSaver, type SaveState, type ServerTime } from '../../exam/autosave';
import { CodeEditor } from '../../exam/CodeEditor';
import { Markdown } from '../../exam/Markdown';
import { handedInCode, lateOutcomes, receipts, rememberHandedInSecret } from '../../exam/handoff';
import { forgetAttempt, occupant, setOccupant } from '../../exam/store';
import { prepareOffline, useOfflineCopy } from '../../exam/offline';
import { useIntegrityEvents } from '../../exam/integrity';
import { useTabLock } from '../../exam/tabLock';
import { Announcements } from './Announcements';
import { ExamBar } from './ExamBar';
import { QuestionTabs } from './QuestionTabs';
import { RunPanel, type TestsOutcome } from './RunPanel';
import { SubmitSummary } from './SubmitSummary';
import { prepare, type Loadable, type Ready } from './prepareAttempt';

/** Marks the document with how Python started: from its memory `snapshot`, or `plain` when that failed. */
function notePythonStart(runner: PythonRunner): void {
  runner.boot().then(
    (info) => { document.documentElement.dataset.pythonStart = info.fromSnapshot ? 'snapshot' : 'plain'; },
    () => undefined,
  );
}

export function TakeScreen({ examId }: { examId: string }) {
  const [state, setState] = useState<Loadable>({ kind: 'loading' });
  const session = useSession();
  const signedIn = session.view?.user.id;
  // Python starts before the attempt is read: it is the slowest part of the
  // page. Claimed in an effect, so a render that is thrown away claims nothing.
  const [runner, setRunner] = useState<PythonRunner | null>(null);
  useEffect(() => {
    const claimed = claimPython();
    setRunner(claimed);
    notePythonStart(claimed);
    return () => { claimed.dispose(); };
  }, []);
  const load = useCallback(() => {
    setState({ kind: 'loading' });
    // Without the network the session cannot be asked: the person who signed
    // in here last is the one whose attempt this computer shows.
    const user = signedIn === undefined ? occupant() : setOccupant(signedIn).then(() => signedIn);
    user
      .then((userId) => (userId === undefined ? ({ kind: 'noCopyOffline' } as const) : prepare(examId, userId)))
      .then(
        (loaded) => {
          if (loaded.kind === 'redirect') {
            const to = loaded.to === 'receipt' ? '/receipt' : '';
            navigate(`/exams/${encodeURIComponent(examId)}${to}`, { replace: true });
            return;
          }
          setState(loaded);
        },
        (error: unknown) => { setState({ kind: 'failed', error }); },
      );
  }, [examId, signedIn]);
  useEffect(load, [load]);

  switch (state.kind) {
    case 'loading':
    case 'redirect':
      return <Loading />;
    case 'elsewhere':
      return (
        <div>
          <p class="notice notice--error" data-testid="exam-no-secret">{state.moveAllowed ? t.exam.movedHere : t.exam.noSecret}</p>
          <p><Link href={`/exams/${encodeURIComponent(examId)}`} class="button">{t.exam.continueHere}</Link></p>
        </div>
      );
    case 'noCopyOffline':
      return <p class="notice notice--error" data-testid="exam-no-copy">{t.exam.noCopyOffline}</p>;
    case 'failed':
      return (
        <div>
          <ErrorNotice error={state.error} testId="load-error" />
          <button type="button" class="button" onClick={load}>{t.common.retry}</button>
          <p><Link href={`/exams/${encodeURIComponent(examId)}`}>{t.exam.back}</Link></p>
        </div>
      );
    case 'ready':
      return runner === null ? <Loading /> : <LockedExamClient examId={examId} ready={state.ready} runner={runner} />;
  }
}

/** The exam client once this tab holds the attempt: a second tab says so and may take over. */
function LockedExamClient({ examId, ready, runner }: { examId: string; ready: Ready; runner: PythonRunner }) {
  const lock = useTabLock(`examhall-attempt:${ready.record.key}`);
  switch (lock.state) {
    case 'waiting':
      return <Loading />;
    case 'held':
      return <ExamClient examId={examId} ready={ready} runner={runner} />;
    case 'elsewhere':
      return (
        <div class="notice notice--info" role="alert" data-testid="exam-other-tab">
          <p>{t.exam.otherTab}</p>
          <button type="button" class="button" onClick={lock.takeOver} data-testid="exam-take-over">{t.exam.takeOver}</button>
        </div>
      );
    case 'taken':
      return <p class="notice notice--error" role="alert" data-testid="exam-tab-taken">{t.exam.tabTaken}</p>;
  }
}

function ExamClient({ examId, ready, runner }: { examId: string; ready: Ready; runner: PythonRunner }) {
  const { view, record: stored } = ready;
  // The server may move the deadline (extra time, a moved window); every
  // save answer and heartbeat brings it with a fresh clock estimate.
  const [serverTime, setServerTime] = useState<ServerTime>({ deadlineAt: view.attempt.deadline_at, clockOffset: ready.clockOffset });
  const { clockOffset } = serverTime;
  const questions = view.questions;
  useDocumentTitle(`${view.title} · examhall`);
  const [active, setActive] = useState(0);
  const codes = useRef(ready.codes);
  const [edited, setEdited] = useState<ReadonlySet<string>>(
    () => new Set(questions.filter((q) => ready.codes.get(q.id) !== q.starter_code).map((q) => q.id)),
  );
  const [tested, setTested] = useState<ReadonlyMap<string, TestsOutcome>>(new Map());
  const [save, setSave] = useState<SaveState>({ waiting: 0, writing: 0, error: null, ended: null, late: null });
  const saver = useRef<AutoSaver | null>(null);
  saver.current ??= new AutoSaver({
    record: stored,
    acked: view.acked_seq,
    clockOffset: ready.clockOffset,
    onState: setSave,
    onServerTime: setServerTime,
  });
  const [now, setNow] = useState(() => Date.now() + clockOffset);
  const [warning, setWarning] = useState('');
  const [notice, setNotice] = useState<string | null>(
    ready.leftovers.length > 0 ? t.exam.recovered(ready.leftovers.length) : null,
  );
  const [fullscreenPrompt, setFullscreenPrompt] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const summaryId = useId();
  const [dialog, confirm] = useConfirm(
    confirming
      ? {
          content: (
            <SubmitSummary
              questions={questions}
              edited={edited}
              tested={tested}
              code={(id) => codes.current.get(id) ?? ''}
              save={save}
              overviewId={summaryId}
            />
          ),
          describedBy: summaryId,
        }
      : undefined,
  );
  const runTrigger = useRef<(() => void) | null>(null);
  const finished = useRef(false);

  const question = questions[active] ?? questions[0];
  const deadline = Date.parse(serverTime.deadlineAt);
  const left = deadline - now;

  const record = useCallback((kind: string, data: Record<string, unknown> = {}, soon = false, questionId: string | null = null) => {
    saver.current?.event(kind, questionId, data, soon);
  }, []);

  // Keep what a reload without the network needs (shell, assets, Python).
  useEffect(() => { void prepareOffline(); }, []);

  useEffect(() => () => { saver.current?.stop(); }, []);

  // Send whatever is left over from before, say a reload happened, and keep
  // as evidence what an earlier binding of this attempt left on this computer.
  useEffect(() => {
    saver.current?.recover(ready.leftovers);
    if (ready.resumed) record('reload', { url: location.pathname }, true);
    else void saver.current?.flush();
  }, [ready.resumed, ready.leftovers, record]);

  // Integrity evidence: never blocks the student.
  const onOnline = useCallback(() => { saver.current?.retryNow(); }, []);
  const onPageHide = useCallback(() => { void saver.current?.flush(); }, []);
  useIntegrityEvents({
    record,
    requireFullscreen: view.require_fullscreen,
    promptFullscreen: setFullscreenPrompt,
    onOnline,
    onPageHide,
  });

  const toReceipt = useCallback(() => {
    navigate(`/exams/${encodeURIComponent(examId)}/receipt`, { replace: true });
  }, [examId]);

  // The server's clock: warnings at 10 and 1 minutes; at the deadline the
  // server submits by itself, so send what is queued and fetch the receipt.
  useEffect(() => {
    const tick = (): void => {
      setNow(Date.now() + clockOffset);
      saver.current?.heartbeat();
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => { clearInterval(timer); };
  }, [clockOffset]);
  const warned = useRef({ ten: left <= 10 * 60_000, one: left <= 60_000 });
  // Over by this computer's estimate of the server's clock, or because the
  // server said so (its clock is the one that counts).
  const closed = save.ended === 'closed';
  const over = left <= 0 || closed;
  useEffect(() => {
    if (!over) return;
    setWarning(t.exam.timeOver);
    void saver.current?.flush();
  }, [over]);
  // Changes queued before the deadline may still be set aside for the
  // instructor, so the receipt waits until the server has dealt with the
  // whole queue; then this computer forgets the attempt.
  useEffect(() => {
    if (!over || finished.current || save.waiting > 0) return;
    finished.current = true;
    void saver.current?.settle().then(async (waiting) => {
      if (waiting > 0) {
        finished.current = false;
        return;
      }
      if (save.late !== null) lateOutcomes.set(examId, save.late);
      handedInCode.set(view.attempt.id, new Map(codes.current));
      rememberHandedInSecret(view.attempt.id, stored.secret);
      await forgetAttempt(stored.key).catch(() => undefined);
      toReceipt();
    });
  }, [over, save.waiting, save.late, examId, view.attempt.id, stored.key, toReceipt]);
  useEffect(() => {
    if (over) return;
    if (left <= 60_000 && !warned.current.one) {
      warned.current = { ten: true, one: true };
      setWarning(t.exam.warning1);
    } else if (left <= 10 * 60_000 && !warned.current.ten) {
      warned.current = { ...warned.current, ten: true };
      setWarning(t.exam.warning10);
    }
  }, [left, over]);

  const onEdit = useCallback((questionId: string, code: string, changes: unknown) => {
    codes.current.set(questionId, code);
    saver.current?.edit(questionId, changes, code);
    setEdited((set) => (set.has(questionId) ? set : new Set(set).add(questionId)));
  }, []);
  const onClipboard = useCallback((questionId: string, kind: 'paste' | 'copy' | 'cut', text: string) => {
    record(kind, { size: text.length, text }, false, questionId);
  }, [record]);
  const onRunRecord = useCallback((questionId: string, kind: 'run' | 'tests_run', data: Record<string, unknown>) => {
    record(kind, data, false, questionId);
  }, [record]);
  const onTested = useCallback((questionId: string, outcome: TestsOutcome) => {
    setTested((known) => new Map(known).set(questionId, outcome));
  }, []);
  const onRefused = useCallback((limit: number) => { setNotice(t.exam.changeTooLarge(limit)); }, []);
  const onRun = useCallback(() => { runTrigger.current?.(); }, []);

  const submit = async (): Promise<void> => {
    setConfirming(true);
    const go = await confirm({ title: t.exam.confirmTitle, body: t.exam.confirmBody, action: t.exam.confirmAction });
    setConfirming(false);
    const current = saver.current;
    if (!go || current === null) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      // The last state of every edited question goes along, so the server checks its rebuild.
      current.snapshotEdited(codes.current);
      const waiting = await current.settle();
      if (waiting > 0) {
        setSubmitError(t.exam.notFlushed);
        return;
      }
      const receipt = await submitAttempt(examId, stored.secret, current.tail.seq);
      finished.current = true;
      receipts.set(examId, receipt);
      handedInCode.set(receipt.receipt.attempt_id, new Map(codes.current));
      rememberHandedInSecret(receipt.receipt.attempt_id, stored.secret);
      await forgetAttempt(stored.key).catch(() => undefined);
      if (document.fullscreenElement !== null) await document.exitFullscreen().catch(() => undefined);
      toReceipt();
    } catch (error) {
      setSubmitError(problemText(error));
    } finally {
      setSubmitting(false);
    }
  };

  const initial = useCallback((id: string) => codes.current.get(id) ?? '', []);
  const editorLabel = useCallback(
    (id: string) => t.exam.editorLabel(questions.find((q) => q.id === id)?.title ?? ''),
    [questions],
  );
  const code = useCallback(() => codes.current.get(question?.id ?? '') ?? '', [question?.id]);
  const offline = save.error instanceof ApiError && save.error.status === 0;
  const offlineCopy = useOfflineCopy();

  if (question === undefined) return null;
  return (
    <div class="exam">
      <ExamBar
        title={view.title}
        left={left}
        deadlineAt={serverTime.deadlineAt}
        save={save}
        submitting={submitting}
        onSubmit={() => void submit()}
      />
      <p class="visually-hidden" role="alert" data-testid="time-warning">{warning}</p>
      {warning !== '' && <p class="notice notice--info" aria-hidden="true">{warning}</p>}
      {offline && <p class="notice notice--info" data-testid="offline">{t.exam.offline}</p>}
      {offlineCopy.kind === 'failed' && (
        <p class="notice notice--error" role="status" data-testid="offline-copy-failed" title={offlineCopy.reason}>
          {offlineCopy.noSpace ? t.exam.offlineCopy.noSpace : t.exam.offlineCopy.failed}
        </p>
      )}
      {submitError !== null && <p class="notice notice--error" role="alert" data-testid="submit-error">{submitError}</p>}
      {notice !== null && <p class="notice notice--info" role="status" data-testid="exam-notice">{notice}</p>}
      <Announcements examId={examId} />
      {fullscreenPrompt && (
        <div class="notice notice--info" role="alert" data-testid="fullscreen-prompt">
          <p>{t.exam.fullscreenPrompt}</p>
          <button type="button" class="button" onClick={() => { void document.documentElement.requestFullscreen().catch(() => undefined); }}>
            {t.exam.enterFullscreen}
          </button>
        </div>
      )}
      <QuestionTabs questions={questions} active={active} edited={edited} onSelect={setActive} />
      <section id="question-panel" role="tabpanel" aria-labelledby={`tab-${question.id}`} class="question" data-testid="question">
        <h2>{question.title} <span class="question__points">({t.exam.points(question.points)})</span></h2>
        <Markdown source={question.prompt} headingLevel={3} />
        <div class="workspace">
          <div class="workspace__editor">
            <p class="hint" id="editor-hint">{t.exam.editorHint}</p>
            <CodeEditor
              questionId={question.id}
              initial={initial}
              label={editorLabel}
              onEdit={onEdit}
              onClipboard={onClipboard}
              onRefused={onRefused}
              onRun={onRun}
            />
          </div>
          <RunPanel
            runner={runner}
            code={code}
            tests={question.tests}
            questionId={question.id}
            onRecord={onRunRecord}
            onTested={onTested}
            runTrigger={runTrigger}
          />
        </div>
      </section>
      {dialog}
    </div>
  );
}
