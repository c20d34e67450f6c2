/**
 * The page's side of the service worker (src/sw.ts): registered by the exam
 * landing page of an open exam and by the exam client, never by staff pages,
 * which have no use for the runtime it keeps. `prepareOffline()` registers
 * `/sw.js`, waits until it controls the page, and asks it to precache the app
 * shell, the hashed assets and the Python runtime. When that is done, the
 * document carries `data-offline-ready="true"`: a reload or a new window on
 * this computer then comes up without the network.
 *
 * When the copy cannot be made (most often a disk too full for the browser to
 * grant the storage), the document carries `data-offline-ready="false"` and
 * the reason in `data-offline-problem`, the exam client tells the student,
 * and the copy is tried again every minute: the files already stored are not
 * fetched again. A browser that refuses the service worker itself (a
 * certificate it does not trust) is the server's set-up, which the readiness
 * check reports to IT: no notice, no retry.
 */
import { useEffect, useState } from 'preact/hooks';

interface Precached {
  type: 'precached';
  ok: boolean;
  bytes?: number;
  error?: string;
}

export type OfflineCopy =
  | { kind: 'preparing' }
  | { kind: 'ready' }
  /**
   * No service worker here: an insecure origin, a policy, or a certificate
   * the browser does not trust (registering refuses). The server's set-up,
   * not this computer: the readiness check tells IT; trying again cannot help.
   */
  | { kind: 'unsupported'; reason?: string }
  | { kind: 'failed'; reason: string; noSpace: boolean };

/** How long after a failed copy the next try starts. */
const RETRY_MS = 60_000;

let current: OfflineCopy = { kind: 'preparing' };
const listeners = new Set<(copy: OfflineCopy) => void>();
let preparing: Promise<OfflineCopy> | null = null;
let retry: ReturnType<typeof setTimeout> | undefined;

function publish(copy: OfflineCopy): void {
  current = copy;
  const root = document.documentElement.dataset;
  if (copy.kind === 'ready') root.offlineReady = 'true';
  else if (copy.kind === 'failed') root.offlineReady = 'false';
  if (copy.kind === 'failed') root.offlineProblem = copy.reason;
  else delete root.offlineProblem;
  for (const listener of listeners) listener(copy);
}

/** Registers the service worker and fills its cache; resolves with the state of the offline copy. */
export function prepareOffline(): Promise<OfflineCopy> {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) {
    if (current.kind !== 'unsupported') publish({ kind: 'unsupported' });
    return Promise.resolve(current);
  }
  clearTimeout(retry);
  preparing ??= prepare().then((outcome) => {
    if (outcome === null) {
      publish({ kind: 'ready' });
      return current;
    }
    preparing = null;
    if (outcome.unregistered) {
      publish({ kind: 'unsupported', reason: outcome.reason });
      return current;
    }
    publish({ kind: 'failed', reason: outcome.reason, noSpace: /quota/i.test(outcome.reason) });
    // Tried again only while the exam client shows (it listens), not on every later page.
    retry = setTimeout(() => { if (listeners.size > 0) void prepareOffline(); }, RETRY_MS);
    return current;
  });
  return preparing;
}

/** The offline copy's state, kept current. */
export function useOfflineCopy(): OfflineCopy {
  const [copy, setCopy] = useState(current);
  useEffect(() => {
    listeners.add(setCopy);
    setCopy(current);
    return () => { listeners.delete(setCopy); };
  }, []);
  return copy;
}

/** Why the page does not work offline: `unregistered` when the service worker itself was refused. */
interface Failure {
  reason: string;
  unregistered: boolean;
}

const reasonOf = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Resolves with `null` once the page works offline, or with why it does not. */
async function prepare(): Promise<Failure | null> {
  const container = navigator.serviceWorker;
  try {
    await container.register('/sw.js', { scope: '/' });
  } catch (error) {
    return { reason: reasonOf(error), unregistered: true };
  }
  try {
    const registration = await container.ready;
    const worker = registration.active;
    if (worker === null) return { reason: 'the service worker is not active', unregistered: false };
    const controlled = container.controller !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
        // The worker claims open pages when it activates, and again when asked to precache.
        container.addEventListener('controllerchange', () => { resolve(); }, { once: true });
        if (container.controller !== null) resolve();
      });
    const answer = await new Promise<Precached>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = (event: MessageEvent<Precached>) => { resolve(event.data); };
      worker.postMessage({ type: 'precache' }, [channel.port2]);
    });
    if (!answer.ok) return { reason: answer.error ?? 'the service worker could not store the files', unregistered: false };
    await controlled;
    return null;
  } catch (error) {
    return { reason: reasonOf(error), unregistered: false };
  }
}
