/**
 * The Pyodide runtime as the Python worker receives it: files sent by the
 * page's fetcher (fetcher.ts), never fetched here, because the sandbox's
 * policy allows no connection at all. Pyodide asks for its files with
 * fetch() and loads its scripts with import(); while Python starts, fetch
 * answers those URLs from memory, and the scripts are imported from blob:
 * URLs. Once Python runs, the browser's own fetch is back, and the policy
 * refuses whatever a program asks of it.
 */
import type { FileMessage } from './protocol';

/** The runtime's WebAssembly, which Pyodide instantiates with instantiateStreaming(). */
const WASM_FILE = 'pyodide.asm.wasm';

/** What Pyodide's loaders need to see for each kind of file (the wasm's type allows streaming compilation). */
function contentType(name: string): string {
  if (name.endsWith('.wasm')) return 'application/wasm';
  if (name.endsWith('.mjs') || name.endsWith('.js')) return 'text/javascript';
  if (name.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

/** A file on its way from the page. */
interface Pending {
  promise: Promise<ArrayBuffer>;
  resolve: (bytes: ArrayBuffer) => void;
  reject: (error: Error) => void;
}

/** The runtime's files in the worker, by name, as they arrive. */
export class RuntimeFiles {
  readonly #indexURL: string;
  readonly #files = new Map<string, Pending>();
  #module: Promise<WebAssembly.Module> | undefined;

  /**
   * `indexURL`: where the files came from, ending in a slash; the names
   * Pyodide asks for hang off it. `names`: the files the page hands over.
   */
  constructor(indexURL: string, names: readonly string[]) {
    this.#indexURL = indexURL;
    for (const name of names) {
      let resolve!: (bytes: ArrayBuffer) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<ArrayBuffer>((ok, fail) => { resolve = ok; reject = fail; });
      // A file nobody asks for (the snapshot after a plain start) must not become an unhandled rejection.
      promise.catch(() => undefined);
      this.#files.set(name, { promise, resolve, reject });
    }
  }

  /** Takes a file from the page's fetcher. */
  receive(message: FileMessage): void {
    const entry = this.#files.get(message.name);
    if (message.type === 'file') entry?.resolve(message.bytes);
    else entry?.reject(new Error(`${message.name} could not be loaded: ${message.message}`));
  }

  /** The bytes of `name`, once the page has handed them over. */
  bytes(name: string): Promise<ArrayBuffer> {
    return this.#files.get(name)?.promise ?? Promise.reject(new TypeError(`${name} is not part of the Python runtime`));
  }

  /** Imports an ES module file of the runtime. */
  async importModule<T>(name: string): Promise<T> {
    const url = URL.createObjectURL(new Blob([await this.bytes(name)], { type: 'text/javascript' }));
    try {
      return (await import(/* @vite-ignore */ url)) as T;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  /** The runtime's WebAssembly module, compiled once, as soon as its bytes are here. */
  module(): Promise<WebAssembly.Module> {
    this.#module ??= this.bytes(WASM_FILE).then((bytes) => WebAssembly.compile(bytes));
    return this.#module;
  }

  /**
   * Runs `start` with fetch answering the runtime's URLs from memory and
   * refusing every other, and with Pyodide's streaming instantiation given
   * the module compiled while the rest (the snapshot) still arrived; the
   * browser's own functions are back afterwards.
   */
  async whileStarting<T>(start: () => Promise<T>): Promise<T> {
    const { fetch, WebAssembly: wasm } = globalThis;
    const instantiateStreaming = wasm.instantiateStreaming.bind(wasm);
    globalThis.fetch = async (input: RequestInfo | URL): Promise<Response> => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const name = url.startsWith(this.#indexURL) ? url.slice(this.#indexURL.length) : '';
      if (!this.#files.has(name)) throw new TypeError(`The Python sandbox has no network: ${url}`);
      return new Response(await this.bytes(name), { headers: { 'Content-Type': contentType(name) } });
    };
    wasm.instantiateStreaming = async (_source, imports) => {
      const module = await this.module();
      return { module, instance: await WebAssembly.instantiate(module, imports) };
    };
    try {
      return await start();
    } finally {
      globalThis.fetch = fetch;
      wasm.instantiateStreaming = instantiateStreaming;
    }
  }

  /** Lets the files go: Python holds what it needs. */
  clear(): void {
    this.#files.clear();
  }
}
