/**
 * What the exam client keeps in IndexedDB, per exam: the attempt's secret (so
 * a reload on the same computer resumes), the next sequence number, and the
 * queue of edits and integrity events the server has not acknowledged yet.
 * The queue survives a reload, a crash and a lost network: nothing typed is lost.
 * For a page loaded without the network (through the service worker), it also
 * keeps the last AttemptView the server sent with the clock offset then
 * measured (`views`), and the latest code of every question (`latest`, written
 * with each edit, so it holds edits the server has acknowledged and dropped
 * from the queue too).
 */
import type { AttemptView, SaveItem } from '../api/attempts';

const DB_NAME = 'examhall-exam';
const DB_VERSION = 2;

/** The attempt as last seen from the server, for a page loaded offline. */
export interface StoredView {
  view: AttemptView;
  /** Server time minus this computer's time, in milliseconds. */
  clockOffset: number;
}

interface LatestCode {
  exam_id: string;
  question_id: string;
  code: string;
}

interface QueuedItem extends SaveItem {
  exam_id: string;
}

let opening: Promise<IDBDatabase> | null = null;

function open(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const has = (name: string): boolean => db.objectStoreNames.contains(name);
      if (!has('secrets')) db.createObjectStore('secrets');
      if (!has('seq')) db.createObjectStore('seq');
      if (!has('queue')) db.createObjectStore('queue', { keyPath: ['exam_id', 'seq'] });
      if (!has('views')) db.createObjectStore('views');
      if (!has('latest')) db.createObjectStore('latest', { keyPath: ['exam_id', 'question_id'] });
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

export async function loadSecret(examId: string): Promise<string | undefined> {
  const db = await open();
  return result<string | undefined>(db.transaction('secrets').objectStore('secrets').get(examId));
}

export async function saveSecret(examId: string, secret: string): Promise<void> {
  const db = await open();
  const tx = db.transaction('secrets', 'readwrite');
  tx.objectStore('secrets').put(secret, examId);
  await done(tx);
}

/** Stores `item` (without its seq) under the next sequence number of the exam, and returns it complete. */
export async function enqueue(examId: string, item: Omit<SaveItem, 'seq'>, floor: number): Promise<SaveItem> {
  const db = await open();
  const tx = db.transaction(['seq', 'queue', 'latest'], 'readwrite');
  const seqStore = tx.objectStore('seq');
  const last = (await result<number | undefined>(seqStore.get(examId))) ?? 0;
  const seq = Math.max(last, floor) + 1;
  seqStore.put(seq, examId);
  const queued: QueuedItem = { ...item, seq, exam_id: examId };
  tx.objectStore('queue').put(queued);
  if (item.kind === 'edit' && item.question_id !== null && item.code !== undefined) {
    const latest: LatestCode = { exam_id: examId, question_id: item.question_id, code: item.code };
    tx.objectStore('latest').put(latest);
  }
  await done(tx);
  return { ...item, seq };
}

const range = (examId: string, after: number): IDBKeyRange =>
  IDBKeyRange.bound([examId, after + 1], [examId, Number.MAX_SAFE_INTEGER]);

/** The queued items of an exam with a sequence number above `after`, oldest first, at most `limit`. */
export async function pending(examId: string, after: number, limit = 500): Promise<SaveItem[]> {
  const db = await open();
  const items = await result<QueuedItem[]>(db.transaction('queue').objectStore('queue').getAll(range(examId, after), limit));
  return items.map(({ seq, kind, question_id, client_at, code, data }) => ({
    seq,
    kind,
    question_id,
    client_at,
    ...(code === undefined ? {} : { code }),
    ...(data === undefined ? {} : { data }),
  }));
}

/** Forgets the items the server has acknowledged. */
export async function dropAcked(examId: string, acked: number): Promise<void> {
  const db = await open();
  const tx = db.transaction('queue', 'readwrite');
  tx.objectStore('queue').delete(IDBKeyRange.bound([examId, 0], [examId, acked]));
  await done(tx);
}

/** How many items wait above `after`. */
export async function countPending(examId: string, after: number): Promise<number> {
  const db = await open();
  return result<number>(db.transaction('queue').objectStore('queue').count(range(examId, after)));
}

/** Keeps the attempt as the server last sent it (without its secret, which has its own store). */
export async function saveView(examId: string, stored: StoredView): Promise<void> {
  const db = await open();
  const tx = db.transaction('views', 'readwrite');
  const view = { ...stored.view };
  delete view.secret;
  tx.objectStore('views').put({ ...stored, view }, examId);
  await done(tx);
}

export async function loadView(examId: string): Promise<StoredView | undefined> {
  const db = await open();
  return result<StoredView | undefined>(db.transaction('views').objectStore('views').get(examId));
}

/** The latest code typed here for each question of the exam. */
export async function latestCodes(examId: string): Promise<Map<string, string>> {
  const db = await open();
  const range = IDBKeyRange.bound([examId, ''], [examId, '\uffff']);
  const rows = await result<LatestCode[]>(db.transaction('latest').objectStore('latest').getAll(range));
  return new Map(rows.map((row) => [row.question_id, row.code]));
}

/** After the submission: the attempt's questions and code need not stay on this computer. */
export async function forgetOfflineCopy(examId: string): Promise<void> {
  const db = await open();
  const tx = db.transaction(['views', 'latest'], 'readwrite');
  tx.objectStore('views').delete(examId);
  tx.objectStore('latest').delete(IDBKeyRange.bound([examId, ''], [examId, '\uffff']));
  await done(tx);
}
