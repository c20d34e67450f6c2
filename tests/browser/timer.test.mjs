// Browser test of the exam timer's warnings: a student of the demo starts
// "Python warm-up" (60 minutes) on the test clock (harness.mjs): the story
// jumps the server and the page's clock (Playwright's) forward together, so
// the page's estimate of the server's clock stays right whenever a save or
// heartbeat answer refreshes it. Jumping 50½ minutes shows "10 minutes
// left.", 9 more "1 minute left.", announced to screen readers, and the timer
// counts with it.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, and the service worker refused on the self-signed certificate. Any
 * other failed request is a problem.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

const story = demoStory(expected, { testClock: true });

/** Seconds left on the timer (`Time left: 9:58`, or h:mm:ss). */
async function secondsLeft(page) {
  const text = await page.getByTestId('timer').innerText();
  const parts = /(\d+(?::\d\d)+)/.exec(text)?.[1].split(':').map(Number);
  assert.ok(parts !== undefined, `a time on the timer: ${text}`);
  return parts.reduce((total, part) => total * 60 + part, 0);
}

test('the timer warns at 10 minutes and at 1 minute', async () => {
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  const page = await story.computer();
  const email = 'student3@demo.example';
  await page.goto(story.at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, '/home');
  await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
  await page.getByTestId('exam-start').click();
  await page.getByTestId('editor-content').waitFor();
  assert.ok((await secondsLeft(page)) > 59 * 60, 'a full hour to start with');

  await story.jump(50 * 60_000 + 30_000);
  await page.locator('[data-testid="time-warning"]', { hasText: '10 minutes left.' }).waitFor();
  assert.equal(await page.getByTestId('time-warning').getAttribute('role'), 'alert');
  assert.ok((await secondsLeft(page)) <= 10 * 60);

  await story.jump(9 * 60_000);
  await page.locator('[data-testid="time-warning"]', { hasText: '1 minute left.' }).waitFor();
  assert.ok((await secondsLeft(page)) <= 60);

  await page.context().close();
  assert.deepEqual(story.problems, [], 'no unexpected error in the browser');
});
