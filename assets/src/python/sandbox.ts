/**
 * The page's side of the Python sandbox: a hidden frame showing
 * `/assets/python-sandbox-<hash>.html` (built by scripts/sandbox.mjs), which
 * the server sends with `sandbox allow-scripts`
 * and a policy of its own (no connection, scripts only by hash and from
 * blob:), so Python runs in an opaque origin that holds no cookie, storage or
 * API of examhall, whoever's code it is (a student's, a co-instructor's model
 * solution, a submission being graded). The page fetches the runtime files
 * (through its service worker, so this works offline too) and hands them
 * over; it trusts the frame with nothing else, and checks everything it says.
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
  type FileMessage,
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
  readonly #frame: HTMLIFrameElement;
  readonly #events: SandboxEvents;
  readonly #aborter = new AbortController();
  #port: MessagePort | null = null;
  /** Files fetched before the port exists wait here. */
  readonly #early: FileMessage[] = [];
  #helloTimer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  /** Starts fetching the runtime from `indexURL` (ending in a slash) and loading the sandbox document. */
  constructor(indexURL: string, events: SandboxEvents) {
    this.#events = events;
    for (const name of [...RUNTIME_FILES, SNAPSHOT_FILE]) void this.#fetchFile(indexURL, name);

    const frame = document.createElement('iframe');
    this.#frame = frame;
    frame.hidden = true;
    frame.title = 'Python';
    frame.tabIndex = -1;
    // Shared memory (Stop, input()) needs cross-origin isolation in the frame too;
    // an opaque origin matches no named origin, so the grant is '*'.
    frame.allow = 'cross-origin-isolated *';
    const onHello = (event: MessageEvent<unknown>): void => {
      if (event.source !== frame.contentWindow || event.data !== SANDBOX_HELLO) return;
      window.removeEventListener('message', onHello);
      clearTimeout(this.#helloTimer);
      // The browser names the sender's origin: "null" only for an opaque one.
      if (event.origin !== 'null') {
        this.#fail('The Python sandbox is not isolated from this page (its origin is not opaque)');
        return;
      }
      this.#connect(indexURL);
    };
    window.addEventListener('message', onHello);
    this.#aborter.signal.addEventListener('abort', () => { window.removeEventListener('message', onHello); });
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

  /** Ends the sandbox: its document, its worker and any program running there. */
  terminate(): void {
    this.#ended = true;
    clearTimeout(this.#helloTimer);
    this.#aborter.abort();
    this.#port?.close();
    this.#port = null;
    this.#early.length = 0;
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
    target.postMessage(SANDBOX_CONNECT, '*', [channel.port2]);
    this.#port = channel.port1;
    this.post({ type: 'boot', indexURL });
    for (const file of this.#early.splice(0)) this.#send(file);
  }

  async #fetchFile(indexURL: string, name: string): Promise<void> {
    let message: FileMessage;
    try {
      const response = await fetch(`${indexURL}${name}`, { signal: this.#aborter.signal });
      if (!response.ok) throw new Error(`the server answered ${String(response.status)}`);
      message = { type: 'file', name, bytes: await response.arrayBuffer() };
    } catch (error) {
      message = { type: 'file-failed', name, message: error instanceof Error ? error.message : String(error) };
    }
    if (this.#ended) return;
    if (this.#port === null) this.#early.push(message);
    else this.#send(message);
  }

  #send(file: FileMessage): void {
    if (file.type === 'file') this.#port?.postMessage(file, [file.bytes]);
    else this.#port?.postMessage(file);
  }

  #fail(reason: string): void {
    if (this.#ended) return;
    this.#events.failed(reason);
  }
}
