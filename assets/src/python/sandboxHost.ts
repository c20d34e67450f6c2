/**
 * The host script of the Python sandbox: the one script of
 * `/assets/python-sandbox-<hash>.html`, inlined there by scripts/sandbox.mjs with
 * the worker's code, and allowed by the hash in that document's policy. The
 * server sends the document with `sandbox allow-scripts`, so it runs in an
 * opaque origin: no cookie, no storage and no API of examhall, and
 * `connect-src 'none'`, so no network at all. The page hands it two ports:
 * one for messages, one on which the page's fetcher sends the runtime files,
 * which goes on to the worker. The host starts the Python worker from the
 * inlined code, keeps the shared buffers for Stop and input() (shared memory
 * never crosses origins, so they live here, beside the worker), and relays
 * messages.
 */
import {
  type FromWorker,
  INTERRUPT_UNSEEN_MS,
  SANDBOX_CONNECT,
  SANDBOX_HELLO,
  SIGINT,
  STDIN_ANSWERED,
  STDIN_CAPACITY,
  STDIN_EOF,
  STDIN_HEADER,
  STDIN_WAITING,
  type ToSandbox,
  type ToWorker,
} from './protocol';

/** The Python worker's code (worker.ts, bundled as a classic script), put in by scripts/sandbox.mjs. */
declare const __PYTHON_WORKER_SOURCE__: string;

/** Writes `line` (or end of file) into the buffer the worker sleeps on in input(), if it does. */
function answerInput(buffer: SharedArrayBuffer, line: string | null): void {
  const control = new Int32Array(buffer, 0, 2);
  // A late answer (the program was stopped meanwhile) must not feed a later input().
  if (Atomics.load(control, 0) !== STDIN_WAITING) return;
  if (line === null) {
    Atomics.store(control, 1, 0);
    Atomics.store(control, 0, STDIN_EOF);
  } else {
    const encoded = new TextEncoder().encode(`${line}\n`).subarray(0, STDIN_CAPACITY);
    new Uint8Array(buffer, STDIN_HEADER, encoded.length).set(encoded);
    Atomics.store(control, 1, encoded.length);
    Atomics.store(control, 0, STDIN_ANSWERED);
  }
  Atomics.notify(control, 0);
}

/** Starts the worker, gives it the port of the runtime files, and relays between it and the page's port. */
function host(port: MessagePort, files: MessagePort): void {
  // A module worker from a blob: URL does not load in an opaque origin (Chromium), so the worker is a classic script.
  const source = URL.createObjectURL(new Blob([__PYTHON_WORKER_SOURCE__], { type: 'text/javascript' }));
  const worker = new Worker(source, { name: 'python' });
  URL.revokeObjectURL(source);
  const interrupt = crossOriginIsolated ? new Uint8Array(new SharedArrayBuffer(1)) : null;
  const stdin = crossOriginIsolated ? new SharedArrayBuffer(STDIN_HEADER + STDIN_CAPACITY) : null;
  let waitingInput: number | null = null;
  let unseen: ReturnType<typeof setTimeout> | undefined;

  /** Whether Python has started: an error before is a failed start, one after is the program's. */
  let ready = false;
  /** The run in progress, whose output an error of the program's goes to. */
  let running: number | null = null;

  worker.onmessage = (event: MessageEvent<unknown>) => {
    const data = event.data as { type?: unknown; id?: unknown } | null;
    if (data?.type === 'stdin' && typeof data.id === 'number') waitingInput = data.id;
    if (data?.type === 'ready') ready = true;
    if (data?.type === 'done' && data.id === running) running = null;
    // The page checks every message (protocol.ts readFromSandbox): relaying is all the host does.
    port.postMessage(data);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    if (!ready) {
      port.postMessage({ type: 'boot-failed', message: event.message || 'The Python worker could not be loaded' } satisfies FromWorker);
      return;
    }
    // Thrown by the program's own callbacks (a timer, an event it listens
    // to) while Python waits between runs or runs: Python itself is fine,
    // and so is what the program defined. The run in progress shows it.
    if (running !== null) {
      port.postMessage({ type: 'stderr', id: running, line: `Error in a callback: ${event.message}` } satisfies FromWorker);
    }
  };
  port.onmessage = (event: MessageEvent<ToSandbox>) => {
    const message = event.data;
    const toWorker = (forward: ToWorker, transfer: Transferable[] = []): void => { worker.postMessage(forward, transfer); };
    switch (message.type) {
      case 'boot':
        toWorker({ type: 'boot', indexURL: message.indexURL, interruptBuffer: interrupt?.buffer ?? null, stdinBuffer: stdin, files }, [files]);
        break;
      case 'run':
        clearTimeout(unseen);
        if (interrupt !== null) interrupt[0] = 0;
        waitingInput = null;
        running = message.id;
        toWorker(message);
        break;
      case 'interrupt':
        if (interrupt === null) break;
        interrupt[0] = SIGINT;
        // Python sets the flag back to 0 when it reads it: still set, it was never seen.
        clearTimeout(unseen);
        unseen = setTimeout(() => {
          if (interrupt[0] !== 0) port.postMessage({ type: 'interrupt-unseen' } satisfies FromWorker);
        }, INTERRUPT_UNSEEN_MS);
        break;
      case 'stdin':
        if (stdin !== null && message.id === waitingInput) {
          waitingInput = null;
          answerInput(stdin, message.line);
        }
        break;
    }
  };
}

// Only ever inside the page that framed it, and only when the browser really
// gave it an opaque origin: otherwise nothing runs here.
if (window.parent !== window && self.origin === 'null') {
  const connect = (event: MessageEvent<unknown>): void => {
    const [port, files] = event.ports;
    if (event.source !== window.parent || event.data !== SANDBOX_CONNECT || port === undefined || files === undefined) return;
    window.removeEventListener('message', connect);
    host(port, files);
  };
  window.addEventListener('message', connect);
  // Only examhall's page may hear it: the document's URL is examhall's, and frame-ancestors 'self' holds.
  window.parent.postMessage(SANDBOX_HELLO, location.origin);
}
