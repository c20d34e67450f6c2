/**
 * The Python worker: starts Pyodide from the runtime files the page's fetcher
 * sends (runtimeFiles.ts; examhall's own, never a CDN) and runs one program
 * at a time, streaming its output line by line. It is a worker of the
 * sandbox document (sandboxHost.ts), in its opaque origin and under its
 * policy, so a program reaches no cookie, storage or network of examhall; a
 * busy program never freezes the page. The host stops a program through the
 * shared interrupt buffer; the page can also end the whole sandbox.
 */
import type { PyodideAPI, loadPyodide as LoadPyodide } from 'pyodide';
import { LineWriter } from './lines';
import { RuntimeFiles } from './runtimeFiles';
import { loadPython } from './snapshot';
import {
  RUNTIME_FILES,
  SNAPSHOT_FILE,
  STDIN_ANSWERED,
  STDIN_EOF,
  STDIN_HEADER,
  STDIN_IDLE,
  STDIN_WAITING,
  type FileMessage,
  type FromWorker,
  type RunStatus,
  type ToWorker,
} from './protocol';

declare const self: DedicatedWorkerGlobalScope;

/**
 * Runs a student's program as `main.py` in a fresh namespace and reports how
 * it ended. The source goes into linecache so tracebacks quote the line, and
 * the helper's own frame is left out of them.
 */
const RUNNER_SOURCE = `
import linecache, sys, traceback

def _examhall_run(source):
    filename = "main.py"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"__name__": "__main__", "__file__": filename}
    status = "ok"
    try:
        exec(compile(source, filename, "exec"), namespace)
    except KeyboardInterrupt:
        status = "interrupted"
    except SystemExit as exit:
        if exit.code not in (None, 0):
            status = "error"
            if not isinstance(exit.code, int):
                print(exit.code, file=sys.stderr)
    except BaseException as error:
        status = "error"
        traceback.print_exception(type(error), error, error.__traceback__.tb_next)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return status

_examhall_run
`;

let pyodide: PyodideAPI | undefined;
let runProgram: ((source: string) => string) | undefined;
/** The id of the program now running; output is tagged with it. */
let currentRun = 0;
const stdout = new LineWriter((line) => { post({ type: 'stdout', id: currentRun, line }); });
const stderr = new LineWriter((line) => { post({ type: 'stderr', id: currentRun, line }); });

function post(message: FromWorker): void {
  self.postMessage(message);
}

/** The smallest valid WebAssembly module: magic number and version 1. */
const EMPTY_WASM_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** How often a program waiting in input() looks for Stop. */
const STDIN_POLL_MS = 100;

/**
 * Answers input() from the page: asks for a line, then sleeps until the
 * sandbox host writes it into the shared buffer, waking now and then to honour Stop.
 * Null is end of file (EOFError).
 */
function readLine(py: PyodideAPI, buffer: SharedArrayBuffer): string | null {
  stdout.flush();
  stderr.flush();
  const control = new Int32Array(buffer, 0, 2);
  Atomics.store(control, 0, STDIN_WAITING);
  post({ type: 'stdin', id: currentRun });
  while (Atomics.load(control, 0) === STDIN_WAITING) {
    Atomics.wait(control, 0, STDIN_WAITING, STDIN_POLL_MS);
    try {
      py.checkInterrupt();
    } catch (interrupt) {
      Atomics.store(control, 0, STDIN_IDLE);
      throw interrupt;
    }
  }
  const state = Atomics.load(control, 0);
  const length = Atomics.load(control, 1);
  Atomics.store(control, 0, STDIN_IDLE);
  if (state === STDIN_EOF) return null;
  if (state !== STDIN_ANSWERED) return null;
  // TextDecoder does not read shared memory: copy the bytes out first.
  return new TextDecoder().decode(new Uint8Array(buffer, STDIN_HEADER, length).slice());
}

