// Browser test of the exam-room readiness check against the real examhall
// binary: `examhall demo --listen 127.0.0.1:0`, driven by the system's
// Chromium through playwright-core (nothing is downloaded). Over loopback
// HTTP (a secure context without a certificate) every check passes; over
// HTTPS with the demo's self-signed certificate, which this browser does not
// trust, the offline check fails and says what IT should do. With the
// browser's storage quota cut to what a nearly full disk leaves (through the
// DevTools protocol), the check says to free disk space, and a student's exam
// page says it has no offline copy while saving to the server as usual.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && npm run test:browser
//
// EXAMHALL_BIN overrides the binary (default target/debug/examhall from the
// repository root); CHROMIUM_PATH overrides /usr/bin/chromium. The shared
// start-up and clean-up live in harness.mjs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typeAtEnd, waitSaved } from './editor.mjs';
import { DEMO_PASSWORD, oneComputerStory, signInFromLink } from './harness.mjs';

const PYTHON_TIMEOUT_MS = 60_000;

const story = oneComputerStory({ loopbackHttp: true });
let problemsSoFar = 0;

/** Waits until the scratch area has finished its `count`th run. */
function runFinished(page, count) {
  return page.locator(`[data-testid="run-status"][data-runs="${count}"]`).waitFor({ timeout: 30_000 });
}

test('the readiness check passes and the scratch area runs a Python program', { timeout: 180_000 }, async () => {
  const origin = new URL(story.at('/')).origin;
  const requests = [];
  const wasmResponses = [];

  story.context.on('request', (request) => requests.push(request.url()));
  story.context.on('response', (response) => {
    if (new URL(response.url()).pathname.endsWith('.wasm')) {
      wasmResponses.push({ url: response.url(), type: response.headers()['content-type'] });
    }
  });
  const page = story.context.pages()[0] ?? (await story.context.newPage());
  await page.goto(story.at('/check'));

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

  // data: and blob: URLs are the browser's own memory (the Python sandbox imports the runtime from blob: URLs).
  const foreign = requests.filter((url) => !/^(data|blob):/.test(url) && new URL(url).origin !== origin);
  assert.deepEqual(foreign, [], 'every request goes to the examhall server');
  assert.ok(wasmResponses.length > 0, 'the Pyodide wasm was fetched');
  for (const response of wasmResponses) {
    assert.equal(response.type, 'application/wasm', response.url);
  }
  assert.deepEqual(story.problems, [], 'no console error, uncaught error or CSP violation');
});

test('on a certificate the browser does not trust, the check says offline mode will not work and what IT should do', async () => {
  const page = await story.context.newPage();
  await page.goto(new URL('/check', story.server.url).href);
  const check = page.locator('[data-testid="check-serviceWorker"]:not([data-status="pending"])');
  await check.waitFor({ timeout: 20_000 });
  assert.equal(await check.getAttribute('data-status'), 'fail');
  const text = await page.getByTestId('check-serviceWorker-text').innerText();
  assert.match(text, /does not trust the examhall server’s certificate, so the exam page cannot work offline/);
  assert.match(text, /tls\.cert_file/);
  assert.match(await page.getByTestId('check-serviceWorker-detail').innerText(), /certificate/i);
  await page.close();
  const unexpected = story.problems.filter((line) => line !== 'console error: An SSL certificate error occurred when fetching the script.');
  assert.deepEqual(unexpected, []);
});

test('with too little storage for the offline copy, the check says to free disk space and the exam page says so too', async () => {
  const origin = new URL(story.at('/')).origin;
  const page = await story.context.newPage();
  await page.goto(story.at('/check'));
  // What Chromium grants an origin when the disk is nearly full; the copy from the first test goes first.
  const devtools = await story.context.newCDPSession(page);
  await devtools.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 256 * 1024 });
  await page.evaluate(async () => { for (const name of await caches.keys()) await caches.delete(name); });
  problemsSoFar = story.problems.length;
  await page.reload();

  const check = page.locator('[data-testid="check-serviceWorker"]:not([data-status="pending"])');
  await check.waitFor({ timeout: 60_000 });
  assert.equal(await check.getAttribute('data-status'), 'fail', await check.innerText());
  assert.match(await page.getByTestId('check-serviceWorker-text').innerText(), /disk is nearly full.*Free some disk space/);
  assert.match(await page.getByTestId('check-serviceWorker-detail').innerText(), /QuotaExceededError/);

  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  await page.goto(story.at(`/signin?org=demo&email=${encodeURIComponent('student3@demo.example')}`));
  await signInFromLink(page, { email: 'student3@demo.example', password }, '/home');
  await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
  await page.getByTestId('exam-start').click();
  await page.waitForURL(/\/take$/);
  const notice = page.getByTestId('offline-copy-failed');
  await notice.waitFor({ timeout: 60_000 });
  assert.match(await notice.innerText(), /disk is too full to keep a copy of the exam page.*do not reload or close this page/);
  assert.equal(await notice.getAttribute('role'), 'status', 'a screen reader announces it');
  assert.equal(await page.locator('html').getAttribute('data-offline-ready'), 'false');
  await typeAtEnd(page, '# still saved to the server\n');
  await waitSaved(page);
  await page.close();
  // The sign-in page asks who is signed in before anyone is.
  const signedOut = /^console error: Failed to load resource: the server responded with a status of 401 \S* at http:\/\/[^/]+\/api\/v1\/session$/;
  const unexpected = story.problems.slice(problemsSoFar).filter((line) => !signedOut.test(line));
  assert.deepEqual(unexpected, [], 'no console error, uncaught error or CSP violation');
});
