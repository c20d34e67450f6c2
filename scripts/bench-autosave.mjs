#!/usr/bin/env node
// Measures autosave in headless Chromium, for docs/benchmarks.md
// ("Autosave"): bytes sent and stored per typed character in a 6 KB answer,
// and the time from a key to "Saved", online and after reconnecting with
// 1,000 queued edits. Loopback only; bounded by ROUNDS, KEYS and
// TIME_LIMIT_S; it stops only the servers and browsers it started.
//
//   cargo build                      (or --release, with EXAMHALL_BIN)
//   node scripts/bench-autosave.mjs > autosave.md     (progress on stderr)
//
// Environment: EXAMHALL_BIN (default target/debug/examhall; give two,
// separated by a comma, to compare two builds in one run), CHROMIUM_PATH,
// ROUNDS (3), KEYS (200 typed online per round), QUEUED (1000 typed offline
// per round), TIME_LIMIT_S (1200), SEED (1, for the typing pace).
//
// Per round and binary, a fresh `examhall demo` (loopback HTTP listener, a
// fresh browser profile): student1 starts "Python warm-up", puts a 6 KB
// answer into question 1 and waits until it is saved; then
// 1. online: KEYS characters typed one at a time at the end, 150-450 ms
//    apart; for each, the time from the key until the page shows "Saved"
//    (data-waiting="0") if it does before the next key, else until it next
//    does (an upper bound). Bytes sent: the bodies of POST .../saves; bytes
//    stored: the JSON text of the items the server acknowledged (what its log
//    keeps per item; the old protocol kept the item's code and data as JSON).
// 2. reconnect: the network cut, QUEUED characters typed, the network back:
//    the time until "Saved" (at most DRAIN_LIMIT_S, 120; past it the queue
//    counts as lost); then Submit, and the receipt's SHA-256 of question 1
//    against that of what was typed (any difference is a lost edit).
// Prints a JSON line per round on stderr and markdown tables on stdout.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const harness = await import('../tests/browser/harness.mjs');
const binaries = (process.env.EXAMHALL_BIN ?? 'target/debug/examhall').split(',').map((path) => resolve(harness.repoRoot, path));
const { chromium } = createRequire(join(harness.repoRoot, 'assets', 'package.json'))('playwright-core');

const setting = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const ROUNDS = setting('ROUNDS', 3);
const KEYS = setting('KEYS', 200);
const QUEUED = setting('QUEUED', 1000);
const TIME_LIMIT_S = setting('TIME_LIMIT_S', 1200);
/** How long the queued edits may take to reach "Saved" before they count as lost. */
const DRAIN_LIMIT_MS = setting('DRAIN_LIMIT_S', 120) * 1000;
let seed = setting('SEED', 1);
const started = performance.now();
const LONG = `def add(a, b):\n    return a + b\n${'# a comment line that makes the answer long\n'.repeat(140)}`;
const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
const log = (...parts) => process.stderr.write(`${parts.join(' ')}\n`);

