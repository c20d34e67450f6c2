/**
 * The autosave sender (docs/autosave.md). Every edit (a CodeMirror change
 * set, never the whole answer), every periodic snapshot of a question's code
 * and every integrity event goes into the attempt's IndexedDB queue first
 * (store.ts), chained (chain.ts); this sends the queue in batches bounded in
 * items and bytes, at most every 2 s while the student types, at once when
 * asked, and again with a growing pause while the network is down.
 *
 * Each batch carries the commitment to the whole local queue (its last
 * sequence number and chain), so the server knows, before the deadline, what
 * was queued in time. The server answers with what it has dealt with; those
 * items are dropped here. A batch refused as too large is split, never resent
 * unchanged; a batch that leaves a gap is resent from where the server stands.
 */
import { ApiError, clientProblem } from '../api/client';
import { sendSaves, type LateCounts, type SaveAnswer } from '../api/attempts';
import { byteLength, chainNext, itemText } from './chain';
import { countPending, dropProcessed, enqueue, pending, type AttemptRecord, type QueuedItem, type Tail } from './store';

/** Why saving has ended on this page; the queue stays on this computer. */
export type SaveEnd =
  /** The deadline passed or the attempt was submitted: what arrives now is set aside. */
  | 'closed'
  /** Another computer or browser holds the attempt now. */
  | 'otherDevice'
  /** The attempt has stored more than any exam needs. */
  | 'quota'
  /** One change is larger than the server accepts in a request. */
  | 'tooLarge'
  /** The server refused the queue as malformed (a defect): nothing is sent again. */
  | 'refused';

export interface SaveState {
  /** Items the server has not dealt with yet (those still being written to this computer's storage included). */
  waiting: number;
  /** Of those, items not yet in this computer's storage: lost if the browser closed now. */
  writing: number;
  /** The last failure, if the queue could not be sent. */
  error: unknown;
  /** Set once saving has ended on this page. */
  ended: SaveEnd | null;
  /** Items that arrived after the deadline, by what became of them. */
  late: LateCounts | null;
}

const MIN_INTERVAL_MS = 2000;
const MAX_BACKOFF_MS = 30_000;
/** How long the client stays silent before a heartbeat asks for the deadline and repeats its commitment. */
const HEARTBEAT_MS = 15_000;
/** A batch holds at most this many items and (beyond its first item) this many bytes: well under the server's limit. */
const MAX_BATCH_ITEMS = 500;
const MAX_BATCH_BYTES = 256 * 1024;
/** A question's whole code goes along after this many edits, or this long after the last snapshot. */
const SNAPSHOT_EVERY_EDITS = 100;
const SNAPSHOT_EVERY_MS = 60_000;
/** Pasted text kept as evidence, at most (the edit itself always carries all of it). */
const MAX_EVIDENCE_CHARS = 64 * 1024;

/** What the server says about time: the deadline, and its clock minus this computer's. */
export interface ServerTime {
  deadlineAt: string;
  clockOffset: number;
}

interface Options {
  record: AttemptRecord;
  /** Every item up to this one is saved on the server. */
  acked: number;
  clockOffset: number;
  onState: (state: SaveState) => void;
  onServerTime: (time: ServerTime) => void;
}

export class AutoSaver {
  readonly #record: AttemptRecord;
  #clockOffset: number;
  readonly #onState: (state: SaveState) => void;
  readonly #onServerTime: (time: ServerTime) => void;
  /** The server has dealt with every item up to this one. */
  #processed: number;
  #tail: Tail;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastSent = 0;
  #backoff = 0;
  #itemLimit = MAX_BATCH_ITEMS;
  #flushing: Promise<void> | null = null;
  #again = false;
  #state: SaveState = { waiting: 0, writing: 0, error: null, ended: null, late: null };
  /** Items queued but not yet in the browser's storage. */
  #writing = 0;
  #stopped = false;
  /** Items being chained and written, in order; a send waits for them. */
  #writes: Promise<unknown> = Promise.resolve();
  readonly #sinceSnapshot = new Map<string, { edits: number; at: number }>();

  constructor(options: Options) {
    this.#record = options.record;
    this.#processed = options.acked;
    this.#tail = options.record.tail;
    this.#clockOffset = options.clockOffset;
    this.#onState = options.onState;
    this.#onServerTime = options.onServerTime;
  }

  /** The last item queued here (its sequence number is what a submission waits for). */
  get tail(): Tail {
    return this.#tail;
  }

