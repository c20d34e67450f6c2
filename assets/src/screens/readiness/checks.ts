/**
 * The browser checks of the readiness page, as plain async functions. Each
 * proves one thing an exam needs by doing it for real: storing and reading
 * back a record in IndexedDB, registering the exam page's own service worker
 * (which is what fails when the browser does not trust the server's
 * certificate) and letting it keep the offline copy an exam keeps (which is
 * what fails on a disk too full for the browser to grant the storage). Only
 * the service worker and its copy stay, as they would after any exam.
 * The Python check lives in the screen because it shares the page's
 * PythonRunner with the scratch area.
 */
import type { CheckId } from '../../i18n';
import { prepareOffline } from '../../exam/offline';

export interface Outcome {
  ok: boolean;
  /** A technical reason for a failure, shown under the explanation. */
  reason?: string;
  /** A failure with its own explanation, instead of the check's usual one. */
  advice?: 'untrustedCertificate' | 'noDiskSpace';
}

export type BrowserCheck = () => Outcome | Promise<Outcome>;

/** The smallest valid WebAssembly module: magic number and version 1. */
const EMPTY_WASM_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

const PROBE_DATABASE = 'examhall-readiness-probe';
const PROBE_TIMEOUT_MS = 5000;
/** The offline copy is the Python runtime and the page's assets: tens of megabytes over the LAN. */
const OFFLINE_COPY_TIMEOUT_MS = 120_000;

/** This code runs as a module, so reaching it proves that modules work. */
function modules(): Outcome {
  return { ok: 'noModule' in HTMLScriptElement.prototype };
}

async function wasm(): Promise<Outcome> {
  if (typeof WebAssembly !== 'object') return { ok: false, reason: 'WebAssembly is undefined' };
  // Compiling proves that the content security policy allows WebAssembly too.
  await WebAssembly.instantiate(EMPTY_WASM_MODULE);
  return { ok: true };
}

function isolation(): Outcome {
  if (!globalThis.crossOriginIsolated) return { ok: false, reason: 'crossOriginIsolated is false' };
  if (typeof SharedArrayBuffer !== 'function') return { ok: false, reason: 'SharedArrayBuffer is undefined' };
  return { ok: true };
}

/**
 * Stores a record in a throwaway database, reads it back in a new
 * transaction, and deletes the database; private modes and storage policies
 * often refuse one of these steps.
 */
function indexedDb(): Promise<Outcome> {
  if (typeof indexedDB === 'undefined') return Promise.resolve({ ok: false, reason: 'indexedDB is undefined' });
  const written = `probe ${String(Date.now())}`;
  return withTimeout(
    new Promise<Outcome>((resolve) => {
      const fail = (reason: string): void => { resolve({ ok: false, reason }); };
      const request = indexedDB.open(PROBE_DATABASE, 1);
      request.onupgradeneeded = () => { request.result.createObjectStore('probe'); };
      request.onerror = () => { fail(request.error?.message ?? 'open failed'); };
      request.onblocked = () => { fail('open blocked'); };
      request.onsuccess = () => {
        const db = request.result;
        const write = db.transaction('probe', 'readwrite');
        write.objectStore('probe').put(written, 'key');
        write.onerror = () => { fail(write.error?.message ?? 'write failed'); };
        write.oncomplete = () => {
          const read = db.transaction('probe').objectStore('probe').get('key');
          read.onerror = () => { fail(read.error?.message ?? 'read failed'); };
          read.onsuccess = () => {
            db.close();
            indexedDB.deleteDatabase(PROBE_DATABASE);
            resolve(read.result === written ? { ok: true } : { ok: false, reason: 'the record read back differs' });
          };
        };
      };
    }),
  );
}

/**
 * Registers the exam page's service worker and has it keep the offline copy,
 * as an exam page does: a browser that does not trust the server's
 * certificate refuses the first, a disk too full for the browser's storage
 * the second, and then an exam page cannot come back after a reload without
 * the network.
 */
async function serviceWorker(): Promise<Outcome> {
  if (!('serviceWorker' in navigator)) return { ok: false, reason: 'navigator.serviceWorker is undefined' };
  const copied = prepareOffline().then((copy): Outcome => {
    if (copy.kind === 'ready') return { ok: true };
    if (copy.kind === 'failed') return copy.noSpace ? { ok: false, reason: copy.reason, advice: 'noDiskSpace' } : { ok: false, reason: copy.reason };
    const reason = (copy.kind === 'unsupported' ? copy.reason : undefined) ?? 'service workers are unavailable on this page';
    return /certificate|SSL/i.test(reason) ? { ok: false, reason, advice: 'untrustedCertificate' } : { ok: false, reason };
  });
  return withTimeout(copied, OFFLINE_COPY_TIMEOUT_MS);
}

function secureContext(): Outcome {
  return { ok: globalThis.isSecureContext };
}

export const browserChecks: Record<Exclude<CheckId, 'python'>, BrowserCheck> = {
  modules,
  wasm,
  isolation,
  indexedDb,
  serviceWorker,
  secureContext,
};

/** Runs one check; an exception is a failure with the exception as the reason. */
export async function runCheck(check: BrowserCheck): Promise<Outcome> {
  try {
    return await check();
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function withTimeout(promise: Promise<Outcome>, ms = PROBE_TIMEOUT_MS): Promise<Outcome> {
  return Promise.race([
    promise,
    new Promise<Outcome>((resolve) => {
      setTimeout(() => { resolve({ ok: false, reason: `no answer within ${String(ms)} ms` }); }, ms);
    }),
  ]);
}
