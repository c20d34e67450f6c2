/**
 * The page's side of the Python sandbox: a hidden frame showing
 * `/assets/python-sandbox-<hash>.html` (built by scripts/sandbox.mjs), which
 * the server sends with `sandbox allow-scripts` and a policy of its own (no
 * connection, scripts only by hash and from blob:), so Python runs in an
 * opaque origin that holds no cookie, storage or API of examhall, whoever's
 * code it is (a student's, a co-instructor's model solution, a submission
 * being graded). A worker of the page (fetcher.ts) fetches the runtime
 * files, through the page's service worker when offline, and sends them down
 * a port straight to the Python worker. The page trusts the frame with
 * nothing else, and checks everything it says.
 *
 * The sandbox comes from the frame's response header, not a `sandbox`
 * attribute: a service worker never answers the navigation of a frame that
 * the attribute sandboxes, and offline the document comes from its cache.
 */
import {
  RUNTIME_FILES,
  SANDBOX_CONNECT,
  SANDBOX_HELLO,
  SNAPSHOT_FILE,
  readFromSandbox,
  type FetchOrder,
  type FromWorker,
  type ToSandbox,
} from './protocol';

/** The sandbox document's path, which vite.config.ts learns when it builds the document. */
declare const __PYTHON_SANDBOX_PATH__: string;

/** How long a loaded frame may take to say hello before the sandbox counts as failed (an error page says nothing). */
const HELLO_GRACE_MS = 5_000;

export interface SandboxEvents {
  /** A message from Python, already checked. */
  message: (message: FromWorker) => void;
  /** The sandbox could not start: `reason` says why. */
  failed: (reason: string) => void;
}

/** One sandbox document with its Python worker; `terminate()` ends both. */
export class PythonSandbox {
  readonly #events: SandboxEvents;
  readonly #frame = document.createElement('iframe');
  /** Fetches the runtime off the main thread and sends it down #files, whose other end goes to the sandbox. */
  readonly #fetcher = new Worker(new URL('./fetcher.ts', import.meta.url), { type: 'module', name: 'python-runtime' });
  readonly #files = new MessageChannel();
  #port: MessagePort | null = null;
  #helloTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onHello: (event: MessageEvent<unknown>) => void;
  #ended = false;

  /** Starts fetching the runtime from `indexURL` (ending in a slash) and loading the sandbox document. */
  constructor(indexURL: string, events: SandboxEvents) {
    this.#events = events;
    this.#fetcher.onerror = (event) => {
      event.preventDefault();
      this.#fail('The Python runtime could not be fetched');
    };
    // The snapshot first: Python's start waits for all of it. Files sent before
    // the sandbox takes the port's other end wait in the port.
    this.#fetcher.postMessage({ indexURL, names: [SNAPSHOT_FILE, ...RUNTIME_FILES] } satisfies FetchOrder, [this.#files.port1]);

    const frame = this.#frame;
    frame.hidden = true;
    frame.title = 'Python';
    frame.tabIndex = -1;
    // Shared memory (Stop, input()) needs cross-origin isolation in the frame too;
    // an opaque origin matches no named origin, so the grant is '*'.
    frame.allow = 'cross-origin-isolated *';
    this.#onHello = (event) => {
      if (event.source !== frame.contentWindow || event.data !== SANDBOX_HELLO) return;
      window.removeEventListener('message', this.#onHello);
      clearTimeout(this.#helloTimer);
      // The browser names the sender's origin: "null" only for an opaque one.
      if (event.origin !== 'null') {
        this.#fail('The Python sandbox is not isolated from this page (its origin is not opaque)');
        return;
      }
      this.#connect(indexURL);
    };
    window.addEventListener('message', this.#onHello);
    frame.addEventListener('load', () => {
      if (this.#port !== null || this.#ended) return;
      clearTimeout(this.#helloTimer);
      this.#helloTimer = setTimeout(() => { this.#fail('The Python sandbox page could not be loaded'); }, HELLO_GRACE_MS);
    });
    frame.src = __PYTHON_SANDBOX_PATH__;
    document.body.append(frame);
  }

  /** Sends a message to the sandbox (dropped before it has connected: the runner sends nothing before ready). */
  post(message: ToSandbox): void {
    this.#port?.postMessage(message);
  }

  /** Ends the sandbox: its document, its worker, any program running there, and the fetcher. */
  terminate(): void {
    this.#ended = true;
    clearTimeout(this.#helloTimer);
    window.removeEventListener('message', this.#onHello);
    this.#fetcher.terminate();
    this.#files.port2.close();
    this.#port?.close();
    this.#port = null;
    this.#frame.remove();
  }

  #connect(indexURL: string): void {
    const target = this.#frame.contentWindow;
    if (target === null || this.#ended) return;
    // Later navigations of this frame, if anything ever made one, are sandboxed by the attribute too.
    this.#frame.sandbox.value = 'allow-scripts';
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<unknown>) => {
      const message = readFromSandbox(event.data);
      if (message !== null && !this.#ended) this.#events.message(message);
    };
    // An opaque origin can only be addressed as '*'; the frame is ours, just checked.
    target.postMessage(SANDBOX_CONNECT, '*', [channel.port2, this.#files.port2]);
    this.#port = channel.port1;
    this.post({ type: 'boot', indexURL });
  }

  #fail(reason: string): void {
    if (this.#ended) return;
    this.#events.failed(reason);
  }
}