  /** The server's time now, as far as this computer can tell, in RFC 3339. */
  serverNow(): string {
    return new Date(Date.now() + this.#clockOffset).toISOString();
  }

  /** Queues an edit of `questionId` (its change set, and the code after it), with a snapshot when one is due. */
  edit(questionId: string, changes: unknown, code: string): void {
    this.#queue({ kind: 'edit', question_id: questionId, changes }, code);
    const since = this.#sinceSnapshot.get(questionId) ?? { edits: 0, at: Date.now() };
    since.edits += 1;
    this.#sinceSnapshot.set(questionId, since);
    if (since.edits >= SNAPSHOT_EVERY_EDITS || Date.now() - since.at >= SNAPSHOT_EVERY_MS) this.snapshot(questionId, code);
    this.#schedule();
  }

  /** Queues the whole code of a question, so the server can verify its rebuild. */
  snapshot(questionId: string, code: string): void {
    this.#sinceSnapshot.set(questionId, { edits: 0, at: Date.now() });
    this.#queue({ kind: 'snapshot', question_id: questionId, code }, code);
  }

  /** Snapshots every question edited since its last snapshot (before a submission). */
  snapshotEdited(codes: ReadonlyMap<string, string>): void {
    for (const [questionId, since] of this.#sinceSnapshot) {
      const code = codes.get(questionId);
      if (since.edits > 0 && code !== undefined) this.snapshot(questionId, code);
    }
  }

  /** Queues an integrity event; `soon` sends it without waiting for the 2 s pace. */
  event(kind: string, questionId: string | null, data: Record<string, unknown>, soon = false): void {
    const text = data.text;
    const evidence = typeof text === 'string' && text.length > MAX_EVIDENCE_CHARS
      ? { ...data, text: text.slice(0, MAX_EVIDENCE_CHARS), truncated: true }
      : data;
    this.#queue({ kind, question_id: questionId, data: evidence });
    if (soon) void this.flush();
    else this.#schedule();
  }

  /** Queues work an earlier binding of this attempt left unsent here, as evidence (never applied). */
  recover(leftovers: readonly QueuedItem[]): void {
    for (const item of leftovers) {
      this.#queue({ kind: 'recovered', question_id: item.question_id, data: { item: JSON.parse(item.raw) as unknown } });
    }
    if (leftovers.length > 0) void this.flush();
  }

  #queue(fields: { kind: string; question_id: string | null; changes?: unknown; code?: string; data?: unknown }, code?: string): void {
    const clientAt = this.serverNow();
    // Counted as waiting from the keystroke on, not from when the browser's
    // storage has it: the status never says "saved" over an edit in flight.
    this.#writing += 1;
    this.#state = { ...this.#state, waiting: this.#state.waiting + 1, writing: this.#writing };
    this.#onState(this.#state);
    const written = this.#writes.then(async () => {
      const seq = this.#tail.seq + 1;
      const raw = itemText({ seq, kind: fields.kind, question_id: fields.question_id, client_at: clientAt, changes: fields.changes, code: fields.code, data: fields.data });
      const tail = { seq, chain: await chainNext(this.#tail.chain, raw) };
      const item: QueuedItem = { key: this.#record.key, seq, raw, bytes: byteLength(raw), kind: fields.kind, question_id: fields.question_id };
      await enqueue(item, tail, code);
      this.#tail = tail;
    });
    this.#writes = written
      .catch((error: unknown) => { this.#state = { ...this.#state, error }; })
      .finally(() => { this.#writing -= 1; });
    void this.#writes.then(() => this.#refresh());
  }

  /** Sends everything queued now (after any send in progress). Resolves when the queue is empty or a send failed. */
  flush(): Promise<void> {
    return this.#send(false);
  }

  /** Flushes until the queue is empty or a send fails; resolves with how many items still wait. */
  async settle(): Promise<number> {
    for (let round = 0; round < 5; round += 1) {
      await this.flush();
      const waiting = await countPending(this.#record.key, this.#processed);
      if (waiting === 0 || this.#state.error !== null || this.#state.ended !== null) return waiting;
    }
    return countPending(this.#record.key, this.#processed);
  }

  /** The network is back: send at once instead of waiting out the backoff. */
  retryNow(): void {
    this.#backoff = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.flush();
  }

  /** Repeats the commitment and asks for the deadline when nothing was sent for a while (call it every few seconds). */
  heartbeat(): void {
    if (this.#stopped || this.#state.ended !== null || Date.now() - this.#lastSent < HEARTBEAT_MS) return;
    if (this.#flushing !== null || this.#timer !== undefined) return;
    void this.#send(true);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
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

  #schedule(delay?: number): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const wait = delay ?? Math.max(0, this.#lastSent + MIN_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, wait);
  }

  async #drain(heartbeat: boolean): Promise<void> {
    await this.#writes;
    for (let round = 0; !this.#stopped && this.#state.ended !== 'otherDevice'; round += 1) {
      const queued = await pending(this.#record.key, this.#processed, this.#itemLimit);
      if (queued.length === 0 && !(heartbeat && round === 0)) break;
      const batch = boundedBatch(queued);
      const tail = this.#tail;
      const sentAt = Date.now();
      this.#lastSent = sentAt;
      try {
        const answer = await sendSaves(this.#record.examId, this.#record.secret, batch.map((item) => item.raw), { seq: tail.seq, hash: tail.chain });
        this.#learnTime(answer, sentAt);
        this.#backoff = 0;
        this.#itemLimit = Math.min(MAX_BATCH_ITEMS, this.#itemLimit * 2);
        await this.#dealtWith(answer.processed_seq);
        this.#state = { ...this.#state, error: null };
        if (answer.phase === 'closed') this.#state = { ...this.#state, ended: 'closed', late: answer.late };
        // The server did not take the whole batch (it always should); do not spin on it.
        const last = batch[batch.length - 1];
        if (last === undefined || answer.processed_seq < last.seq) break;
      } catch (error) {
        if (!(await this.#recover(error, batch.length))) break;
      }
    }
    await this.#refresh();
  }

  async #dealtWith(processed: number): Promise<void> {
    this.#processed = Math.max(this.#processed, processed);
    await dropProcessed(this.#record.key, this.#processed);
  }

  /** Handles a failed send; true to try again at once (a smaller batch, or from where the server stands). */
  async #recover(error: unknown, sent: number): Promise<boolean> {
    this.#state = { ...this.#state, error };
    if (!(error instanceof ApiError)) return this.#retryLater();
    if (error.status === 413) {
      if (sent > 1) {
        this.#itemLimit = Math.max(1, Math.floor(sent / 2));
        return true;
      }
      return this.#end('tooLarge');
    }
    if (error.type === 'urn:examhall:problem:sequence-gap' && error.problem.acked_seq !== undefined) {
      // The server holds everything up to acked_seq: resend from just after it,
      // unless this computer no longer has the items it lacks (then nothing can fix it here).
      if (error.problem.acked_seq > this.#processed) {
        await this.#dealtWith(error.problem.acked_seq);
        return true;
      }
      return this.#end('refused');
    }
    if (error.type === 'urn:examhall:problem:other-device') return this.#end('otherDevice');
    if (error.type === 'urn:examhall:problem:save-quota') return this.#end('quota');
    if (error.status === 422 || error.status === 400) return this.#end('refused');
    if (error.type === clientProblem.network || error.status >= 500 || error.status === 429 || error.status === 0 || error.status === 408) {
      return this.#retryLater();
    }
    return false;
  }

  #retryLater(): false {
    this.#backoff = Math.min(MAX_BACKOFF_MS, this.#backoff === 0 ? 1000 : this.#backoff * 2);
    this.#schedule(this.#backoff);
    return false;
  }

  #end(why: SaveEnd): false {
    this.#state = { ...this.#state, ended: why };
    return false;
  }

  #learnTime(answer: SaveAnswer, sentAt: number): void {
    // The server read its clock about halfway through the round trip.
    this.#clockOffset = Date.parse(answer.server_now) - Math.round((sentAt + Date.now()) / 2);
    this.#onServerTime({ deadlineAt: answer.deadline_at, clockOffset: this.#clockOffset });
  }

  async #refresh(): Promise<void> {
    const waiting = (await countPending(this.#record.key, this.#processed)) + this.#writing;
    this.#state = { ...this.#state, waiting, writing: this.#writing };
    this.#onState(this.#state);
  }
}

/** The first items of `queued` that fit the byte bound (always at least one). */
function boundedBatch(queued: QueuedItem[]): QueuedItem[] {
  let bytes = 0;
  const batch: QueuedItem[] = [];
  for (const item of queued) {
    if (batch.length > 0 && bytes + item.bytes > MAX_BATCH_BYTES) break;
    batch.push(item);
    bytes += item.bytes;
  }
  return batch;
}
