/**
 * The Python worker: loads Pyodide from the examhall server (never a CDN) and
 * runs one program at a time, streaming its output line by line. It runs in
 * a module worker so a busy program never freezes the page; the page stops a
 * program through the shared interrupt buffer, or by terminating the worker.
 */
import type { PyodideAPI, loadPyodide as LoadPyodide } from 'pyodide';
import { LineWriter } from './lines';
import type { FromWorker, RunStatus, ToWorker } from './protocol';

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

async function boot(indexURL: string, interruptBuffer: SharedArrayBuffer | null): Promise<void> {
  // Pyodide only logs a refused wasm compile and then never settles, so ask
  // first: this throws when the worker's content security policy forbids it.
  await WebAssembly.compile(EMPTY_WASM_MODULE);
  // The runtime is served by examhall next to its data files; import it from there.
  const runtime = (await import(/* @vite-ignore */ `${indexURL}pyodide.mjs`)) as {
    loadPyodide: typeof LoadPyodide;
  };
  const py = await runtime.loadPyodide({ indexURL });
  // A line cut short on one stream is sent before the other stream goes on,
  // so a prompt printed without a newline stays above the error that follows.
  py.setStdout({ write: (bytes: Uint8Array) => { stderr.flush(); return stdout.write(bytes); } });
  py.setStderr({ write: (bytes: Uint8Array) => { stdout.flush(); return stderr.write(bytes); } });
  // Nothing can be typed into the worker yet: input() meets end of file (EOFError).
  py.setStdin({ stdin: () => null });
  if (interruptBuffer !== null) py.setInterruptBuffer(new Uint8Array(interruptBuffer));
  runProgram = py.runPython(RUNNER_SOURCE) as (source: string) => string;
  const pythonVersion = py.runPython('import sys; sys.version.split()[0]') as string;
  pyodide = py;
  post({ type: 'ready', pythonVersion, pyodideVersion: py.version });
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
      boot(message.indexURL, message.interruptBuffer).catch((error: unknown) => {
        post({ type: 'boot-failed', message: error instanceof Error ? error.message : String(error) });
      });
      break;
    case 'run':
      run(message.id, message.code);
      break;
  }
};
