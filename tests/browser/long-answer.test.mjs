// Browser test of a long answer edited offline: a 6 KB answer, 600 keys
// typed while the network is down, and every one of them saved once it
// returns, in batches bounded in bytes (an edit carries its change, never
// the whole answer), with nothing refused as too large and nothing resent
// forever. The receipt holds exactly what was typed.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256, waitQueuedHere, waitSaved } from './editor.mjs';
import { chainedSteps, DEMO_PASSWORD, oneComputerStory, signInFromLink } from './harness.mjs';

const KEYS = 600;

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, and the saves of exam `examId` the page tries while the test has taken
 * the network down (ERR_INTERNET_DISCONNECTED). Any other failed request is a problem.
 */
const expected = (line, examId) =>
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at http:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  line === `console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED at ${at(`/api/v1/me/exams/${examId}/saves`)}`;

const story = oneComputerStory({ loopbackHttp: true });
const { at } = story;

test('600 keys typed offline into a 6 KB answer are all saved when the network returns', async (t) => {
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  const step = chainedSteps(t);
  const page = story.context.pages()[0] ?? (await story.context.newPage());
  const long = `def add(a, b):\n    return a + b\n${'# a comment line that makes the answer long\n'.repeat(140)}`;
  const offlineLines = Array.from({ length: KEYS / 30 }, (_, line) => `# offline line ${String(line).padStart(2, '0')} ${'z'.repeat(11)}\n`);
  let examId;
  const saves = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/saves') && request.method() === 'POST') saves.push(request.postData()?.length ?? 0);
  });
  page.on('response', (response) => {
    if (response.url().endsWith('/saves')) saves.push(-response.status());
  });

  await step('a 6 KB answer is saved online', async () => {
    await page.goto(at('/signin?org=demo&email=student1%40demo.example'));
    await signInFromLink(page, { email: 'student1@demo.example', password }, '/home');
    await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/take$/);
    examId = new URL(page.url()).pathname.split('/')[2];
    // CodeMirror draws only the lines in view, so the text is put in as one
    // paste-like input and checked through the receipt, not the screen.
    await page.getByTestId('editor-content').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(long);
    assert.ok(long.length > 6000, `${long.length} characters`);
    await page.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 15_000 });
  });

  await step(`offline, ${KEYS} keys are typed one by one`, async () => {
    await story.context.setOffline(true);
    await page.getByTestId('editor-content').click();
    await page.keyboard.press('ControlOrMeta+End');
    for (const line of offlineLines) await page.keyboard.type(line);
    await waitQueuedHere(page, KEYS);
  });

  await step('online again, the queue drains to "Saved" and the receipt holds every key', async () => {
    const typed = long + offlineLines.join('');
    assert.equal(typed.length, long.length + KEYS);
    saves.length = 0;
    await story.context.setOffline(false);
    await waitSaved(page, 60_000);
    const sent = saves.filter((size) => size > 0);
    const refused = saves.filter((status) => status < 0 && status !== -200);
    assert.deepEqual(refused, [], 'no batch refused (413 or otherwise)');
    const largest = Math.max(...sent);
    assert.ok(largest < 300 * 1024, `the largest batch was ${largest} bytes`);
    t.diagnostic(`${sent.length} batches, ${sent.reduce((a, b) => a + b, 0)} bytes for ${KEYS} keys`);
    await page.getByTestId('submit').click();
    await page.getByTestId('confirm-action').click();
    await page.waitForURL(/\/receipt$/);
    const row = page.getByTestId('receipt-answer').filter({ hasText: 'Add two numbers' });
    assert.equal((await row.getByTestId('receipt-sha256').innerText()).trim(), sha256(typed));
  });

  await step('no CSP violation or unexpected error on the way', () => {
    assert.deepEqual(story.problems.filter((line) => !expected(line, examId)), []);
  });
});
