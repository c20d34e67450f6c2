/**
 * The browser checks of the readiness page, as plain async functions. Each
 * answers whether this browser has one capability an exam needs; none keeps
 * any data. The Python check lives in the screen because it shares the
 * page's PythonRunner with the scratch area.
 */
import type { CheckId } from '../../i18n';

export interface Outcome {
  ok: boolean;
  /** A technical reason for a failure, shown under the explanation. */
  reason?: string;
}

export type BrowserCheck = () => Outcome | Promise<Outcome>;

/** The smallest valid WebAssembly module: magic number and version 1. */
const EMPTY_WASM_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

const PROBE_DATABASE = 'examhall-readiness-probe';
const PROBE_TIMEOUT_MS = 5000;

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

/** Opens and deletes a throwaway database; private modes often refuse this. */
function indexedDb(): Promise<Outcome> {
  if (typeof indexedDB === 'undefined') return Promise.resolve({ ok: false, reason: 'indexedDB is undefined' });
  return withTimeout(
    new Promise<Outcome>((resolve) => {
      const request = indexedDB.open(PROBE_DATABASE, 1);
      request.onerror = () => { resolve({ ok: false, reason: request.error?.message ?? 'open failed' }); };
      request.onblocked = () => { resolve({ ok: false, reason: 'open blocked' }); };
      request.onsuccess = () => {
        request.result.close();
        indexedDB.deleteDatabase(PROBE_DATABASE);
        resolve({ ok: true });
      };
    }),
  );
}

function serviceWorker(): Outcome {
  return 'serviceWorker' in navigator ? { ok: true } : { ok: false, reason: 'navigator.serviceWorker is undefined' };
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

function withTimeout(promise: Promise<Outcome>): Promise<Outcome> {
  return Promise.race([
    promise,
    new Promise<Outcome>((resolve) => {
      setTimeout(() => { resolve({ ok: false, reason: `no answer within ${String(PROBE_TIMEOUT_MS)} ms` }); }, PROBE_TIMEOUT_MS);
    }),
  ]);
}
