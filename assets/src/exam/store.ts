/**
 * What the exam client keeps in IndexedDB. Everything belongs to one attempt
 * of one user (the key `user|attempt`): on a shared exam-hall PC, a page
 * never reads another student's work, and one student's unsent work waits,
 * untouched, until that student signs in here again (docs/autosave.md).
 *
 * - `attempts`: the binding (secret, where its sequence started), the queue's
 *   tail (last sequence number and chain), and how long to keep the data;
 * - `queue`: items the server has not dealt with yet, as their exact JSON text;
 * - `views`: the attempt as the server last sent it, for a page loaded offline;
 * - `latest`: the latest code of every question typed here;
 * - `occupant`: who signed in on this browser last, so a page loaded without
 *   the network knows whose attempt to show (the server checks every request).
 */
import type { AttemptView, Binding } from '../api/attempts';

const DB_NAME = 'examhall-attempts';
const DB_VERSION = 1;
/** The store of an earlier version, keyed by exam only; removed once it holds nothing unsent. */
const OLD_DB_NAME = 'examhall-exam';

/** The attempt as last seen from the server, for a page loaded offline. */
export interface StoredView {
  view: AttemptView;
  /** Server time minus this computer's time, in milliseconds. */
  clockOffset: number;
}

/** The queue's last item: its sequence number and the chain after it. */
export interface Tail {
  seq: number;
  chain: string;
}

/** One attempt of one user on this browser. */
export interface AttemptRecord {
  key: string;
  userId: string;
  examId: string;
  attemptId: string;
  secret: string;
  tail: Tail;
  /** Milliseconds since the epoch after which everything of it is removed. */
  keepUntil: number;
}

/** A queued item: its exact JSON text and what the page needs to read it. */
export interface QueuedItem {
  key: string;
  seq: number;
  raw: string;
  bytes: number;
  kind: string;
  question_id: string | null;
}

interface LatestCode {
  key: string;
  question_id: string;
  code: string;
}

export const attemptKey = (userId: string, attemptId: string): string => `${userId}|${attemptId}`;

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const attempts = db.createObjectStore('attempts', { keyPath: 'key' });
      attempts.createIndex('byExam', ['userId', 'examId']);
      attempts.createIndex('byUser', 'userId');
      db.createObjectStore('queue', { keyPath: ['key', 'seq'] });
      db.createObjectStore('views');
      db.createObjectStore('latest', { keyPath: ['key', 'question_id'] });
      db.createObjectStore('occupant');
    };
    // Another tab with an older version open: let it go, it reopens on its next call.
    request.onsuccess = () => {
      request.result.onversionchange = () => { request.result.close(); opening = null; };
      resolve(request.result);
    };
    request.onerror = () => { opening = null; reject(request.error ?? new Error('IndexedDB failed')); };
  });
  return opening;
}

function done(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => { resolve(); };
    transaction.onerror = () => { reject(transaction.error ?? new Error('IndexedDB failed')); };
    transaction.onabort = () => { reject(transaction.error ?? new Error('IndexedDB aborted')); };
  });
}

function result<T>(request: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => { resolve(request.result as T); };
    request.onerror = () => { reject(request.error ?? new Error('IndexedDB failed')); };
  });
}

const queueRange = (key: string, after: number): IDBKeyRange => IDBKeyRange.bound([key, after + 1], [key, Number.MAX_SAFE_INTEGER]);
const latestRange = (key: string): IDBKeyRange => IDBKeyRange.bound([key, ''], [key, '\uffff']);

/** The user's record of the attempt at `examId` on this browser, if any. */
export async function findAttempt(userId: string, examId: string): Promise<AttemptRecord | undefined> {
  const db = await open();
  const index = db.transaction('attempts').objectStore('attempts').index('byExam');
  return result<AttemptRecord | undefined>(index.get([userId, examId]));
}

/** Items of the attempt above `after`, oldest first, at most `limit`. */
export async function pending(key: string, after: number, limit = 500): Promise<QueuedItem[]> {
  const db = await open();
  return result<QueuedItem[]>(db.transaction('queue').objectStore('queue').getAll(queueRange(key, after), limit));
}

/** How many items wait above `after`. */
export async function countPending(key: string, after: number): Promise<number> {
  const db = await open();
  return result<number>(db.transaction('queue').objectStore('queue').count(queueRange(key, after)));
}

/**
 * Stores `item` as the attempt's next item and moves its tail, in one
 * transaction; for an edit or snapshot, keeps the question's code after it
 * (`code`) as the question's latest, once, not in the item as well.
 */
export async function enqueue(item: QueuedItem, tail: Tail, code?: string): Promise<void> {
  const db = await open();
  const tx = db.transaction(['attempts', 'queue', 'latest'], 'readwrite');
  const attempts = tx.objectStore('attempts');
  const record = await result<AttemptRecord | undefined>(attempts.get(item.key));
  if (record === undefined) {
    tx.abort();
    throw new Error('this attempt is no longer kept on this computer');
  }
  attempts.put({ ...record, tail });
  tx.objectStore('queue').put(item);
  if (item.question_id !== null && code !== undefined) {
    const latest: LatestCode = { key: item.key, question_id: item.question_id, code };
    tx.objectStore('latest').put(latest);
  }
  await done(tx);
}