function random() {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Bytes of the items acknowledged, as the server's log keeps them. */
function storedBytes(item) {
  if ('changes' in item || item.kind === 'snapshot' || item.kind === 'recovered') return JSON.stringify(item).length;
  return JSON.stringify({ code: item.code, data: item.data ?? null }).length;
}

async function round(binary) {
  const server = await harness.startServer({ loopbackHttp: true, program: binary });
  const [, password] = await server.waitForLine(harness.DEMO_PASSWORD);
  const profile = await harness.tempDir('examhall-bench-autosave-');
  const context = await chromium.launchPersistentContext(profile, { executablePath: harness.chromiumPath, args: harness.CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const at = (path) => new URL(path, server.httpUrl).href;
    const sent = [];
    const pendingItems = new Map();
    let stored = 0;
    page.on('request', (request) => {
      if (!request.url().endsWith('/saves') || request.method() !== 'POST') return;
      const body = request.postData() ?? '';
      sent.push(Buffer.byteLength(body));
      for (const item of JSON.parse(body).items) pendingItems.set(item.seq, item);
    });
    page.on('response', async (response) => {
      if (!response.url().endsWith('/saves') || response.status() !== 200) return;
      const { acked_seq: acked } = await response.json().catch(() => ({ acked_seq: 0 }));
      for (const [seq, item] of pendingItems) {
        if (seq <= acked) {
          stored += storedBytes(item);
          pendingItems.delete(seq);
        }
      }
    });
    await page.goto(at('/signin?org=demo&email=student1%40demo.example'));
    await harness.signInFromLink(page, { email: 'student1@demo.example', password }, '/home');
    await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/take$/);
    await page.getByTestId('editor-content').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(LONG);
    const saved = page.locator('[data-testid="save-status"][data-waiting="0"]');
    await saved.waitFor({ timeout: 60_000 });
    await page.waitForTimeout(2500);
    const baseline = { sent: sent.reduce((a, b) => a + b, 0), stored };

    // 1. Online.
    let typed = LONG;
    const latencies = [];
    await page.keyboard.press('ControlOrMeta+End');
    for (let key = 0; key < KEYS; key += 1) {
      const char = key % 40 === 39 ? '\n' : String.fromCharCode(97 + (key % 26));
      const pause = 150 + Math.floor(random() * 300);
      const before = performance.now();
      await page.keyboard.type(char);
      typed += char;
      await page.locator('[data-testid="save-status"]:not([data-waiting="0"])').waitFor({ timeout: 5000 }).catch(() => undefined);
      await saved.waitFor({ timeout: 60_000 });
      latencies.push(performance.now() - before);
      await page.waitForTimeout(Math.max(0, pause - (performance.now() - before)));
    }
    await saved.waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    const online = {
      sentPerChar: (sent.reduce((a, b) => a + b, 0) - baseline.sent) / KEYS,
      storedPerChar: (stored - baseline.stored) / KEYS,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };

    // 2. Offline, then reconnect.
    await context.setOffline(true);
    for (let key = 0; key < QUEUED; key += 1) {
      const char = key % 40 === 39 ? '\n' : 'q';
      await page.keyboard.type(char);
      typed += char;
    }
    await page.waitForFunction((want) => Number(document.querySelector('[data-testid="save-status"]')?.getAttribute('data-waiting')) >= want, QUEUED);
    const back = performance.now();
    await context.setOffline(false);
    const drained = await saved.waitFor({ timeout: DRAIN_LIMIT_MS }).then(() => performance.now() - back, () => Number.NaN);
    // A build that never drains the queue has lost the offline edits as far as the server knows.
    if (Number.isNaN(drained)) return { binary, ...online, reconnectMs: drained, lost: true };
    await page.getByTestId('submit').click();
    await page.getByTestId('confirm-action').click();
    await page.waitForURL(/\/receipt$/);
    const row = page.getByTestId('receipt-answer').filter({ hasText: 'Add two numbers' });
    const lost = (await row.getByTestId('receipt-sha256').innerText()).trim() !== sha256(typed);
    return { binary, ...online, reconnectMs: drained, lost };
  } finally {
    await context.close();
    await harness.stopServer(server.process);
  }
}

const results = [];
for (let index = 0; index < ROUNDS && (performance.now() - started) / 1000 < TIME_LIMIT_S; index += 1) {
  for (const binary of binaries) {
    const result = await round(binary);
    log(JSON.stringify(result));
    results.push(result);
  }
}
await harness.cleanup();

const median = (values) => percentile(values, 50);
console.log('| build | bytes sent per typed character | bytes stored per typed character | key to "Saved", p50 | p99 | 1,000 queued edits: reconnect to "Saved" | edits lost |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const binary of binaries) {
  const mine = results.filter((r) => r.binary === binary);
  const ms = (value) => (Number.isNaN(value) ? 'never' : `${Math.round(value)} ms`);
  console.log(
    `| ${binary} | ${Math.round(median(mine.map((r) => r.sentPerChar)))} | ${Math.round(median(mine.map((r) => r.storedPerChar)))} | ` +
      `${ms(median(mine.map((r) => r.p50)))} | ${ms(median(mine.map((r) => r.p99)))} | ${ms(median(mine.map((r) => r.reconnectMs)))} | ` +
      `${mine.filter((r) => r.lost).length} of ${mine.length} rounds |`,
  );
}
