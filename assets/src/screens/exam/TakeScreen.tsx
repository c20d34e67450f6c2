/**
 * The exam client (`/exams/:examId/take`). It resumes the attempt from the
 * server with the secret this browser keeps, lays any edits the server has
 * not acknowledged on top (they are newer), and then: questions in tabs, the
 * editor, Run and Test, autosave with its status always on screen, integrity
 * events into the same queue, the server's clock counting down, and Submit.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedKeyboardEvent } from 'preact';
import { t } from '../../i18n';
import { ApiError, clientProblem } from '../../api/client';
import { resumeAttempt, submitAttempt, type AttemptView } from '../../api/attempts';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Loading } from '../../components/Status';
import { useConfirm } from '../../components/ConfirmDialog';
import { problemText } from '../../components/problem';
import { useDocumentTitle } from '../../hooks/useDocumentTitle';
import { Link, navigate } from '../../router';
import type { PythonRunner } from '../../python/runner';
import { claimPython } from '../../exam/warmPython';
import { AutoSaver, type SaveState, type ServerTime } from '../../exam/autosave';
import { CodeEditor } from '../../exam/CodeEditor';
import { Markdown } from '../../exam/Markdown';
import { justStarted, receipts } from '../../exam/handoff';
import { dropAcked, forgetOfflineCopy, latestCodes, loadSecret, loadView, pending, saveView } from '../../exam/store';
import { prepareOffline } from '../../exam/offline';
import { useIntegrityEvents } from '../../exam/integrity';
import { RunPanel } from './RunPanel';

interface Ready {
  view: AttemptView;
  secret: string;
  codes: Map<string, string>;
  clockOffset: number;
  resumed: boolean;
}

type Loadable = { kind: 'loading' } | { kind: 'failed'; error: unknown } | { kind: 'noSecret' } | { kind: 'ready'; ready: Ready };

/** The network is down (or the server cannot be reached), as opposed to an answer from the server. */
function unreachable(error: unknown): boolean {
  return error instanceof ApiError && error.type === clientProblem.network;
}

async function prepare(examId: string): Promise<Loadable> {
  const secret = await loadSecret(examId);
  if (secret === undefined) return { kind: 'noSecret' };
  const started = justStarted.get(examId);
  justStarted.delete(examId);
  const before = Date.now();
  let view: AttemptView;
  let clockOffset: number;
  let offline = false;
  if (started !== undefined) {
    view = started;
    clockOffset = Date.parse(view.server_now) - Date.now();
  } else {
    try {
      view = await resumeAttempt(examId, secret);
      clockOffset = Date.parse(view.server_now) - Math.round((before + Date.now()) / 2);
    } catch (error) {
      // Loaded without the network (the service worker's shell): carry on
      // from the attempt as last seen and what was typed here since.
      const stored = unreachable(error) ? await loadView(examId) : undefined;
      if (stored === undefined) throw error;
      ({ view, clockOffset } = stored);
      offline = true;
    }
  }
  if (!offline) await saveView(examId, { view, clockOffset }).catch(() => undefined);
  const codes = new Map<string, string>();
  for (const question of view.questions) codes.set(question.id, question.starter_code);
  for (const answer of view.answers) codes.set(answer.question_id, answer.code);
  if (offline) {
    // The stored answers may be older than edits the server acknowledged since.
    for (const [questionId, code] of await latestCodes(examId)) codes.set(questionId, code);
  } else {
    await dropAcked(examId, view.acked_seq);
  }
  // Edits the server has not acknowledged are newer than its answers.
  for (const item of await pending(examId, view.acked_seq, 100_000)) {
    if (item.kind === 'edit' && item.question_id !== null && item.code !== undefined) codes.set(item.question_id, item.code);
  }
  return { kind: 'ready', ready: { view, secret, codes, clockOffset, resumed: started === undefined } };
}

/** Marks the document with how Python started: from its memory `snapshot`, or `plain` when that failed. */
function notePythonStart(runner: PythonRunner): void {
  runner.boot().then(
    (info) => { document.documentElement.dataset.pythonStart = info.fromSnapshot ? 'snapshot' : 'plain'; },
    () => undefined,
  );
}

