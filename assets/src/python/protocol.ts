/**
 * Messages between the page and the Python worker. Both sides import these
 * types, so a change to the protocol fails to compile on the side that lags.
 */

/** How a program ended. */
export type RunStatus = 'ok' | 'error' | 'interrupted';

export type ToWorker =
  | {
      type: 'boot';
      /** Where the Pyodide runtime files are served, ending in a slash. */
      indexURL: string;
      /** One byte shared with the page; writing 2 (SIGINT) raises KeyboardInterrupt. */
      interruptBuffer: SharedArrayBuffer | null;
      /**
       * Where the page answers input(): see STDIN_* below. Null when the page
       * is not cross-origin isolated; input() then meets end of file.
       */
      stdinBuffer: SharedArrayBuffer | null;
    }
  | { type: 'run'; id: number; code: string };

export type FromWorker =
  | { type: 'ready'; pythonVersion: string; pyodideVersion: string; fromSnapshot: boolean }
  | { type: 'boot-failed'; message: string }
  | { type: 'stdout'; id: number; line: string }
  | { type: 'stderr'; id: number; line: string }
  | { type: 'done'; id: number; status: RunStatus; ms: number }
  /** The program waits in input(): the page answers through the stdin buffer. */
  | { type: 'stdin'; id: number };

/**
 * The stdin buffer: an Int32 state, an Int32 byte length, then the UTF-8 text
 * of the answer. The worker sets WAITING and sleeps on the state (Atomics.wait);
 * the page writes the text and sets ANSWERED (or EOF) and wakes it.
 */
export const STDIN_IDLE = 0;
export const STDIN_WAITING = 1;
export const STDIN_ANSWERED = 2;
export const STDIN_EOF = 3;
/** Bytes before the text: state and length. */
export const STDIN_HEADER = 8;
/** The most text one answer carries (a longer line is cut). */
export const STDIN_CAPACITY = 64 * 1024;
