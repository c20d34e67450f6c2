// Browser test of a crash in the exam hall: a student starts "Python warm-up"
// (over plain HTTP on loopback, where browsers allow service workers), the
// network drops, they keep typing, and the whole browser closes. Reopened on
// the same computer, still offline, the exam comes back from the service
// worker with everything typed. Back online, the browser has forgotten the
// session cookie (it lives as long as the browser), so the first save asks
// the student to sign in again; after signing in they are back in the exam,
// the queue drains, and the receipt holds the SHA-256 of everything typed.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectEditorText, replaceCode, sha256, typeAtEnd, waitOfflineCopy, waitQueuedHere } from './editor.mjs';
import {
  chainedSteps,
  cleanup,
  DEMO_PASSWORD,
  launchPersistentContext,
  signInFromLink,
  startServer,
  stopServer,
  tempDir,
  watchProblems,
} from './harness.mjs';

const PYTHON_TIMEOUT_MS = 120_000;

/**
 * Failures the story causes on purpose: "who is signed in?" while signed
 * out, the save that finds the session gone, and what the exam page asks the
 * server while the test has taken the network down
 * (ERR_INTERNET_DISCONNECTED): who is signed in, the saves of exam `examId`,
 * its resume when the browser reopens, and its announcements' stream trying
 * to reconnect. Everything else the page needs
 * offline comes from the service worker's cache: any other failed request is
 * a problem.
 */
const expected = (line, examId) =>
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at http:\/\/[^/]+\/api\/v1\/(session|me\/exams\/[^/]+\/saves)$/.test(line) ||
  ['/api/v1/session', `/api/v1/me/exams/${examId}/saves`, `/api/v1/me/exams/${examId}/resume`, `/api/v1/me/exams/${examId}/announcements/events`].some((path) =>
    line === `console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED at ${at(path)}`);

let server;
let context;
const problems = [];

before(async () => {
  server = await startServer({ loopbackHttp: true });
});

after(async () => {
  await context?.close();
  if (server !== undefined) await stopServer(server.process);
  await cleanup();
});

const at = (path) => new URL(path, server.httpUrl).href;


test('the browser closes mid-exam while offline; reopened, nothing typed is lost', async (t) => {
  const step = chainedSteps(t);
  const [, password] = await server.waitForLine(DEMO_PASSWORD);
  const student = { email: 'student1@demo.example', password };
  const profile = await tempDir('examhall-chromium-reopen-');
  const solution = 'def add(a, b):\n    return a + b\n';
  const lines = ['# before the crash', '\n# after reopening'];
  let page;
  let takePath;

  await step('starts the exam, and the service worker keeps it for offline use', async () => {
    context = await launchPersistentContext(profile);
    const seen = watchProblems(context);
    context.on('close', () => problems.push(...seen));
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(at(`/signin?org=demo&email=${encodeURIComponent(student.email)}`));
    await signInFromLink(page, student, '/home');
    await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/take$/);
    takePath = new URL(page.url()).pathname;
    await waitOfflineCopy(page, PYTHON_TIMEOUT_MS);
    await replaceCode(page, solution);
    await page.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 15_000 });
  });

  await step('offline, the student types on, and the browser closes', async () => {
    await context.setOffline(true);
    await typeAtEnd(page, lines[0]);
    await page.getByTestId('offline').waitFor({ timeout: 15_000 });
    // Every key is in this computer's stored queue before the browser goes.
    await waitQueuedHere(page, lines[0].length);
    await context.close();
    context = undefined;
  });

  await step('reopened on the same computer, still offline, the exam is there with everything typed', async () => {
    context = await launchPersistentContext(profile, { offline: true });
    const seen = watchProblems(context);
    context.on('close', () => problems.push(...seen));
    page = context.pages()[0] ?? (await context.newPage());
    await page.goto(at(takePath));
    await page.getByTestId('editor-content').waitFor({ timeout: 30_000 });
    await expectEditorText(page, solution + lines[0]);
    assert.ok(Number(await page.getByTestId('save-status').getAttribute('data-waiting')) > 0, 'the queue survived');
    await typeAtEnd(page, lines[1]);
    await expectEditorText(page, solution + lines.join(''));
  });

  await step('online again, the student signs in again and the queue drains into the exam', async () => {
    await context.setOffline(false);
    // The session cookie did not survive the browser: the save is refused and the page asks to sign in.
    await page.waitForURL(/\/signin\?/, { timeout: 45_000 });
    await page.getByTestId('sign-in-form').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('next'), takePath, 'the sign-in page returns to the exam');
    await page.getByTestId('sign-in-org').fill('demo');
    await page.getByTestId('sign-in-email').fill(student.email);
    await page.getByTestId('sign-in-password').fill(student.password);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('editor-content').waitFor({ timeout: 30_000 });
    assert.equal(new URL(page.url()).pathname, takePath, 'back in the exam after signing in');
    await page.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 45_000 });
    await expectEditorText(page, solution + lines.join(''));
    await page.getByTestId('submit').click();
    await page.getByTestId('confirm-action').click();
    await page.getByTestId('receipt').waitFor();
    const row = page.getByTestId('receipt-answer').filter({ hasText: 'Add two numbers' });
    assert.equal((await row.getByTestId('receipt-sha256').innerText()).trim(), sha256(solution + lines.join('')));
  });

  await step('no unexpected error on the way', async () => {
    await context.close();
    context = undefined;
    const examId = takePath.split('/')[2];
    assert.deepEqual(problems.filter((line) => !expected(line, examId)), []);
  });
});
