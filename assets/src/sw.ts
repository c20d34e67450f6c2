/**
 * The examhall service worker (`/sw.js`, scope `/`): lets a student who has
 * started an exam reload the page or reopen the browser while the LAN is down.
 *
 * - Precache, when a page asks (`{ type: 'precache' }`, sent by the exam
 *   landing page and the exam client): the app shell, every file under
 *   `/assets/` and the Pyodide runtime. The list comes from the build
 *   (scripts/postbuild.mjs puts `__EXAMHALL_PRECACHE__` at the top of this
 *   file), never from the network. The cache is named after the build, and
 *   older caches are deleted on activation.
 * - Navigations: the network first, with a short timeout; then the cached shell.
 * - `/assets/*`, `/pyodide/<version>/*` and every other precached file (the
 *   favicon): the cache first (the names hold a hash or a version, or the
 *   cache is renewed with every build that changes them), navigations too:
 *   the Python sandbox is a frame showing `/assets/python-sandbox-<hash>.html`.
 * - `/api/*` and everything else: the network only. The exam client keeps its
 *   own queue of saves in IndexedDB.
 */

interface PrecacheManifest {
  /** Hash of the build: names the cache. */
  version: string;
  /** The app shell, as fetched for page paths. */
  shell: string;
  /** Paths fetched once and kept: hashed assets and the Pyodide runtime. */
  files: string[];
}

declare const __EXAMHALL_PRECACHE__: PrecacheManifest;
declare const self: ServiceWorkerGlobalScope;
export {};

const manifest = __EXAMHALL_PRECACHE__;
const PREFIX = 'examhall-offline-';
const CACHE = `${PREFIX}${manifest.version}`;
/** How long a navigation waits for the server before the cached shell is used. */
const NAVIGATION_TIMEOUT_MS = 3000;
const cacheFirst = ['/assets/', '/pyodide/'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      // A new build replacing one that had precached: fill the new cache
      // first, so a page that was ready offline stays ready. Without the
      // network this fails, and the old worker and its cache stay.
      const names = await caches.keys();
      if (names.some((name) => name.startsWith(PREFIX) && name !== CACHE)) await precache();
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** Fetches and stores everything the exam needs offline; resolves with the bytes stored. */
async function precache(): Promise<number> {
  const cache = await caches.open(CACHE);
  let bytes = 0;
  const store = async (path: string, refresh: boolean): Promise<void> => {
    if (!refresh && (await cache.match(path)) !== undefined) return;
    const response = await fetch(path, { cache: refresh ? 'no-cache' : 'default' });
    if (!response.ok) throw new Error(`${path}: ${String(response.status)}`);
    const body = await response.clone().arrayBuffer();
    bytes += body.byteLength;
    await cache.put(path, response);
  };
  // The shell is revalidated each time: it is small and names the current assets.
  await store(manifest.shell, true);
  await Promise.all(manifest.files.map((path) => store(path, false)));
  return bytes;
}

let precaching: Promise<number> | null = null;

self.addEventListener('message', (event) => {
  const data: unknown = event.data;
  if (typeof data !== 'object' || data === null || (data as { type?: unknown }).type !== 'precache') return;
  // A page loaded past the worker (a hard reload) is taken over here.
  event.waitUntil(self.clients.claim());
  precaching ??= precache().finally(() => { precaching = null; });
  const reply = precaching.then(
    (bytes) => ({ type: 'precached', ok: true, version: manifest.version, bytes }),
    (error: unknown) => ({ type: 'precached', ok: false, version: manifest.version, error: String(error) }),
  );
  event.waitUntil(reply.then((message) => { event.ports[0]?.postMessage(message); }));
});

async function fromCache(request: Request | string): Promise<Response | undefined> {
  const cache = await caches.open(CACHE);
  return cache.match(request, { ignoreVary: true });
}

/** The network, unless it fails or takes longer than the timeout; then the cached shell. */
async function navigation(request: Request): Promise<Response> {
  const network = fetch(request);
  const timeout = new Promise<undefined>((resolve) => { setTimeout(resolve, NAVIGATION_TIMEOUT_MS, undefined); });
  try {
    const answer = await Promise.race([network, timeout]);
    if (answer !== undefined) return answer;
  } catch {
    // Fall through to the cache.
  }
  const shell = await fromCache(manifest.shell);
  if (shell !== undefined) return shell;
  return network;
}

async function cached(request: Request): Promise<Response> {
  const hit = await fromCache(request);
  if (hit !== undefined) return hit;
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (cacheFirst.some((prefix) => url.pathname.startsWith(prefix)) || manifest.files.includes(url.pathname)) {
    event.respondWith(cached(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(navigation(request));
  }
});
