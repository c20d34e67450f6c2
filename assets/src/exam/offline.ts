/**
 * The page's side of the service worker (src/sw.ts): registered by the exam
 * landing page of an open exam and by the exam client, never by staff pages,
 * which have no use for the 13 MB it keeps. `prepareOffline()` registers
 * `/sw.js`, waits until it controls the page, and asks it to precache the app
 * shell, the hashed assets and the Python runtime. When that is done, the
 * document carries `data-offline-ready="true"`: a reload or a new window on
 * this computer then comes up without the network.
 */

interface Precached {
  type: 'precached';
  ok: boolean;
  bytes?: number;
  error?: string;
}

let preparing: Promise<boolean> | null = null;

/** Registers the service worker and fills its cache; resolves with whether the page now works offline. */
export function prepareOffline(): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return Promise.resolve(false);
  preparing ??= prepare().then(
    (ready) => {
      if (ready) document.documentElement.dataset.offlineReady = 'true';
      else preparing = null;
      return ready;
    },
    () => {
      preparing = null;
      return false;
    },
  );
  return preparing;
}

async function prepare(): Promise<boolean> {
  const container = navigator.serviceWorker;
  await container.register('/sw.js', { scope: '/' });
  const registration = await container.ready;
  const worker = registration.active;
  if (worker === null) return false;
  const controlled = container.controller !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
      // The worker claims open pages when it activates, and again when asked to precache.
      container.addEventListener('controllerchange', () => { resolve(); }, { once: true });
      if (container.controller !== null) resolve();
    });
  const answer = await new Promise<Precached>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event: MessageEvent<Precached>) => { resolve(event.data); };
    worker.postMessage({ type: 'precache' }, [channel.port2]);
  });
  if (!answer.ok) return false;
  await controlled;
  return true;
}