export function TakeScreen({ examId }: { examId: string }) {
  const [state, setState] = useState<Loadable>({ kind: 'loading' });
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
    prepare(examId).then(
      (loaded) => {
        if (loaded.kind === 'ready' && loaded.ready.view.attempt.submitted_at !== null) {
          navigate(`/exams/${encodeURIComponent(examId)}/receipt`, { replace: true });
          return;
        }
        setState(loaded);
      },
      (error: unknown) => { setState({ kind: 'failed', error }); },
    );
  }, [examId]);
  useEffect(load, [load]);

  switch (state.kind) {
    case 'loading':
      return <Loading />;
    case 'noSecret':
      return <p class="notice notice--error" data-testid="exam-no-secret">{t.exam.noSecret}</p>;
    case 'failed':
      return (
        <div>
          <ErrorNotice error={state.error} testId="load-error" />
          <button type="button" class="button" onClick={load}>{t.common.retry}</button>
          <p><Link href={`/exams/${encodeURIComponent(examId)}`}>{t.exam.back}</Link></p>
        </div>
      );
    case 'ready':
      return runner === null ? <Loading /> : <ExamClient examId={examId} ready={state.ready} runner={runner} />;
  }
}

/** Remaining time as h:mm:ss or m:ss. */
function clock(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${String(hours)}:${String(minutes).padStart(2, '0')}:${seconds}` : `${String(minutes)}:${seconds}`;
}

/** The server refuses this computer's saves: the exam was started on another device. */
function onOtherDevice(save: SaveState): boolean {
  return save.error instanceof ApiError && save.error.status === 403;
}

function saveText(save: SaveState): string {
  if (save.closed) return problemText(save.error);
  if (onOtherDevice(save)) return t.exam.otherDevice;
  return save.waiting === 0 ? t.exam.saved : t.exam.waiting(save.waiting);
}

function saveClass(save: SaveState): string {
  // Saving has ended here: the reason is shown whole, however long.
  if (save.closed || onOtherDevice(save)) return 'exam-bar__save--waiting exam-bar__save--ended';
  return save.waiting === 0 && save.error === null ? 'exam-bar__save--ok' : 'exam-bar__save--waiting';
}

function ExamClient({ examId, ready, runner }: { examId: string; ready: Ready; runner: PythonRunner }) {
  const { view, secret } = ready;
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
  const [save, setSave] = useState<SaveState>({ waiting: 0, error: null, closed: false });
  const saver = useRef<AutoSaver | null>(null);
  saver.current ??= new AutoSaver({
    examId,
    secret,
    acked: view.acked_seq,
    clockOffset: ready.clockOffset,
    onState: setSave,
    onServerTime: setServerTime,
  });
  const [now, setNow] = useState(() => Date.now() + clockOffset);
  const [warning, setWarning] = useState('');
  const [fullscreenPrompt, setFullscreenPrompt] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();
  const finished = useRef(false);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);

  const question = questions[active] ?? questions[0];
  const deadline = Date.parse(serverTime.deadlineAt);
  const left = deadline - now;

  const record = useCallback((kind: string, data: unknown = {}, soon = false, questionId: string | null = null) => {
    void saver.current?.add(kind, questionId, { data }, soon);
  }, []);

  // Keep what a reload without the network needs (shell, assets, Python).
  useEffect(() => { void prepareOffline(); }, []);

  useEffect(() => () => { saver.current?.stop(); }, []);

  // Send whatever is left over from before, and say a reload happened.
  useEffect(() => {
    if (ready.resumed) record('reload', { url: location.pathname }, true);
    else void saver.current?.flush();
  }, [ready.resumed, record]);

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
  // server refused a save (its clock is the one that counts).
  const over = left <= 0 || save.closed;
  useEffect(() => {
    if (!over) return;
    setWarning(t.exam.timeOver);
    void saver.current?.flush();
  }, [over]);
  // Edits stamped before the deadline still count when they arrive a little
  // later, so the receipt waits until the queue is empty (or refused).
  useEffect(() => {
    if (!over || finished.current || (save.waiting > 0 && !save.closed)) return;
    finished.current = true;
    void saver.current?.settle().finally(toReceipt);
  }, [over, save.waiting, save.closed, toReceipt]);
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
    void saver.current?.add('edit', questionId, { code, data: changes });
    setEdited((set) => (set.has(questionId) ? set : new Set(set).add(questionId)));
  }, []);
  const onClipboard = useCallback((questionId: string, kind: 'paste' | 'copy' | 'cut', text: string) => {
    record(kind, { size: text.length, text }, false, questionId);
  }, [record]);

  const submit = async (): Promise<void> => {
    const go = await confirm({ title: t.exam.confirmTitle, body: t.exam.confirmBody, action: t.exam.confirmAction });
    if (!go || saver.current === null) return;
    setSubmitting(true);
    setSubmitError(null);
    try {
      const waiting = await saver.current.settle();
      if (waiting > 0) {
        setSubmitError(t.exam.notFlushed);
        return;
      }
      const receipt = await submitAttempt(examId, secret);
      finished.current = true;
      receipts.set(examId, receipt);
      await forgetOfflineCopy(examId).catch(() => undefined);
      if (document.fullscreenElement !== null) await document.exitFullscreen().catch(() => undefined);
      toReceipt();
    } catch (error) {
      setSubmitError(problemText(error));
    } finally {
      setSubmitting(false);
    }
  };

  const onTabKey = (event: TargetedKeyboardEvent<HTMLButtonElement>, index: number): void => {
    let next: number | undefined;
    if (event.key === 'ArrowRight') next = (index + 1) % questions.length;
    else if (event.key === 'ArrowLeft') next = (index - 1 + questions.length) % questions.length;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = questions.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    setActive(next);
    tabs.current[next]?.focus();
  };

  const initial = useCallback((id: string) => codes.current.get(id) ?? '', []);
  const editorLabel = useCallback(
    (id: string) => t.exam.editorLabel(questions.find((q) => q.id === id)?.title ?? ''),
    [questions],
  );
  const code = useCallback(() => codes.current.get(question?.id ?? '') ?? '', [question?.id]);
  const offline = save.error instanceof ApiError && save.error.status === 0;

  if (question === undefined) return null;
  return (
    <div class="exam">
      <div class="exam-bar" data-testid="exam-bar">
        <h1 class="exam-bar__title" title={view.title}>{view.title}</h1>
        <p class="exam-bar__timer" role="timer" data-testid="timer" data-deadline={serverTime.deadlineAt}>{left > 0 ? t.exam.timeLeft(clock(left)) : t.exam.timeOver}</p>
        <p
          class={`exam-bar__save ${saveClass(save)}`}
          title={saveText(save)}
          role="status"
          data-testid="save-status"
          data-waiting={String(save.waiting)}
        >
          {saveText(save)}
        </p>
        <button type="button" class="button button--danger" disabled={submitting || save.closed} onClick={() => void submit()} data-testid="submit">
          {submitting ? t.exam.submitting : t.exam.submit}
        </button>
      </div>
      <p class="visually-hidden" role="alert" data-testid="time-warning">{warning}</p>
      {warning !== '' && <p class="notice notice--info" aria-hidden="true">{warning}</p>}
      {offline && <p class="notice notice--info" data-testid="offline">{t.exam.offline}</p>}
      {submitError !== null && <p class="notice notice--error" role="alert" data-testid="submit-error">{submitError}</p>}
      {fullscreenPrompt && (
        <div class="notice notice--info" role="alert" data-testid="fullscreen-prompt">
          <p>{t.exam.fullscreenPrompt}</p>
          <button type="button" class="button" onClick={() => { void document.documentElement.requestFullscreen().catch(() => undefined); }}>
            {t.exam.enterFullscreen}
          </button>
        </div>
      )}
      <div role="tablist" aria-label={t.exam.questionsLabel} class="tabs" data-testid="question-tabs">
        {questions.map((q, index) => (
          <button
            key={q.id}
            ref={(element) => { tabs.current[index] = element; }}
            type="button"
            role="tab"
            id={`tab-${q.id}`}
            aria-selected={index === active}
            aria-controls="question-panel"
            tabIndex={index === active ? 0 : -1}
            class="tab"
            onClick={() => { setActive(index); }}
            onKeyDown={(event) => { onTabKey(event, index); }}
            data-testid="question-tab"
            data-state={edited.has(q.id) ? 'edited' : 'untouched'}
          >
            {`${String(index + 1)}. ${q.title}`}
            <span class="tab__state">{edited.has(q.id) ? t.exam.tabState.edited : t.exam.tabState.untouched}</span>
          </button>
        ))}
      </div>
      <section id="question-panel" role="tabpanel" aria-labelledby={`tab-${question.id}`} class="question" data-testid="question">
        <h2>{question.title} <span class="question__points">({t.exam.points(question.points)})</span></h2>
        <Markdown source={question.prompt} headingLevel={3} />
        <p class="hint" id="editor-hint">{t.exam.editorHint}</p>
        <CodeEditor
          questionId={question.id}
          initial={initial}
          label={editorLabel}
          onEdit={onEdit}
          onClipboard={onClipboard}
        />
        <RunPanel runner={runner} code={code} tests={question.tests} questionId={question.id} />
      </section>
      {dialog}
    </div>
  );
}