/** Forgets the items the server has dealt with. */
export async function dropProcessed(key: string, processed: number): Promise<void> {
  const db = await open();
  const tx = db.transaction('queue', 'readwrite');
  tx.objectStore('queue').delete(IDBKeyRange.bound([key, 0], [key, processed]));
  await done(tx);
}

/**
 * Binds this browser to an attempt with a binding the server just issued.
 * Items left here by an earlier binding of the same attempt (it moved away
 * and back) are returned for the caller to re-queue as evidence; nothing of
 * another user's is touched.
 */
export async function bind(
  userId: string,
  examId: string,
  attemptId: string,
  binding: Binding,
  keepUntil: number,
): Promise<{ record: AttemptRecord; leftovers: QueuedItem[] }> {
  const key = attemptKey(userId, attemptId);
  const db = await open();
  const tx = db.transaction(['attempts', 'queue', 'views', 'latest'], 'readwrite');
  const queue = tx.objectStore('queue');
  const leftovers = await result<QueuedItem[]>(queue.getAll(queueRange(key, 0)));
  queue.delete(queueRange(key, 0));
  tx.objectStore('views').delete(key);
  tx.objectStore('latest').delete(latestRange(key));
  const record: AttemptRecord = {
    key,
    userId,
    examId,
    attemptId,
    secret: binding.secret,
    tail: { seq: binding.next_seq - 1, chain: binding.chain },
    keepUntil,
  };
  tx.objectStore('attempts').put(record);
  await done(tx);
  return { record, leftovers };
}

/** Keeps the attempt as the server last sent it (without any binding secret). */
export async function saveView(key: string, stored: StoredView): Promise<void> {
  const db = await open();
  const tx = db.transaction('views', 'readwrite');
  const view = { ...stored.view };
  delete view.binding;
  tx.objectStore('views').put({ ...stored, view }, key);
  await done(tx);
}

export async function loadView(key: string): Promise<StoredView | undefined> {
  const db = await open();
  return result<StoredView | undefined>(db.transaction('views').objectStore('views').get(key));
}

/** The latest code typed here for each question of the attempt. */
export async function latestCodes(key: string): Promise<Map<string, string>> {
  const db = await open();
  const rows = await result<LatestCode[]>(db.transaction('latest').objectStore('latest').getAll(latestRange(key)));
  return new Map(rows.map((row) => [row.question_id, row.code]));
}

/** Removes everything of one attempt from this browser (after the server has it all). */
export async function forgetAttempt(key: string): Promise<void> {
  const db = await open();
  const tx = db.transaction(['attempts', 'queue', 'views', 'latest'], 'readwrite');
  tx.objectStore('attempts').delete(key);
  tx.objectStore('queue').delete(queueRange(key, 0));
  tx.objectStore('views').delete(key);
  tx.objectStore('latest').delete(latestRange(key));
  await done(tx);
}

/** Who signed in on this browser last (for a page loaded offline). */
export async function occupant(): Promise<string | undefined> {
  const db = await open();
  return result<string | undefined>(db.transaction('occupant').objectStore('occupant').get('current'));
}

export async function setOccupant(userId: string | undefined): Promise<void> {
  const db = await open();
  const tx = db.transaction('occupant', 'readwrite');
  if (userId === undefined) tx.objectStore('occupant').delete('current');
  else tx.objectStore('occupant').put(userId, 'current');
  await done(tx);
}

/**
 * At sign-out: removes the user's attempts whose queue is empty (the server
 * holds everything); attempts with unsent work stay for their student.
 */
export async function forgetSettled(userId: string): Promise<void> {
  const db = await open();
  const records = await result<AttemptRecord[]>(db.transaction('attempts').objectStore('attempts').index('byUser').getAll(userId));
  for (const record of records) {
    if ((await countPending(record.key, 0)) === 0) await forgetAttempt(record.key);
  }
}

/** Removes attempts kept past their time (the exam's late window plus seven days), and the old store when empty. */
export async function purgeExpired(now: number = Date.now()): Promise<void> {
  const db = await open();
  const records = await result<AttemptRecord[]>(db.transaction('attempts').objectStore('attempts').getAll());
  for (const record of records) {
    if (record.keepUntil < now) await forgetAttempt(record.key);
  }
  await removeOldStore();
}

/** The store of the version before, keyed by exam only: removed once nothing in it waits to be sent. */
async function removeOldStore(): Promise<void> {
  const names = 'databases' in indexedDB ? await indexedDB.databases() : [];
  if (!names.some((info) => info.name === OLD_DB_NAME)) return;
  const old = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(OLD_DB_NAME);
    request.onsuccess = () => { resolve(request.result); };
    request.onerror = () => { reject(request.error ?? new Error('IndexedDB failed')); };
  });
  const waiting = old.objectStoreNames.contains('queue')
    ? await result<number>(old.transaction('queue').objectStore('queue').count())
    : 0;
  old.close();
  if (waiting === 0) indexedDB.deleteDatabase(OLD_DB_NAME);
}
