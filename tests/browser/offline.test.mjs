// Browser test of the exam without a network: a student of the demo
// organization starts "Python warm-up" over plain HTTP on loopback (browsers
// refuse service workers on an origin with a certificate error), waits until
// the service worker controls the page and has cached the shell, the assets
// and Python, then loses the network, keeps typing, reloads the page, runs
// Python, closes the page and opens the exam in a new one, all offline; back
// online, the queue drains, and the receipt holds the SHA-256 of what was typed.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && npm run test:browser
//
// See harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectEditorText, replaceCode, sha256, typeAtEnd, waitOfflineCopy, waitQueuedHere, waitSaved } from './editor.mjs';
import { chainedSteps, DEMO_PASSWORD, oneComputerStory, signInFromLink } from './harness.mjs';

const PYTHON_TIMEOUT_MS = 120_000;

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, and what the exam page asks the server while the test has taken the
 * network down (ERR_INTERNET_DISCONNECTED): who is signed in, the saves of
 * exam `examId`, its resume after the reload, and its announcements' stream
 * trying to reconnect. Everything else the page
 * needs offline comes from the service worker's cache: any other failed
 * request is a problem.
 */
const expected = (line, examId) =>
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at http:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  ['/api/v1/session', `/api/v1/me/exams/${examId}/saves`, `/api/v1/me/exams/${examId}/resume`, `/api/v1/me/exams/${examId}/announcements/events`].some((path) =>
    line === `console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED at ${at(path)}`);

// Browsers refuse service workers on certificate errors: the story uses the loopback HTTP listener.
const story = oneComputerStory({ loopbackHttp: true });
const { at } = story;

test('a student keeps working through reloads and a new window while the network is down', async (t) => {
  const step = chainedSteps(t);
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  const student = { email: 'student1@demo.example', password };
  let page = story.context.pages()[0] ?? (await story.context.newPage());
  let takePath;

  await step('signs in over plain HTTP on loopback and starts the exam', async () => {
    await page.goto(at(`/signin?org=demo&email=${encodeURIComponent(student.email)}`));
    await signInFromLink(page, student, '/home');
    await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
    await page.waitForURL(/\/exams\/[^/]+$/);
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/exams\/[^/]+\/take$/);
    takePath = new URL(page.url()).pathname;
    await page.getByTestId('editor-content').waitFor();
  });

  await step('the service worker controls the page and has cached what the exam needs', async () => {
    await waitOfflineCopy(page, PYTHON_TIMEOUT_MS);
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), at('/sw.js'));
    const cached = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((name) => name.startsWith('examhall-offline-'));
      const cache = await caches.open(names[0]);
      const requests = await cache.keys();
      let bytes = 0;
      for (const request of requests) bytes += (await (await cache.match(request)).arrayBuffer()).byteLength;
      return { names, bytes, paths: requests.map((request) => new URL(request.url).pathname) };
    });
    // Python has started, from the memory snapshot the server ships with the runtime.
    await page.locator('html[data-python-start="snapshot"]').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    await replaceCode(page, 'print("fresh start")\n');
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="ran"]').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    assert.match(await page.getByTestId('output').innerText(), /fresh start/);
    assert.equal(cached.names.length, 1);
    assert.ok(cached.paths.includes('/index.html'));
    assert.ok(cached.paths.some((path) => /^\/assets\/main-[\w-]+\.js$/.test(path)));
    // The five runtime files and Python's memory snapshot.
    assert.equal(cached.paths.filter((path) => path.startsWith('/pyodide/')).length, 6);
    assert.ok(cached.paths.includes('/favicon.svg'), 'every file the page loads, the favicon too');
    t.diagnostic(`cached ${cached.paths.length} files, ${(cached.bytes / 1048576).toFixed(1)} MiB`);
  });

  const solution = 'def add(a, b):\n    return a + b\n';
  const lines = ['# typed offline', '\n# after the reload', '\n# in a new window'];
  const typed = () => solution + lines.join('');

  await step('offline, typing goes on and the changes wait', async () => {
    await replaceCode(page, solution);
    await page.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 15_000 });
    await story.context.setOffline(true);
    await typeAtEnd(page, lines[0]);
    await page.getByTestId('offline').waitFor({ timeout: 15_000 });
    assert.match(await page.getByTestId('save-status').innerText(), /changes? waiting to be saved/);
  });

  await step('a reload without the network brings the exam back with everything typed', async () => {
    // The network is down for the service worker too: the shell comes from its cache.
    const [worker] = story.context.serviceWorkers();
    assert.ok(worker, 'the service worker runs');
    assert.equal(await worker.evaluate(() => fetch('/index.html', { cache: 'no-store' }).then(() => 'reached', () => 'failed')), 'failed');
    await page.reload();
    await page.getByTestId('editor-content').waitFor({ timeout: 30_000 });
    await expectEditorText(page, solution + lines[0]);
    assert.equal(await page.getByTestId('question-tab').count(), 2);
    await page.getByTestId('offline').waitFor({ timeout: 15_000 });
    assert.ok(Number(await page.getByTestId('save-status').getAttribute('data-waiting')) > 0);
    assert.match(await page.getByTestId('timer').innerText(), /\d+:\d\d/);
    const favicon = await page.evaluate(() => fetch('/favicon.svg').then((response) => response.ok, () => false));
    assert.equal(favicon, true, 'the favicon comes from the cache while offline');
    await typeAtEnd(page, lines[1]);
    await expectEditorText(page, solution + lines[0] + lines[1]);
  });

  await step('Run works offline: Python and its memory snapshot come from the cache', async () => {
    await page.getByTestId('run').click();
    await page.locator('[data-testid="run-status"][data-phase="ran"]').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    assert.equal(await page.locator('html').getAttribute('data-python-start'), 'snapshot');
    await page.getByTestId('test').click();
    await page.locator('[data-testid="run-status"][data-phase="tested"]').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    assert.equal(await page.getByTestId('test-result').first().getAttribute('data-passed'), 'true');
  });

  await step('closing the page and opening the exam in a new one, still offline, keeps everything', async () => {
    // Let the last keystrokes reach IndexedDB before the page goes.
    await waitQueuedHere(page);
    // The new page opens before the old one closes: closing a browser's last
    // page ends its session, and with it the session cookie (it has no Max-Age).
    const old = page;
    page = await story.context.newPage();
    await old.close();
    await page.goto(at(takePath));
    await page.getByTestId('editor-content').waitFor({ timeout: 30_000 });
    await expectEditorText(page, solution + lines[0] + lines[1]);
    await page.getByTestId('offline').waitFor({ timeout: 15_000 });
    await typeAtEnd(page, lines[2]);
    await expectEditorText(page, typed());
  });

  await step('online again, the queue drains, and the receipt holds the SHA-256 of what was typed', async () => {
    await story.context.setOffline(false);
    await waitSaved(page, 45_000);
    await page.getByTestId('submit').click();
    await page.getByTestId('confirm-action').click();
    await page.waitForURL(/\/exams\/[^/]+\/receipt$/);
    await page.getByTestId('receipt').waitFor();
    const row = page.getByTestId('receipt-answer').filter({ hasText: 'Add two numbers' });
    assert.equal((await row.getByTestId('receipt-sha256').innerText()).trim(), sha256(typed()));
  });

  await step('no CSP violation or unexpected error on the way', () => {
    const examId = takePath.split('/')[2];
    assert.deepEqual(story.problems.filter((line) => !expected(line, examId)), []);
  });
});
