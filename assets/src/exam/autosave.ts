/**
 * The autosave sender. Every edit and integrity event goes into the IndexedDB
 * queue first (store.ts); this sends the queue in batches of at most 500, at
 * most every 2 s while the student types, at once when asked (blur, hidden
 * page, submit), and again with a growing pause while the network is down.
 * The server answers with the highest sequence it holds durably; items up to
 * it are dropped. Resending is safe: the server ignores what it already has.
 * Every answer also carries the attempt's deadline and the server's time, and
 * while the student types nothing an empty batch (a heartbeat) fetches them,
 * so the timer follows extra time granted or a window moved mid-exam.
 */
import { ApiError, clientProblem } from '../api/client';
import { sendSaves, type SaveAnswer, type SaveItem } from '../api/attempts';
import { countPending, dropAcked, enqueue, pending } from './store';

export interface SaveState {
  /** Items not acknowledged yet. */
  waiting: number;
  /** The last failure, if the queue could not be sent. */
  error: unknown;
  /** The server refuses further saves: the time is over (its problem says so). */
  closed: boolean;
}

const MIN_INTERVAL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
/** How long the client stays silent before a heartbeat asks for the deadline. */
const HEARTBEAT_MS = 15_000;

/** What the server says about time: the deadline, and its clock minus this computer's. */
export interface ServerTime {
  deadlineAt: string;
  clockOffset: number;
}

export class AutoSaver {
  readonly #examId: string;
  readonly #secret: string;
  #clockOffset: number;
  readonly #onState: (state: SaveState) => void;
  readonly #onServerTime: (time: ServerTime) => void;
  #acked: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSent = 0;
  #backoff = 0;
  #flushing: Promise<void> | null = null;
  #again = false;
  #state: SaveState = { waiting: 0, error: null, closed: false };
  #stopped = false;
  /** Items being written to IndexedDB; a flush waits for them. */
  #writes: Promise<unknown> = Promise.resolve();

  constructor(options: {
    examId: string;
    secret: string;
    acked: number;
    clockOffset: number;
    onState: (state: SaveState) => void;
    onServerTime: (time: ServerTime) => void;
  }) {
    this.#examId = options.examId;
    this.#secret = options.secret;
    this.#acked = options.acked;
    this.#clockOffset = options.clockOffset;
    this.#onState = options.onState;
    this.#onServerTime = options.onServerTime;
  }

  get acked(): number {
    return this.#acked;
  }

  /** The server's time now, as far as this computer can tell, in RFC 3339. */
  serverNow(): string {
    return new Date(Date.now() + this.#clockOffset).toISOString();
  }

  /** Queues an edit or an event; `soon` sends it without waiting for the 2 s pace. */
  add(kind: string, questionId: string | null, fields: { code?: string; data?: unknown }, soon = false): Promise<SaveItem> {
    const written = enqueue(this.#examId, { kind, question_id: questionId, client_at: this.serverNow(), ...fields }, this.#acked);
    this.#writes = this.#writes.then(() => written).catch(() => undefined);
    void written.then(() => this.#refresh());
    if (soon) void this.flush();
    else this.#schedule();
    return written;
  }

  /** Sends everything queued now (after any send in progress). Resolves when the queue is empty or a send failed. */
  flush(): Promise<void> {
    return this.#send(false);
  }

  #send(heartbeat: boolean): Promise<void> {
    if (this.#flushing !== null) {
      this.#again = true;
      return this.#flushing;
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flushing = this.#drain(heartbeat).finally(() => {
      this.#flushing = null;
      if (this.#again) {
        this.#again = false;
        void this.flush();
      }
    });
    return this.#flushing;
  }

  /** Flushes until the queue is empty or a send fails; resolves with how many items still wait. */
  async settle(): Promise<number> {
    for (let round = 0; round < 5; round += 1) {
      await this.flush();
      const waiting = await countPending(this.#examId, this.#acked);
      if (waiting === 0 || this.#state.error !== null) return waiting;
    }
    return countPending(this.#examId, this.#acked);
  }

  /** The network is back: send at once instead of waiting out the backoff. */
  retryNow(): void {
    this.#backoff = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.flush();
  }

  /** Asks the server for the deadline when nothing was sent for a while (call it every few seconds). */
  heartbeat(): void {
    if (this.#stopped || this.#state.closed || Date.now() - this.#lastSent < HEARTBEAT_MS) return;
    if (this.#flushing !== null || this.#timer !== undefined) return;
    void this.#send(true);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(delay?: number): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const wait = delay ?? Math.max(0, this.#lastSent + MIN_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, wait);
  }

  async #drain(heartbeat = false): Promise<void> {
    await this.#writes;
    for (let round = 0; ; round += 1) {
      if (this.#stopped) return;
      const items = await pending(this.#examId, this.#acked);
      if (items.length === 0 && !(heartbeat && round === 0)) break;
      const sentAt = Date.now();
      this.#lastSent = sentAt;
      try {
        const answer = await sendSaves(this.#examId, this.#secret, items);
        this.#learnTime(answer, sentAt);
        this.#backoff = 0;
        this.#acked = Math.max(this.#acked, answer.acked_seq);
        await dropAcked(this.#examId, this.#acked);
        this.#state = { ...this.#state, error: null };
        // The server did not take the batch (it should); do not spin on it.
        const last = items[items.length - 1];
        if (last === undefined || answer.acked_seq < last.seq) break;
      } catch (error) {
        const closed = error instanceof ApiError && error.status === 409;
        this.#state = { ...this.#state, error, closed: this.#state.closed || closed };
        if (!closed && retryable(error)) {
          this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff === 0 ? 1000 : this.#backoff * 2);
          this.#schedule(this.#backoff);
        }
        break;
      }
    }
    await this.#refresh();
  }

  #learnTime(answer: SaveAnswer, sentAt: number): void {
    // The server read its clock about halfway through the round trip.
    this.#clockOffset = Date.parse(answer.server_now) - Math.round((sentAt + Date.now()) / 2);
    this.#onServerTime({ deadlineAt: answer.deadline_at, clockOffset: this.#clockOffset });
  }

  async #refresh(): Promise<void> {
    const waiting = await countPending(this.#examId, this.#acked);
    this.#state = { ...this.#state, waiting };
    this.#onState(this.#state);
  }
}

function retryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.type === clientProblem.network || error.status >= 500 || error.status === 429 || error.status === 0;
}