/** Pyodide's module factory, as pyodide.asm.mjs exports it. */
type CreatePyodideModule = NonNullable<NonNullable<Parameters<typeof LoadPyodide>[0]>['createPyodideModule']>;

async function boot(
  indexURL: string,
  interruptBuffer: SharedArrayBuffer | null,
  stdinBuffer: SharedArrayBuffer | null,
  filePort: MessagePort,
): Promise<void> {
  const runtime = new RuntimeFiles(indexURL, [...RUNTIME_FILES, SNAPSHOT_FILE]);
  filePort.onmessage = (event: MessageEvent<FileMessage>) => { runtime.receive(event.data); };
  // Pyodide only logs a refused wasm compile and then never settles, so ask
  // first: this throws when the sandbox's content security policy forbids it.
  await WebAssembly.compile(EMPTY_WASM_MODULE);
  // Compile the wasm as soon as it is here, while the snapshot still arrives.
  runtime.module().catch(() => undefined);
  const start = async (): Promise<{ py: PyodideAPI; fromSnapshot: boolean }> => {
    const { loadPyodide } = await runtime.importModule<{ loadPyodide: typeof LoadPyodide }>('pyodide.mjs');
    const factory = await runtime.importModule<{ default: CreatePyodideModule }>('pyodide.asm.mjs');
    return loadPython(loadPyodide, { indexURL, createPyodideModule: factory.default }, runtime.bytes(SNAPSHOT_FILE));
  };
  const starting = runtime.whileStarting(start);
  // A required file the page could not fetch ends the start at once: Pyodide would wait for it forever.
  const required = Promise.all(RUNTIME_FILES.map((name) => runtime.bytes(name)));
  const { py, fromSnapshot } = await Promise.race([starting, required.then(() => starting)]);
  runtime.clear();
  filePort.close();
  // A line cut short on one stream is sent before the other stream goes on,
  // so a prompt printed without a newline stays above the error that follows.
  py.setStdout({ write: (bytes: Uint8Array) => { stderr.flush(); return stdout.write(bytes); } });
  py.setStderr({ write: (bytes: Uint8Array) => { stdout.flush(); return stderr.write(bytes); } });
  // input() asks the page when the host can answer through shared memory;
  // otherwise it meets end of file (EOFError).
  py.setStdin({ stdin: () => (stdinBuffer === null ? null : readLine(py, stdinBuffer)) });
  if (interruptBuffer !== null) py.setInterruptBuffer(new Uint8Array(interruptBuffer));
  runProgram = py.runPython(RUNNER_SOURCE) as (source: string) => string;
  const pythonVersion = py.runPython('import sys; sys.version.split()[0]') as string;
  pyodide = py;
  post({ type: 'ready', pythonVersion, pyodideVersion: py.version, fromSnapshot, isolated: interruptBuffer !== null });
}

function run(id: number, code: string): void {
  const started = performance.now();
  let status: RunStatus = 'error';
  currentRun = id;
  try {
    if (pyodide === undefined || runProgram === undefined) throw new Error('Python is not ready');
    status = runProgram(code) as RunStatus;
  } catch (error) {
    post({ type: 'stderr', id, line: String(error) });
  }
  stdout.flush();
  stderr.flush();
  post({ type: 'done', id, status, ms: performance.now() - started });
}

// Pyodide starts fetching its files without awaiting them all: a download
// that fails (network, policy) surfaces only as an unhandled rejection.
self.addEventListener('unhandledrejection', (event) => {
  if (pyodide !== undefined) return;
  const reason: unknown = event.reason;
  post({ type: 'boot-failed', message: reason instanceof Error ? reason.message : String(reason) });
});

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'boot':
      boot(message.indexURL, message.interruptBuffer, message.stdinBuffer, message.files).catch((error: unknown) => {
        post({ type: 'boot-failed', message: error instanceof Error ? error.message : String(error) });
      });
      break;
    case 'run':
      run(message.id, message.code);
      break;
  }
};
