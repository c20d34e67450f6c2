/**
 * The page's runtime fetcher: a worker of the page (so its requests go
 * through the page's service worker and HTTP cache) that fetches the Pyodide
 * runtime and sends each file down the port it was given, which leads
 * straight to the Python worker in the sandbox. The bytes never pass through
 * the page's or the sandbox document's main thread.
 */
import type { FetchOrder, FileMessage } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

async function fetchFile(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the server answered ${String(response.status)}`);
  return response.arrayBuffer();
}

self.onmessage = (event: MessageEvent<FetchOrder>) => {
  const port = event.ports[0];
  if (port === undefined) return;
  const { indexURL, names } = event.data;
  for (const name of names) {
    fetchFile(`${indexURL}${name}`).then(
      (bytes) => { port.postMessage({ type: 'file', name, bytes } satisfies FileMessage, [bytes]); },
      (error: unknown) => {
        port.postMessage({ type: 'file-failed', name, message: error instanceof Error ? error.message : String(error) } satisfies FileMessage);
      },
    );
  }
};
