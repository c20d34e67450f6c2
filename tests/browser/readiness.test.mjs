// Browser test of the exam-room readiness check against the real examhall
// binary: `examhall demo --listen 127.0.0.1:0`, driven by the system's
// Chromium through playwright-core (nothing is downloaded).
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && npm run test:browser
//
// EXAMHALL_BIN overrides the binary (default target/debug/examhall from the
// repository root); CHROMIUM_PATH overrides /usr/bin/chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// playwright-core is a dev dependency of the front end: resolve it from assets/.
const { chromium } = createRequire(join(repoRoot, 'assets', 'package.json'))('playwright-core');

const binary = resolve(repoRoot, process.env.EXAMHALL_BIN ?? 'target/debug/examhall');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STARTUP_TIMEOUT_MS = 60_000;
const PYTHON_TIMEOUT_MS = 60_000;
const URL_PATTERN = /https:\/\/127\.0\.0\.1:\d+\//;

/** @type {{ process: import('node:child_process').ChildProcess, url: string, log: string[] }} */
let server;
/** @type {import('playwright-core').BrowserContext} */
let context;
const tempDirs = [];

/** Starts `examhall demo` and resolves with the URL it prints on stdout. */
async function startServer() {
  const workDir = await mkdtemp(join(tmpdir(), 'examhall-browser-test-'));
  tempDirs.push(workDir);
  const child = spawn(binary, ['demo', '--listen', '127.0.0.1:0'], {
    cwd: workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const remember = (line) => {
    log.push(line);
    if (log.length > 200) log.shift();
  };
  // Keep draining both pipes for the whole run, so the server never blocks on a full pipe.
  createInterface({ input: child.stderr }).on('line', remember);
  const stdout = createInterface({ input: child.stdout });

  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no URL on stdout within ${STARTUP_TIMEOUT_MS} ms:\n${log.join('\n')}`));
    }, STARTUP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`examhall exited (${code ?? signal}) before printing its URL:\n${log.join('\n')}`));
    });
    stdout.on('line', (line) => {
      remember(line);
      const match = URL_PATTERN.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        resolveUrl(match[0]);
      }
    });
  });
  return { process: child, url, log };
}

/** Ends the server by its PID: SIGTERM, then SIGKILL if it lingers. */
async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Waits until the scratch area has finished its `count`th run. */
function runFinished(page, count) {
  return page.locator(`[data-testid="run-status"][data-runs="${count}"]`).waitFor({ timeout: 30_000 });
}

before(async () => {
  server = await startServer();
  const profile = await mkdtemp(join(tmpdir(), 'examhall-chromium-'));
  tempDirs.push(profile);
  context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ignoreHTTPSErrors: true,
  });
});

after(async () => {
  await context?.close();
  if (server !== undefined) await stopServer(server.process);
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

test('the readiness check passes and the scratch area runs a Python program', { timeout: 180_000 }, async () => {
  const origin = new URL(server.url).origin;
  const requests = [];
  const wasmResponses = [];
  const problems = [];

  context.on('request', (request) => requests.push(request.url()));
  context.on('response', (response) => {
    if (new URL(response.url()).pathname.endsWith('.wasm')) {
      wasmResponses.push({ url: response.url(), type: response.headers()['content-type'] });
    }
  });
  // Console output of the page and of its worker; Chromium reports CSP violations here too.
  context.on('console', (message) => {
    if (message.type() === 'error' || /content security policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  context.on('weberror', (error) => problems.push(`uncaught: ${error.error().message}`));

  const page = context.pages()[0] ?? (await context.newPage());
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  await page.goto(new URL('/check', server.url).href);

  const python = page.getByTestId('check-python');
  await page.locator('[data-testid="check-python"]:not([data-status="pending"])').waitFor({ timeout: PYTHON_TIMEOUT_MS });
  assert.equal(
    await python.getAttribute('data-status'),
    'pass',
    `Python check failed: ${await python.innerText()}`,
  );
  assert.match(await page.getByTestId('check-python-detail').innerText(), /^Python 3\.\d+\.\d+, ready in [\d,]+ ms\.$/);

  const summary = page.getByTestId('summary');
  await page.locator('[data-testid="summary"][data-done="true"]').waitFor({ timeout: 10_000 });
  for (const id of ['modules', 'wasm', 'isolation', 'indexedDb', 'serviceWorker', 'secureContext']) {
    const check = page.getByTestId(`check-${id}`);
    assert.equal(await check.getAttribute('data-status'), 'pass', `${id}: ${await check.innerText()}`);
  }
  assert.equal(await summary.innerText(), 'This computer is ready for exams.');
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);

  const program = [
    'import sys',
    'total = sum(n * n for n in range(1, 11))',
    'print(f"sum of squares: {total}")',
    'print("careful", file=sys.stderr)',
    'print("done")',
  ].join('\n');
  await page.getByLabel('Python program').fill(program);
  await page.getByTestId('run').click();
  await runFinished(page, 1);

  const output = page.getByTestId('output');
  assert.equal(await output.textContent(), 'sum of squares: 385\ncareful\ndone\n');
  assert.deepEqual(await output.locator('[data-stream="stdout"]').allTextContents(), ['sum of squares: 385', 'done']);
  assert.deepEqual(await output.locator('[data-stream="stderr"]').allTextContents(), ['careful']);
  assert.match(await page.getByTestId('run-status').innerText(), /^Finished in [\d,]+ ms\.$/);

  // A runaway loop stops through the shared interrupt buffer, and Python still works after it.
  await page.getByLabel('Python program').fill('while True:\n    pass\n');
  await page.getByTestId('run').click();
  await page.locator('[data-testid="run-status"][data-phase="running"]').waitFor();
  await page.getByTestId('stop').click();
  await runFinished(page, 2);
  assert.equal(await page.getByTestId('run-status').innerText(), 'Stopped.');
  await page.getByLabel('Python program').fill('print(6 * 7)');
  await page.getByTestId('run').click();
  await runFinished(page, 3);
  assert.equal(await output.textContent(), '42\n');

  const foreign = requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
  assert.deepEqual(foreign, [], 'every request goes to the examhall server');
  assert.ok(wasmResponses.length > 0, 'the Pyodide wasm was fetched');
  for (const response of wasmResponses) {
    assert.equal(response.type, 'application/wasm', response.url);
  }
  assert.deepEqual(problems, [], 'no console error, uncaught error or CSP violation');
});
