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
    }
  | { type: 'run'; id: number; code: string };

export type FromWorker =
  | { type: 'ready'; pythonVersion: string; pyodideVersion: string }
  | { type: 'boot-failed'; message: string }
  | { type: 'stdout'; id: number; line: string }
  | { type: 'stderr'; id: number; line: string }
  | { type: 'done'; id: number; status: RunStatus; ms: number };
