/**
 * Messages between the page, the Python sandbox and its worker. Python runs
 * in a worker of an opaque-origin document (see sandbox.ts): the page talks
 * to that document's host script (sandboxHost.ts) over a MessagePort, and the
 * host to the worker. Every side imports these types, so
 * a change to the protocol fails to compile on the side that lags.
 */

/** How a program ended. */
export type RunStatus = 'ok' | 'error' | 'interrupted';

/** The host's first word to the page: it runs, and waits for the port. */
export const SANDBOX_HELLO = 'examhall-python-sandbox-hello';
/** The page's answer to the hello, carrying the port every later message uses. */
export const SANDBOX_CONNECT = 'examhall-python-sandbox-connect';

/**
 * The files of the Pyodide runtime, fetched by the page's fetcher (through
 * its service worker when offline) and sent to the sandbox, which reaches no
 * network.
 */
export const RUNTIME_FILES = ['pyodide.asm.wasm', 'pyodide.mjs', 'pyodide.asm.mjs', 'python_stdlib.zip', 'pyodide-lock.json'] as const;
/** Python's memory snapshot (snapshot.ts), written by scripts/postbuild.mjs next to the runtime. */
export const SNAPSHOT_FILE = 'examhall-snapshot.bin';

/** One file from the page's fetcher (fetcher.ts): its bytes, or why it could not be fetched. */
export type FileMessage =
  | { type: 'file'; name: string; bytes: ArrayBuffer }
  | { type: 'file-failed'; name: string; message: string };

/** The page to its fetcher (fetcher.ts): these files, from there, down the port it sends along. */
export interface FetchOrder {
  indexURL: string;
  names: string[];
}

/** The page to the sandbox host, over the port. */
export type ToSandbox =
  | { type: 'boot'; indexURL: string }
  | { type: 'run'; id: number; code: string }
  /** Stop the running program (KeyboardInterrupt), when the sandbox is cross-origin isolated. */
  | { type: 'interrupt' }
  /** The answer to the program `id` waiting in input(); null is end of file. */
  | { type: 'stdin'; id: number; line: string | null };

/** The sandbox host to its worker. */
export type ToWorker =
  | {
      type: 'boot';
      /** Where the runtime files came from, ending in a slash: Pyodide asks for them by these URLs. */
      indexURL: string;
      /** One byte shared with the host; writing 2 (SIGINT) raises KeyboardInterrupt. */
      interruptBuffer: SharedArrayBuffer | null;
      /**
       * Where the host answers input(): see STDIN_* below. Null when the
       * sandbox is not cross-origin isolated; input() then meets end of file.
       */
      stdinBuffer: SharedArrayBuffer | null;
      /** Where the page's fetcher (fetcher.ts) sends the runtime files. */
      files: MessagePort;
    }
  | { type: 'run'; id: number; code: string };

/** The worker to the page, relayed by the host. */
export type FromWorker =
  | { type: 'ready'; pythonVersion: string; pyodideVersion: string; fromSnapshot: boolean; isolated: boolean }
  | { type: 'boot-failed'; message: string }
  | { type: 'stdout'; id: number; line: string }
  | { type: 'stderr'; id: number; line: string }
  | { type: 'done'; id: number; status: RunStatus; ms: number }
  /** The program waits in input(): the page answers with a `stdin` message. */
  | { type: 'stdin'; id: number }
  /**
   * From the host itself: Python has not looked at the interrupt it was
   * sent a while ago (a long call into C), so only a new sandbox stops it.
   */
  | { type: 'interrupt-unseen' };

const STATUSES: readonly string[] = ['ok', 'error', 'interrupted'] satisfies RunStatus[];

/**
 * Reads a message from the sandbox, which runs code nobody vouches for: only
 * the shapes above get through, every field checked, anything else is null.
 */
export function readFromSandbox(data: unknown): FromWorker | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  const text = (value: unknown): value is string => typeof value === 'string';
  const id = Number.isSafeInteger(m.id) ? (m.id as number) : null;
  switch (m.type) {
    case 'ready':
      if (!text(m.pythonVersion) || !text(m.pyodideVersion)) return null;
      return {
        type: 'ready',
        pythonVersion: m.pythonVersion,
        pyodideVersion: m.pyodideVersion,
        fromSnapshot: m.fromSnapshot === true,
        isolated: m.isolated === true,
      };
    case 'boot-failed':
      return text(m.message) ? { type: 'boot-failed', message: m.message } : null;
    case 'stdout':
    case 'stderr':
      return id !== null && text(m.line) ? { type: m.type, id, line: m.line } : null;
    case 'done':
      if (id === null || !text(m.status) || !STATUSES.includes(m.status) || typeof m.ms !== 'number') return null;
      return { type: 'done', id, status: m.status as RunStatus, ms: m.ms };
    case 'stdin':
      return id !== null ? { type: 'stdin', id } : null;
    case 'interrupt-unseen':
      return { type: 'interrupt-unseen' };
    default:
      return null;
  }
}

/**
 * The stdin buffer: an Int32 state, an Int32 byte length, then the UTF-8 text
 * of the answer. The worker sets WAITING and sleeps on the state (Atomics.wait);
 * the host writes the text and sets ANSWERED (or EOF) and wakes it.
 */
export const STDIN_IDLE = 0;
export const STDIN_WAITING = 1;
export const STDIN_ANSWERED = 2;
export const STDIN_EOF = 3;
/** Bytes before the text: state and length. */
export const STDIN_HEADER = 8;
/** The most text one answer carries (a longer line is cut). */
export const STDIN_CAPACITY = 64 * 1024;
/** SIGINT: Pyodide raises KeyboardInterrupt when it reads this from the interrupt buffer (and sets it back to 0). */
export const SIGINT = 2;
/**
 * How long Python may leave an interrupt unread before the host reports it
 * unseen. Python reads the buffer every few bytecodes, so only a long call
 * into C (e.g. `sum(range(10**12))`) leaves it unread this long; the
 * interrupt then costs a new sandbox. Measured from when the flag is set,
 * in the sandbox, so a busy page or a slow message never counts against it.
 */
export const INTERRUPT_UNSEEN_MS = 800;
