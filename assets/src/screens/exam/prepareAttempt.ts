/**
 * Loading the exam client: find this browser's binding to the signed-in
 * student's attempt, resume from the server (or, without the network, from
 * what this computer kept), and lay the unsent edits on top (they are newer).
 * Only the attempt of the person signed in here is ever read.
 */
import { ApiError, clientProblem } from '../../api/client';
import { examLanding, resumeAttempt, type AttemptView } from '../../api/attempts';
import { justStarted } from '../../exam/handoff';
import {
  dropProcessed,
  findAttempt,
  latestCodes,
  loadView,
  pending,
  saveView,
  type AttemptRecord,
  type QueuedItem,
} from '../../exam/store';

export interface Ready {
  view: AttemptView;
  record: AttemptRecord;
  codes: Map<string, string>;
  clockOffset: number;
  /** Loaded again (a reload, a reopened browser), rather than just started. */
  resumed: boolean;
  /** Items an earlier binding of this attempt left here: re-queued as evidence. */
  leftovers: QueuedItem[];
  /** The page came up without the network. */
  offline: boolean;
}

export type Loadable =
  | { kind: 'loading' }
  | { kind: 'failed'; error: unknown }
  /** Started on another computer or browser (this one holds no binding). */
  | { kind: 'elsewhere'; moveAllowed: boolean }
  /** No binding here and the server cannot be asked. */
  | { kind: 'noCopyOffline' }
  /** Not started yet, or already submitted: the landing or receipt page says so. */
  | { kind: 'redirect'; to: 'landing' | 'receipt' }
  | { kind: 'ready'; ready: Ready };

/** The network is down (or the server cannot be reached), as opposed to an answer from the server. */
export function unreachable(error: unknown): boolean {
  return error instanceof ApiError && error.type === clientProblem.network;
}

/** Asks the server where the attempt stands when this browser holds no binding to it. */
async function withoutBinding(examId: string): Promise<Loadable> {
  try {
    const landing = await examLanding(examId);
    if (landing.attempt === null) return { kind: 'redirect', to: 'landing' };
    if (landing.attempt.submitted_at !== null) return { kind: 'redirect', to: 'receipt' };
    return { kind: 'elsewhere', moveAllowed: landing.attempt.move_allowed };
  } catch (error) {
    if (unreachable(error)) return { kind: 'noCopyOffline' };
    throw error;
  }
}

export async function prepare(examId: string, userId: string): Promise<Loadable> {
  const started = justStarted.get(examId);
  justStarted.delete(examId);
  const record = started?.record ?? (await findAttempt(userId, examId));
  if (record?.userId !== userId) return withoutBinding(examId);
  const before = Date.now();
  let view: AttemptView;
  let clockOffset: number;
  let offline = false;
  if (started !== undefined) {
    view = started.view;
    clockOffset = Date.parse(view.server_now) - before;
  } else {
    try {
      view = await resumeAttempt(examId, record.secret);
      clockOffset = Date.parse(view.server_now) - Math.round((before + Date.now()) / 2);
    } catch (error) {
      if (error instanceof ApiError && error.type === 'urn:examhall:problem:other-device') return withoutBinding(examId);
      // Loaded without the network (the service worker's shell): carry on
      // from the attempt as last seen and what was typed here since.
      const stored = unreachable(error) ? await loadView(record.key) : undefined;
      if (stored === undefined) throw error;
      ({ view, clockOffset } = stored);
      offline = true;
    }
  }
  if (view.attempt.submitted_at !== null && !offline) return { kind: 'redirect', to: 'receipt' };
  let current = record;
  if (!offline) {
    await saveView(record.key, { view, clockOffset }).catch(() => undefined);
    await dropProcessed(record.key, view.acked_seq);
    // This computer lost items the server holds (storage cleared): continue after the server's.
    if (view.acked_seq > record.tail.seq) current = { ...record, tail: { seq: view.acked_seq, chain: view.chain } };
  }
  const codes = new Map<string, string>();
  for (const question of view.questions) codes.set(question.id, question.starter_code);
  for (const answer of view.answers) codes.set(answer.question_id, answer.code);
  // Offline, the stored answers may be older than edits the server
  // acknowledged since; online, only questions with edits the server has not
  // acknowledged are newer here than in its answers.
  const unsent = new Set<string>();
  for (const item of await pending(record.key, view.acked_seq, 100_000)) {
    if (item.question_id !== null && (item.kind === 'edit' || item.kind === 'snapshot')) unsent.add(item.question_id);
  }
  if (offline || unsent.size > 0) {
    for (const [questionId, code] of await latestCodes(record.key)) {
      if (offline || unsent.has(questionId)) codes.set(questionId, code);
    }
  }
  return {
    kind: 'ready',
    ready: { view, record: current, codes, clockOffset, resumed: started === undefined, leftovers: started?.leftovers ?? [], offline },
  };
}
