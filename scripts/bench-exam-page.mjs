#!/usr/bin/env node
// Measures the exam page of examhall in headless Chromium, for
// docs/benchmarks.md ("Exam page"). Loopback only; bounded by ROUNDS and
// TIME_LIMIT_S; it stops only the servers and browsers it started.
//
//   cargo build --release
//   node scripts/bench-exam-page.mjs > exam-page.md      (progress on stderr)
//
// Environment: EXAMHALL_BIN (default target/release/examhall), CHROMIUM_PATH
// (default /usr/bin/chromium), ROUNDS (5), KEYSTROKES (200), OFFLINE_KEYS (30
// per phase), TIME_LIMIT_S (1800), SEED (1, for the typing pace), QUIET_LOAD
// (unset; e.g. 1.5: before each round, wait up to 10 minutes for the 1-minute
// load average to fall to it, as on a machine shared with builds),
// BENCH_TRACE (set: timestamps of each step on stderr). A round takes about
// 2.5 minutes on 2 cores.
//
// Each round starts a fresh `examhall demo` with its loopback HTTP listener
// (tests/browser/harness.mjs) and measures:
//
// 1. Ready to run Python, per origin (see ORIGIN_KINDS: HTTPS with the demo's
//    certificate trusted through a public-key pin, as a university's server
//    with a real certificate; plain HTTP on loopback; HTTPS with the
//    certificate error ignored, as the browser tests run), and per load:
//    - first visit: a fresh profile; sign in, open "Python warm-up", click
//      Start: from the click (a client-side navigation) until ready;
//    - cold: the browser restarted on that profile with its HTTP cache, code
//      cache, service worker and Cache Storage deleted (the cookie and the
//      exam's secret in IndexedDB kept): navigation to /exams/<id>/take;
//    - warm: the same page goes to about:blank and back to /exams/<id>/take;
//    - warm, browser restarted: the profile as left, a new browser process.
//    "Ready" = from the navigation start (performance.timeOrigin) until both
//    the editor takes input (its .cm-content is contenteditable, seen on an
//    animation frame) and Python has booted (the exam page marks <html> with
//    data-python-start as Python's `ready` message arrives: an init script
//    watches for it). As a cross-check through the UI, Run is clicked as
//    soon as the editor is there; "Run answered" is when run-status shows
//    data-phase="ran".
//    Bytes: Playwright's requestfinished events of the context, which cover
//    the page, its Python worker and the service worker; a request counts its
//    response headers plus encoded body (CDP Network.loadingFinished
//    encodedDataLength); a response from the HTTP cache or the service worker
//    counts 0. TLS framing is not counted.
// 2. Autosave latency (the trusted HTTPS page, after its loads): KEYSTROKES
//    characters typed one at a time at the end of question 1, 100-300 ms
//    apart. Every POST .../saves is recorded with its items and the time its
//    answer (acked_seq) arrived. A keystroke is durable at the first answer
//    whose acked_seq covers its edit item (the k-th edit item of the typing,
//    one per key; for builds that sent each answer whole, the first edit
//    whose code holds the key); latency = that time - the time the key was
//    sent (both on Node's clock; the answer's time is when Playwright
//    reported it, a little after it arrived: an upper bound).
// 3. No edits lost (plain HTTP, service worker): OFFLINE_KEYS characters
//    typed online, the network cut, as many typed, a reload without the
//    network (one typing pause after the last key), as many typed after it,
//    the network back, until the page says Saved; then Submit, and the
//    receipt's SHA-256 of question 1 against that of what was typed.
// 4. Where Python's boot goes (bootDiagnostics), once per round in the worker
//    of the trusted HTTPS page; empty since Python runs in its sandbox, whose
//    worker may fetch nothing.
//
// Prints a JSON line per round and markdown tables at the end on stdout.
import { createHash, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { readdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:tls';

// The harness reads EXAMHALL_BIN when it is loaded: default to the release build first.
process.env.EXAMHALL_BIN ??= 'target/release/examhall';
const harness = await import('../tests/browser/harness.mjs');
const { editorText, sha256 } = await import('../tests/browser/editor.mjs');
const { chromium } = createRequire(join(harness.repoRoot, 'assets', 'package.json'))('playwright-core');

const ROUNDS = setting('ROUNDS', 5);
const KEYSTROKES = setting('KEYSTROKES', 200);
const OFFLINE_KEYS = setting('OFFLINE_KEYS', 30);
const TIME_LIMIT_S = setting('TIME_LIMIT_S', 1800);
const SEED = setting('SEED', 1);
const QUIET_LOAD = process.env.QUIET_LOAD === undefined ? undefined : Number(process.env.QUIET_LOAD);
const QUIET_WAIT_MS = 600_000;
/** Bound of every single wait. */
const WAIT_MS = 120_000;
/** The network counts as settled after this long without a request in flight. */
const QUIET_MS = 1000;
const PACE_MS = [100, 300];
const { CHROMIUM_ARGS, DEMO_PASSWORD, chromiumPath } = harness;
/**
 * The three ways the page is reached. A university's server has a
 * certificate the browser trusts: the demo's self-signed one is made trusted
 * by pinning its public key (--ignore-certificate-errors-spki-list), so the
 * HTTP cache and the service worker behave as in production. With the
 * certificate error merely ignored (as the browser tests do), Chromium keeps
 * nothing in its HTTP cache and refuses the service worker.
 */
const ORIGIN_KINDS = {
  trusted: { name: 'HTTPS, certificate trusted', serviceWorker: true, student: 'student1@demo.example' },
  http: { name: 'HTTP on loopback', serviceWorker: true, student: 'student2@demo.example' },
  certError: { name: 'HTTPS, certificate error ignored', serviceWorker: false, student: 'student1@demo.example' },
};

/** What the cold load deletes from a profile: HTTP cache, JS/wasm code cache, service worker with Cache Storage. */
const CACHE_DIRS = ['Cache', 'Code Cache', 'Service Worker'];

function setting(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

const log = (line) => process.stderr.write(`${line}\n`);
const trace = process.env.BENCH_TRACE ? (line) => log(`  ${(performance.now() / 1000).toFixed(1)} s ${line}`) : () => undefined;

/** Settles like `promise`, or rejects after `ms` saying what did not finish. */
function bounded(promise, ms, what) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what}: no answer within ${ms} ms`)); }, ms);
  });
  return Promise.race([promise, expired]).finally(() => { clearTimeout(timer); });
}
const load1 = () => Number(loadavg()[0].toFixed(2));

// ---------------------------------------------------------------------------
// Bounds: a deadline for the whole run, and what to stop when it passes.

const running = { servers: new Set(), contexts: new Set() };
const deadline = Date.now() + TIME_LIMIT_S * 1000;

function checkDeadline() {
  if (Date.now() > deadline) throw new Error(`time limit of ${TIME_LIMIT_S} s reached`);
}

async function stopEverything() {
  await Promise.all([...running.contexts].map((context) => context.close().catch(() => undefined)));
  await Promise.all([...running.servers].map((server) => harness.stopServer(server.process)));
  await harness.cleanup();
}

async function startServer() {
  const server = await harness.startServer({ loopbackHttp: true });
  running.servers.add(server);
  const [, password] = await server.waitForLine(DEMO_PASSWORD);
  return { server, password };
}

async function stopServer(server) {
  await harness.stopServer(server.process);
  running.servers.delete(server);
}

// ---------------------------------------------------------------------------
// In-page instrumentation (an init script: no change to the product).

/** Runs in every document before its scripts: records when the editor and Python become ready. */
function instrument() {
  const bench = {};
  Object.defineProperty(window, '__bench', { value: bench });
  // Python starts in a worker of the page, or (since the sandbox) of a frame the page adds.
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(...args) {
      super(...args);
      bench.workerCreated ??= performance.now();
    }
  };
  // The page marks <html> with how Python started in the same task as its `ready` message.
  new MutationObserver((records) => {
    if (document.documentElement?.dataset.pythonStart !== undefined) bench.python ??= performance.now();
    if (records.some((record) => [...record.addedNodes].some((node) => node.nodeName === 'IFRAME'))) {
      bench.workerCreated ??= performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-python-start'] });
  const editorTakesInput = () =>
    document.querySelector('[data-testid="editor"]')?.shadowRoot
      ?.querySelector('.cm-content[contenteditable="true"]') != null;
  const ran = () => document.querySelector('[data-testid="run-status"][data-phase="ran"]') !== null;
  const watch = () => {
    if (bench.editor === undefined && editorTakesInput()) bench.editor = performance.now();
    if (bench.ran === undefined && ran()) bench.ran = performance.now();
    if ((bench.editor === undefined || bench.ran === undefined) && performance.now() < 300_000) requestAnimationFrame(watch);
  };
  requestAnimationFrame(watch);
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (target?.closest('[data-testid="exam-start"]')) bench.startClick ??= performance.now();
  }, true);
}

/** What the page recorded, on its own clock (ms since its navigation start). */
function pageFigures(page) {
  return page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    return {
      ...window.__bench,
      timeOrigin: performance.timeOrigin,
      responseEnd: nav?.responseEnd,
      domContentLoaded: nav?.domContentLoadedEventEnd,
      controlledByServiceWorker: navigator.serviceWorker?.controller != null,
      crossOriginIsolated: globalThis.crossOriginIsolated,
    };
  });
}

const pythonWorker = (page) => page.workers().find((candidate) => candidate.url().includes('/assets/worker-'));
/** The worker that fetches Pyodide's files: the Python worker before the sandbox, the page's fetcher since. */
const runtimeFetcher = (page) => page.workers().find((candidate) => /\/assets\/(worker|fetcher)-/.test(candidate.url()));

/** When Pyodide's files were fetched, on the page's clock. */
async function pyodideFetches(page, pageOrigin) {
  const fetcher = runtimeFetcher(page) ?? page;
  const { origin, entries } = await bounded(fetcher.evaluate(() => ({
    origin: performance.timeOrigin,
    entries: performance.getEntriesByType('resource')
      .filter((entry) => entry.name.includes('/pyodide/'))
      .map((entry) => ({ name: entry.name.split('/').pop(), start: entry.startTime, end: entry.responseEnd })),
  })), 10_000, 'resource timing of the runtime\'s fetcher');
  const shift = origin - pageOrigin;
  return Object.fromEntries(entries.map((entry) => [entry.name, { start: round(entry.start + shift), end: round(entry.end + shift) }]));
}

/**
 * Where Python's boot time goes, measured inside the page's Python worker
 * after it has booted: a compile of pyodide.asm.wasm made new to V8 (a custom
 * section appended, so its in-process module cache cannot answer), then a
 * second loadPyodide() in the same worker (files from the caches; the module
 * itself, the same bytes, may come from V8's cache) with the time spent in
 * WebAssembly.instantiateStreaming, and the imports the runner makes; then
 * what Pyodide's (experimental) memory snapshot would give: a boot from a
 * snapshot taken in the same worker, and the snapshot's size.
 */
async function bootDiagnostics(page) {
  const worker = pythonWorker(page);
  if (worker === undefined) return {};
  const figures = await bounded(worker.evaluate(async () => {
    const wasmUrl = performance.getEntriesByType('resource').map((entry) => entry.name).find((name) => name.endsWith('/pyodide.asm.wasm'));
    const indexURL = wasmUrl.slice(0, wasmUrl.lastIndexOf('/') + 1);
    const bytes = new Uint8Array(await (await fetch(wasmUrl)).arrayBuffer());
    const name = new TextEncoder().encode(`examhall-bench-${Math.random()}`);
    const section = new Uint8Array([0, name.length + 1, name.length, ...name]);
    const fresh = new Uint8Array(bytes.length + section.length);
    fresh.set(bytes);
    fresh.set(section, bytes.length);
    let started = performance.now();
    await WebAssembly.compile(fresh);
    const compileMs = performance.now() - started;

    const original = WebAssembly.instantiateStreaming;
    let instantiateMs;
    WebAssembly.instantiateStreaming = async (...args) => {
      const at = performance.now();
      try {
        return await original.apply(WebAssembly, args);
      } finally {
        instantiateMs = performance.now() - at;
      }
    };
    try {
      const { loadPyodide } = await import(`${indexURL}pyodide.mjs`);
      started = performance.now();
      const python = await loadPyodide({ indexURL });
      const loadPyodideMs = performance.now() - started;
      started = performance.now();
      python.runPython('import linecache, sys, traceback');
      const importMs = performance.now() - started;
      const figures = { wasmBytes: bytes.length, compileMs, loadPyodideMs, instantiateMs, importMs };
      try {
        const snapshot = (await loadPyodide({ indexURL, _makeSnapshot: true })).makeMemorySnapshot();
        started = performance.now();
        const restored = await loadPyodide({ indexURL, _loadSnapshot: snapshot });
        restored.runPython('import linecache, sys, traceback');
        figures.snapshotBootMs = performance.now() - started;
        figures.snapshotBytes = snapshot.byteLength;
        const gzipped = new Blob([snapshot]).stream().pipeThrough(new CompressionStream('gzip'));
        figures.snapshotGzipBytes = (await new Response(gzipped).arrayBuffer()).byteLength;
      } catch (error) {
        figures.snapshotError = String(error);
      }
      return figures;
    } finally {
      WebAssembly.instantiateStreaming = original;
    }
  }), WAIT_MS, 'boot diagnostics');
  return Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, typeof value === 'number' ? round(value) : value]));
}

// ---------------------------------------------------------------------------
// Browsers and bytes.

/** SHA-256 of the server certificate's public key (SPKI), base64, as Chromium's pin list wants it. */
async function spkiPin(url) {
  const { hostname, port } = new URL(url);
  const raw = await new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().raw);
      socket.end();
    });
    socket.once('error', reject);
  });
  const spki = new X509Certificate(raw).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Where a kind of origin is, and how the browser must be started for it. */
async function originOf(kind, server) {
  switch (kind) {
    case 'trusted':
      return { url: server.url, browser: { args: [`--ignore-certificate-errors-spki-list=${await spkiPin(server.url)}`] } };
    case 'http':
      return { url: server.httpUrl, browser: {} };
    case 'certError':
      return { url: server.url, browser: { ignoreHTTPSErrors: true } };
    default:
      throw new Error(`unknown origin kind ${kind}`);
  }
}

/** A browser on `profile` (kept between launches), with the instrumentation and, when given, the cookies. */
async function openProfile(profile, { browser = {}, cookies = [] } = {}) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: [...CHROMIUM_ARGS, ...(browser.args ?? [])],
    ignoreHTTPSErrors: browser.ignoreHTTPSErrors ?? false,
    // Ctrl-C and SIGTERM go through stopEverything(), which also stops the servers.
    handleSIGINT: false,
    handleSIGTERM: false,
  });
  running.contexts.add(context);
  await context.addInitScript(instrument);
  if (cookies.length > 0) await context.addCookies(cookies);
  const transfers = watchTransfers(context);
  const page = context.pages()[0] ?? (await context.newPage());
  return { context, page, transfers };
}

async function closeProfile({ context }) {
  await context.close();
  running.contexts.delete(context);
}

/** Deletes the caches of a closed profile; fails if none was there (the layout changed). */
async function scrubCaches(profile) {
  const present = await readdir(join(profile, 'Default'));
  const found = CACHE_DIRS.filter((dir) => present.includes(dir));
  if (!found.includes('Cache')) throw new Error(`no HTTP cache in the profile: ${present.join(', ')}`);
  await Promise.all(found.map((dir) => rm(join(profile, 'Default', dir), { recursive: true, force: true })));
  return found;
}

/**
 * Every finished request of the context (page, workers, service worker) with
 * the bytes it took off the network, plus what is still in flight.
 */
function watchTransfers(context) {
  const transfers = { done: [], inFlight: 0, lastChange: performance.now() };
  const changed = (delta) => {
    transfers.inFlight += delta;
    transfers.lastChange = performance.now();
  };
  context.on('request', () => { changed(1); });
  context.on('requestfailed', () => { changed(-1); });
  context.on('requestfinished', (request) => {
    changed(-1);
    transfers.done.push(describeTransfer(request));
  });
  return transfers;
}

async function describeTransfer(request) {
  // sizes() waits for the response's size, which a few requests never report.
  const sizes = await bounded(request.sizes(), 5_000, 'sizes').catch(() => null);
  const timing = request.timing();
  const path = new URL(request.url()).pathname;
  if (sizes === null) trace(`no sizes for ${path}`);
  return {
    path,
    sizesMissing: sizes === null,
    bytes: sizes === null ? 0 : Math.max(0, sizes.responseHeadersSize + sizes.responseBodySize),
    byServiceWorker: request.serviceWorker() !== null,
    end: timing.responseEnd >= 0 ? timing.startTime + timing.responseEnd : undefined,
  };
}

/** Waits until nothing has been in flight for QUIET_MS (bounded). */
async function settle(transfers) {
  const until = Date.now() + WAIT_MS;
  while (Date.now() < until) {
    if (transfers.inFlight <= 0 && performance.now() - transfers.lastChange >= QUIET_MS) return;
    await sleep(100);
  }
  throw new Error(`the network did not settle within ${WAIT_MS} ms (${transfers.inFlight} in flight)`);
}

/** Sums the transfers from index `from` on; `readyAt` is an epoch time. */
async function bytesSince(transfers, from, readyAt) {
  const done = await Promise.all(transfers.done.slice(from));
  const sum = (list) => list.reduce((total, item) => total + item.bytes, 0);
  return {
    requests: done.length,
    bytes: sum(done),
    bytesBeforeReady: sum(done.filter((item) => item.end !== undefined && item.end <= readyAt)),
    bytesByServiceWorker: sum(done.filter((item) => item.byServiceWorker)),
    wasmBytes: sum(done.filter((item) => item.path.endsWith('/pyodide.asm.wasm'))),
    withoutSizes: done.filter((item) => item.sizesMissing).length,
  };
}

// ---------------------------------------------------------------------------
// One load of the exam page.

const waitFor = (page, predicate) => page.waitForFunction(predicate, null, { timeout: WAIT_MS, polling: 'raf' });

/** Navigates to `url`, clicks Run once the editor is there, and returns the figures of the load. */
async function measureLoad(session, url, { serviceWorker }) {
  const { page, transfers } = session;
  const from = transfers.done.length;
  trace(`load ${url}`);
  await page.goto(url, { waitUntil: 'commit', timeout: WAIT_MS });
  await waitFor(page, () => window.__bench?.editor !== undefined);
  await page.getByTestId('run').click({ timeout: WAIT_MS });
  await waitFor(page, () => window.__bench?.python !== undefined && window.__bench?.ran !== undefined);
  return finishLoad(session, from, { serviceWorker, since: 0 });
}

/** After a load: the service worker's cache filled (if any), the network quiet, then the figures. */
async function finishLoad({ page, transfers }, from, { serviceWorker, since }) {
  trace('ready; settling');
  if (serviceWorker) await page.locator('html[data-offline-ready="true"]').waitFor({ timeout: WAIT_MS });
  await settle(transfers);
  trace('settled');
  const figures = await pageFigures(page);
  const ready = Math.max(figures.editor, figures.python);
  const fetched = await pyodideFetches(page, figures.timeOrigin);
  const bytes = await bytesSince(transfers, from, figures.timeOrigin + ready);
  trace(`figures: ready ${Math.round(ready)} ms, ${bytes.bytes} bytes`);
  const fromStart = (t) => (t === undefined ? undefined : round(t - since));
  const lastDownload = Math.max(...Object.values(fetched).map((entry) => entry.end));
  return {
    readyMs: fromStart(ready),
    editorMs: fromStart(figures.editor),
    pythonMs: fromStart(figures.python),
    runAnsweredMs: fromStart(figures.ran),
    documentMs: since === 0 ? round(figures.responseEnd) : undefined,
    workerCreatedMs: fromStart(figures.workerCreated),
    wasmDownloadedMs: fromStart(fetched['pyodide.asm.wasm']?.end),
    stdlibDownloadedMs: fromStart(fetched['python_stdlib.zip']?.end),
    bootAfterLastDownloadMs: Number.isFinite(lastDownload) ? round(figures.python - lastDownload) : undefined,
    controlledByServiceWorker: figures.controlledByServiceWorker,
    crossOriginIsolated: figures.crossOriginIsolated,
    ...bytes,
  };
}

/** A fresh profile: sign in, open the exam, click Start; the figures count from the click. */
async function firstVisit(session, at, student, password) {
  const { page } = session;
  await page.goto(at(`/signin?org=demo&email=${encodeURIComponent(student)}`));
  await harness.signInFromLink(page, { email: student, password }, '/home');
  await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
  await page.waitForURL(/\/exams\/[^/]+$/);
  await page.getByTestId('exam-start').click();
  await page.waitForURL(/\/exams\/[^/]+\/take$/);
  await waitFor(page, () => window.__bench?.editor !== undefined && window.__bench?.python !== undefined);
  const startClick = await page.evaluate(() => window.__bench.startClick);
  return { takeUrl: page.url(), startClick };
}

/**
 * All loads of one origin, in one profile. Returns the figures and, when
 * `keepOpen`, the session on the exam page after the last load.
 */
async function originLoads(kind, server, password, { keepOpen }) {
  const { serviceWorker, student } = ORIGIN_KINDS[kind];
  const { url, browser } = await originOf(kind, server);
  const at = (path) => new URL(path, url).href;
  const profile = await harness.tempDir('examhall-bench-profile-');
  let session = await openProfile(profile, { browser });
  const { takeUrl, startClick } = await firstVisit(session, at, student, password);
  const first = await finishLoad(session, 0, { serviceWorker, since: startClick });
  const cookies = await session.context.cookies();
  await closeProfile(session);
  const scrubbed = await scrubCaches(profile);
  trace(`first visit done; scrubbed ${scrubbed.join(', ')}`);
  checkDeadline();

  session = await openProfile(profile, { browser, cookies });
  const cold = await measureLoad(session, takeUrl, { serviceWorker });
  if (cold.wasmBytes < 1_000_000) throw new Error(`the cold load took Python from a cache (scrubbed ${scrubbed.join(', ')})`);
  await session.page.goto('about:blank');
  const warm = await measureLoad(session, takeUrl, { serviceWorker });
  trace('closing the browser');
  await closeProfile(session);
  checkDeadline();

  session = await openProfile(profile, { browser, cookies });
  const restarted = await measureLoad(session, takeUrl, { serviceWorker });
  if (!keepOpen) await closeProfile(session);
  return { loads: { first, cold, warm, restarted }, session: keepOpen ? session : undefined };
}

// ---------------------------------------------------------------------------
// Autosave.

/** A deterministic pseudo-random generator (mulberry32), so every run types at the same pace. */
function randomSource(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pause = (random) => sleep(PACE_MS[0] + random() * (PACE_MS[1] - PACE_MS[0]));

/** A comment line of `count` characters: no indentation or bracket the editor would add to. */
function commentText(count, label) {
  const words = `# ${label} the quick brown fox jumps over the lazy dog 0123456789 `;
  return words.repeat(Math.ceil(count / words.length) + 1).slice(0, count);
}

/** Types `text` one key at a time at a human pace; returns when each key was sent (Node's clock). */
async function typeSlowly(page, text, random) {
  const sent = [];
  for (const key of text) {
    sent.push(performance.now());
    await page.keyboard.type(key);
    await pause(random);
  }
  return sent;
}

async function caretAtEnd(page) {
  await page.getByTestId('editor-content').click();
  await page.keyboard.press('ControlOrMeta+End');
}

const savedLocator = (page) => page.locator('[data-testid="save-status"][data-waiting="0"]');

/** Records every save batch sent (its items) and when each answer arrived (Node's clock). */
function watchSaves(page) {
  const batches = [];
  const answers = [];
  const isSave = (request) => request.method() === 'POST' && /\/api\/v1\/me\/exams\/[^/]+\/saves$/.test(request.url());
  page.on('request', (request) => {
    if (isSave(request)) batches.push(request.postDataJSON()?.items ?? []);
  });
  page.on('response', (response) => {
    if (!isSave(response.request())) return;
    const at = performance.now();
    answers.push(response.json().then((body) => ({ at, acked: body.acked_seq, ok: response.ok() }), () => null));
  });
  return { batches, answers };
}

/** Autosave latency of each keystroke: from the key to the answer that made its edit durable. */
async function autosaveLatency(page, count, random) {
  const saves = watchSaves(page);
  await savedLocator(page).waitFor({ timeout: WAIT_MS });
  await caretAtEnd(page);
  const base = await editorText(page);
  const text = commentText(count, 'autosave');
  const sent = await typeSlowly(page, text, random);
  await savedLocator(page).waitFor({ timeout: WAIT_MS });
  const final = await editorText(page);
  if (final !== base + text) throw new Error('the editor does not hold what was typed');

  const edits = saves.batches.flat().filter((item) => item.kind === 'edit').sort((a, b) => a.seq - b.seq);
  const answers = (await Promise.all(saves.answers)).filter((answer) => answer?.ok);
  const latencies = [];
  let unacknowledged = 0;
  for (let k = 1; k <= count; k += 1) {
    const typed = base + text.slice(0, k);
    // Builds before compact edits sent each answer whole: find the first that holds the key. Since
    // then an edit carries only its change, one per key, in order: the k-th edit is the k-th key.
    const item = edits.some((edit) => typeof edit.code === 'string')
      ? edits.find((edit) => edit.code.length >= typed.length && edit.code.startsWith(typed))
      : edits[k - 1];
    const answer = item && answers.find((candidate) => candidate.acked >= item.seq && candidate.at >= sent[k - 1]);
    if (answer === undefined) unacknowledged += 1;
    else latencies.push(answer.at - sent[k - 1]);
  }
  return {
    keystrokes: count,
    batches: saves.batches.length,
    unacknowledged,
    p50Ms: round(percentile(latencies, 0.5)),
    p95Ms: round(percentile(latencies, 0.95)),
    maxMs: round(Math.max(...latencies)),
    over2500Ms: latencies.filter((ms) => ms > 2500).length,
  };
}

/** Online, offline, a reload without the network, more typing, online again: is anything lost? */
async function noLoss(origin, student, password, random) {
  const at = (path) => new URL(path, origin).href;
  const session = await openProfile(await harness.tempDir('examhall-bench-profile-'));
  const { page, context } = session;
  await firstVisit(session, at, student, password);
  await page.locator('html[data-offline-ready="true"]').waitFor({ timeout: WAIT_MS });
  await savedLocator(page).waitFor({ timeout: WAIT_MS });
  await caretAtEnd(page);
  const base = await editorText(page);
  const text = commentText(3 * OFFLINE_KEYS, 'offline');
  const [online, offline, afterReload] = [0, 1, 2].map((i) => text.slice(i * OFFLINE_KEYS, (i + 1) * OFFLINE_KEYS));

  await typeSlowly(page, online, random);
  await context.setOffline(true);
  await typeSlowly(page, offline, random);
  await page.reload({ timeout: WAIT_MS });
  await page.getByTestId('editor-content').waitFor({ timeout: WAIT_MS });
  const afterReloadText = await editorText(page);
  await caretAtEnd(page);
  await typeSlowly(page, afterReload, random);
  const back = performance.now();
  await context.setOffline(false);
  await savedLocator(page).waitFor({ timeout: WAIT_MS });
  const drainMs = round(performance.now() - back);
  const inEditor = await editorText(page);

  await page.getByTestId('submit').click();
  await page.getByTestId('confirm-action').click();
  await page.waitForURL(/\/exams\/[^/]+\/receipt$/, { timeout: WAIT_MS });
  const row = page.getByTestId('receipt-answer').filter({ hasText: 'Add two numbers' });
  const receiptSha = (await row.getByTestId('receipt-sha256').innerText()).trim();
  await closeProfile(session);
  return {
    typed: text.length,
    lost: lostCount(base, text, receiptSha),
    lostInEditorAtReload: base.length + 2 * OFFLINE_KEYS - commonPrefix(afterReloadText, base + online + offline),
    editorMatches: inEditor === base + text,
    drainMs,
  };
}

/** How many typed characters the server's copy lacks, by the longest prefix of what was typed whose SHA-256 it has. */
function lostCount(base, text, receiptSha) {
  for (let kept = text.length; kept >= 0; kept -= 1) {
    if (sha256(base + text.slice(0, kept)) === receiptSha) return text.length - kept;
  }
  return 'unknown: the receipt matches no prefix of what was typed';
}

function commonPrefix(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}

// ---------------------------------------------------------------------------
// Rounds and reports.

function round(value) {
  return value === undefined || !Number.isFinite(value) ? undefined : Math.round(value);
}

function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

const median = (values) => {
  const defined = values.filter((value) => typeof value === 'number');
  if (defined.length === 0) return undefined;
  const sorted = [...defined].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs `work` against a fresh `examhall demo`, and stops it afterwards. */
async function withServer(work) {
  const { server, password } = await startServer();
  try {
    return await work(server, password);
  } finally {
    await stopServer(server);
  }
}

/** One round: the loads of each kind of origin, the autosave latency and the offline test. */
async function runRound(index, random) {
  const loadAtStart = load1();
  const result = { round: index, load: { start: loadAtStart } };
  await withServer(async (server, password) => {
    log(`round ${index}: loads, ${ORIGIN_KINDS.trusted.name} (load ${load1()})`);
    const trusted = await originLoads('trusted', server, password, { keepOpen: true });
    result.trusted = trusted.loads;
    log(`round ${index}: Python boot diagnostics`);
    result.boot = await bootDiagnostics(trusted.session.page);
    log(`round ${index}: autosave latency, ${KEYSTROKES} keystrokes (load ${load1()})`);
    result.autosave = await autosaveLatency(trusted.session.page, KEYSTROKES, random);
    await closeProfile(trusted.session);
    checkDeadline();
    log(`round ${index}: loads, ${ORIGIN_KINDS.http.name} (load ${load1()})`);
    result.http = (await originLoads('http', server, password, { keepOpen: false })).loads;
    checkDeadline();
    log(`round ${index}: offline and reload, ${3 * OFFLINE_KEYS} keystrokes (load ${load1()})`);
    result.offline = await noLoss(server.httpUrl, 'student3@demo.example', password, random);
  });
  checkDeadline();
  // The first student of a fresh demo: each student can start the exam once.
  await withServer(async (server, password) => {
    log(`round ${index}: loads, ${ORIGIN_KINDS.certError.name} (load ${load1()})`);
    result.certError = (await originLoads('certError', server, password, { keepOpen: false })).loads;
  });
  result.load.end = load1();
  return result;
}

const LOADS = [['first', 'first visit (Start click)'], ['cold', 'cold'], ['warm', 'warm'], ['restarted', 'warm, browser restarted']];
const ORIGINS = Object.entries(ORIGIN_KINDS).map(([key, { name }]) => [key, name]);
const mb = (bytes) => (bytes === undefined ? '' : (bytes / 1e6).toFixed(2));
const cell = (value) => (value === undefined ? '' : String(value));

function readyTable(rounds) {
  const head = rounds.map((r) => `round ${r.round}`);
  const lines = [`| origin | load | ${head.join(' | ')} | median |`, `| --- | --- |${' ---: |'.repeat(head.length + 1)}`];
  for (const [key, name] of ORIGINS) {
    for (const [load, label] of LOADS) {
      const values = rounds.map((r) => r[key][load].readyMs);
      lines.push(`| ${name} | ${label} | ${values.map(cell).join(' | ')} | ${cell(median(values))} |`);
    }
  }
  return lines.join('\n');
}

function breakdownTable(rounds) {
  const columns = [
    ['editor ms', (l) => l.editorMs],
    ['Python ms', (l) => l.pythonMs],
    ['Run answered ms', (l) => l.runAnsweredMs],
    ['document ms', (l) => l.documentMs],
    ['worker created ms', (l) => l.workerCreatedMs],
    ['wasm downloaded ms', (l) => l.wasmDownloadedMs],
    ['stdlib downloaded ms', (l) => l.stdlibDownloadedMs],
    ['boot after last download ms', (l) => l.bootAfterLastDownloadMs],
    ['MB transferred', (l) => l.bytes, mb],
    ['MB before ready', (l) => l.bytesBeforeReady, mb],
    ['MB by the service worker', (l) => l.bytesByServiceWorker, mb],
    ['requests', (l) => l.requests],
  ];
  const lines = [
    `| origin | load | ${columns.map(([name]) => name).join(' | ')} |`,
    `| --- | --- |${' ---: |'.repeat(columns.length)}`,
  ];
  for (const [key, name] of ORIGINS) {
    for (const [load, label] of LOADS) {
      const values = columns.map(([, pick, format = cell]) => format(median(rounds.map((r) => pick(r[key][load])))));
      lines.push(`| ${name} | ${label} | ${values.join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

function bootTable(rounds) {
  const lines = [
    '| round | wasm compile, fresh (ms) | second loadPyodide (ms) | of which instantiateStreaming (ms) | runner imports (ms) | boot from a memory snapshot (ms) | snapshot MB | gzipped MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rounds) {
    const b = r.boot;
    const snapshot = b.snapshotError ?? cell(b.snapshotBootMs);
    lines.push(`| ${r.round} | ${cell(b.compileMs)} | ${cell(b.loadPyodideMs)} | ${cell(b.instantiateMs)} | ${cell(b.importMs)} | ${snapshot} | ${mb(b.snapshotBytes)} | ${mb(b.snapshotGzipBytes)} |`);
  }
  return lines.join('\n');
}

function autosaveTable(rounds) {
  const lines = [
    '| round | load at start → end | keystrokes | batches | p50 ms | p95 ms | max ms | over 2.5 s | not acknowledged | offline test: lost of typed | lost in the editor at reload | drain after online ms |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
  ];
  for (const r of rounds) {
    const a = r.autosave;
    const o = r.offline;
    lines.push(`| ${r.round} | ${r.load.start} → ${r.load.end} | ${a.keystrokes} | ${a.batches} | ${cell(a.p50Ms)} | ${cell(a.p95Ms)} | ${cell(a.maxMs)} | ${a.over2500Ms} | ${a.unacknowledged} | ${o.lost} of ${o.typed} | ${o.lostInEditorAtReload} | ${o.drainMs} |`);
  }
  return lines.join('\n');
}

/** Waits (bounded) for the load average to fall to QUIET_LOAD, if set. */
async function waitForQuiet() {
  if (QUIET_LOAD === undefined) return;
  const until = Date.now() + QUIET_WAIT_MS;
  if (load1() > QUIET_LOAD) log(`waiting for a load of ${QUIET_LOAD} (now ${load1()})`);
  while (load1() > QUIET_LOAD && Date.now() < until) {
    checkDeadline();
    await sleep(5000);
  }
}

async function main() {
  log(`bench-exam-page: ${ROUNDS} rounds, binary ${process.env.EXAMHALL_BIN}, load ${load1()}`);
  const random = randomSource(SEED);
  const rounds = [];
  for (let index = 1; index <= ROUNDS; index += 1) {
    checkDeadline();
    await waitForQuiet();
    const result = await runRound(index, random);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    rounds.push(result);
  }
  process.stdout.write(`\nReady to run Python (ms from navigation start; first visit: from the Start click):\n\n${readyTable(rounds)}\n`);
  process.stdout.write(`\nMedians over the rounds:\n\n${breakdownTable(rounds)}\n`);
  process.stdout.write(`\nPython boot, measured again in the worker of the trusted HTTPS page:\n\n${bootTable(rounds)}\n`);
  process.stdout.write(`\nAutosave and the offline test, per round:\n\n${autosaveTable(rounds)}\n`);
}

const hardStop = setTimeout(() => {
  log(`time limit of ${TIME_LIMIT_S} s reached: stopping`);
  void stopEverything().finally(() => process.exit(2));
}, TIME_LIMIT_S * 1000 + WAIT_MS);
hardStop.unref();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void stopEverything().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  log(`bench-exam-page failed: ${error.stack ?? error}`);
} finally {
  await stopEverything();
  clearTimeout(hardStop);
}
