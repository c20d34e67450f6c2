/**
 * PythonRunner: the page's handle on Python, which runs in a worker of an
 * opaque-origin sandbox (sandbox.ts). It starts the sandbox once, runs one
 * program at a time and hands its output to callbacks line by line. `stop()`
 * interrupts a program through the sandbox's shared memory when it is
 * cross-origin isolated; otherwise, or when a program ignores the interrupt,
 * it ends the sandbox and starts a fresh one.
 */
import type { FromWorker, RunStatus } from './protocol';
import { PythonSandbox } from './sandbox';

export type { RunStatus } from './protocol';

/** Where examhall serves the Pyodide runtime (see scripts/postbuild.mjs). */
export const pyodideIndexURL = `/pyodide/${__PYODIDE_VERSION__}/`;

export interface BootInfo {
  pythonVersion: string;
  pyodideVersion: string;
  /** Milliseconds from starting the sandbox until Python was ready. */
  bootMs: number;
  /** Whether Python started from its memory snapshot (python/snapshot.ts) rather than plainly. */
  fromSnapshot: boolean;
}

export interface RunCallbacks {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /**
   * The program waits in input(): resolve with the line typed (without its
   * newline), or null for end of file. Without this, input() meets end of file.
   */
  stdin?: () => Promise<string | null>;
}

export interface RunResult {
  status: RunStatus;
  /** Milliseconds the program ran inside the sandbox. */
  ms: number;
}

/** Python could not start in this browser; `message` says why. */
export class PythonBootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PythonBootError';
  }
}

/**
 * How long a program that saw the interrupt may take to end before the
 * sandbox is replaced: one that catches KeyboardInterrupt and goes on. A
 * program stuck in a long call into C, which never sees it, is reported by
 * the sandbox after INTERRUPT_UNSEEN_MS (protocol.ts) and replaced then.
 * Either way Stop ends every program; a program that stops as asked keeps
 * its interpreter (what it imported and defined) for the next run.
 */
const STOP_GIVE_UP_MS = 5_000;
/**
 * How long Python may take to start. A few seconds is usual; a slow exam-hall
 * PC on a busy network takes longer. A file that never arrives, or a sandbox
 * that never answers, would leave Pyodide waiting: this is what ends the wait.
 */
const BOOT_TIMEOUT_MS = 90_000;

interface PendingRun {
  id: number;
  callbacks: RunCallbacks;
  resolve: (result: RunResult) => void;
}

/** A run asked for but not yet handed to the sandbox (Python starting, or another run first). */
interface WaitingRun {
  resolve: (result: RunResult) => void;
}

const STOPPED_BEFORE_START: RunResult = { status: 'interrupted', ms: 0 };

export class PythonRunner {
  readonly #indexURL: string;
  #sandbox: PythonSandbox | null = null;
  #booting: Promise<BootInfo> | null = null;
  /** Rejects the boot in progress, if any. */
  #abortBoot: ((message: string) => void) | null = null;
  /** Whether the sandbox is cross-origin isolated (Stop interrupts, input() is answered); null until it is ready. */
  #isolated: boolean | null = null;
  #pending: PendingRun | null = null;
  /** Stop must also reach these: a student may press it while Python is still starting. */
  readonly #waiting = new Set<WaitingRun>();
  /** Runs wait here for the one before them. */
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #stopTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(indexURL: string = pyodideIndexURL) {
    this.#indexURL = indexURL;
  }

  /**
   * True when input() can be answered: the sandbox is cross-origin isolated,
   * as it is when the page is (before Python is ready, the page's answer).
   */
  get canInput(): boolean {
    return this.#isolated ?? globalThis.crossOriginIsolated;
  }

  /** True when stop() can interrupt a program without restarting Python. */
  get canInterrupt(): boolean {
    return this.#isolated ?? globalThis.crossOriginIsolated;
  }

  /** Starts Python once; later calls return the same promise. */
  boot(): Promise<BootInfo> {
    this.#booting ??= this.#start();
    return this.#booting;
  }

  /**
   * Runs a program once Python is ready, after any program given before it.
   * Rejects with PythonBootError when Python cannot start.
   */
  run(code: string, callbacks: RunCallbacks = {}): Promise<RunResult> {
    return new Promise<RunResult>((resolve, reject) => {
      const waiting: WaitingRun = { resolve };
      this.#waiting.add(waiting);
      this.#queue = this.#queue
        .then(() => this.#takeTurn(code, callbacks, waiting))
        .then(resolve, reject)
        .finally(() => { this.#waiting.delete(waiting); });
    });
  }

  /**
   * Stops the running program, if any, and every run still waiting to start:
   * those end at once as stopped and never run, even when Python is still starting.
   */
  stop(): void {
    this.#stopWaiting();
    if (this.#pending === null) return;
    if (this.#isolated === true) {
      this.#sandbox?.post({ type: 'interrupt' });
      clearTimeout(this.#stopTimer);
      this.#stopTimer = setTimeout(() => { this.#restart(); }, STOP_GIVE_UP_MS);
    } else {
      this.#restart();
    }
  }

  /** Ends the sandbox, e.g. when the page goes away; a later boot() starts a new one. */
  dispose(): void {
    this.#abortBoot?.('Python was stopped');
    this.#stopWaiting();
    this.#finish({ status: 'interrupted', ms: 0 });
    this.#sandbox?.terminate();
    this.#sandbox = null;
    this.#isolated = null;
    this.#booting = null;
  }

  #stopWaiting(): void {
    for (const waiting of this.#waiting) waiting.resolve(STOPPED_BEFORE_START);
    this.#waiting.clear();
  }

  /** A run's turn has come: it starts once Python is ready, unless stopped meanwhile. */
  async #takeTurn(code: string, callbacks: RunCallbacks, waiting: WaitingRun): Promise<RunResult> {
    if (!this.#waiting.has(waiting)) return STOPPED_BEFORE_START;
    await this.boot();
    if (!this.#waiting.delete(waiting)) return STOPPED_BEFORE_START;
    return this.#runNow(code, callbacks);
  }

  #runNow(code: string, callbacks: RunCallbacks): Promise<RunResult> {
    const sandbox = this.#sandbox;
    if (sandbox === null) throw new PythonBootError('Python stopped');
    const id = this.#nextId++;
    return new Promise<RunResult>((resolve) => {
      this.#pending = { id, callbacks, resolve };
      sandbox.post({ type: 'run', id, code });
    });
  }

  #start(): Promise<BootInfo> {
    const started = performance.now();
    return new Promise<BootInfo>((resolve, reject) => {
      const settled = (): void => {
        clearTimeout(timer);
        this.#abortBoot = null;
      };
      const fail = (message: string): void => {
        settled();
        reject(new PythonBootError(message));
      };
      const sandbox = new PythonSandbox(new URL(this.#indexURL, location.href).href, {
        failed: (reason) => {
          this.#forget(sandbox);
          fail(reason);
        },
        message: (message) => {
          // A sandbox already replaced may still have had something to say.
          if (this.#sandbox !== sandbox) return;
          switch (message.type) {
            case 'ready':
              settled();
              this.#isolated = message.isolated;
              resolve({
                pythonVersion: message.pythonVersion,
                pyodideVersion: message.pyodideVersion,
                bootMs: performance.now() - started,
                fromSnapshot: message.fromSnapshot,
              });
              break;
            case 'boot-failed':
              this.#forget(sandbox);
              fail(message.message);
              break;
            case 'interrupt-unseen':
              if (this.#pending !== null) this.#restart();
              break;
            default:
              this.#onRunMessage(message);
          }
        },
      });
      this.#sandbox = sandbox;
      const timer = setTimeout(() => {
        this.#forget(sandbox);
        fail(`Python did not start within ${String(BOOT_TIMEOUT_MS / 1000)} s`);
      }, BOOT_TIMEOUT_MS);
      this.#abortBoot = fail;
    });
  }

  /** Drops a sandbox that failed, ending its run; the next boot() starts afresh. */
  #forget(sandbox: PythonSandbox): void {
    sandbox.terminate();
    if (this.#sandbox !== sandbox) return;
    this.#sandbox = null;
    this.#isolated = null;
    this.#booting = null;
    this.#finish({ status: 'error', ms: 0 });
  }

  #onRunMessage(message: Extract<FromWorker, { id: number }>): void {
    const pending = this.#pending;
    if (pending?.id !== message.id) return;
    switch (message.type) {
      case 'stdout':
        pending.callbacks.stdout?.(message.line);
        break;
      case 'stderr':
        pending.callbacks.stderr?.(message.line);
        break;
      case 'done':
        this.#finish({ status: message.status, ms: message.ms });
        break;
      case 'stdin':
        this.#answerInput(pending);
        break;
    }
  }

  /** Asks the page for a line and hands it to the program waiting in input(). */
  #answerInput(pending: PendingRun): void {
    const sandbox = this.#sandbox;
    if (sandbox === null || this.#isolated !== true) return;
    const ask = pending.callbacks.stdin ?? (() => Promise.resolve(null));
    const answer = (line: string | null): void => {
      // The run ended (Stop, or a new sandbox) while the line was being typed.
      if (this.#pending !== pending || this.#sandbox !== sandbox) return;
      sandbox.post({ type: 'stdin', id: pending.id, line });
    };
    ask().then(answer, () => { answer(null); });
  }

  #finish(result: RunResult): void {
    clearTimeout(this.#stopTimer);
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve(result);
  }

  /** Replaces a sandbox whose program will not stop, and boots the new one at once. */
  #restart(): void {
    this.dispose();
    this.boot().catch(() => {
      // A failed restart surfaces on the next boot() or run().
    });
  }
}
