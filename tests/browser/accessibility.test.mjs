// axe-core (WCAG 2.1 A and AA) on the screens of every role of the demo:
// signed out, student, instructor, reviewer, proctor, org and platform admin, each
// screen checked once it shows its content. A regression on any of them
// fails here.
//
//   cargo build
//   EXAMHALL_BIN=target/debug/examhall node --test tests/browser/accessibility.test.mjs
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible } from './axe.mjs';
import { chainedSteps, DEMO_PASSWORD, demoStory, FIRST_DAY_PEOPLE, redeem, SETUP_LINK, signInFromLink, SIGNED_OUT } from './harness.mjs';

const story = demoStory((line) => SIGNED_OUT.test(line) || line === 'console error: An SSL certificate error occurred when fetching the script.');

/** A person of the demo signed in on a computer of their own, on `landing`. */
async function signedIn(email, password, landing) {
  const page = await story.computer();
  await page.goto(story.at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
  return page;
}

/**
 * Opens `path` on `page` (or checks it as it is), waits until the screen has
 * loaded (its heading shows, no "Loading…" line is left) and checks it.
 */
async function check(page, path) {
  if (path !== null) await page.goto(story.at(path));
  await page.locator('h1').first().waitFor();
  await page.waitForFunction(() => document.querySelector('.loading') === null, undefined, { timeout: 30_000 });
  await assertAccessible(page, path ?? new URL(page.url()).pathname);
}

test('every screen of every role passes axe (WCAG 2.1 AA)', { timeout: 600_000 }, async (t) => {
  const step = chainedSteps(t);
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  let examPath;

  await step('signed out: the sign-in page and the readiness check', async () => {
    const page = await story.computer();
    await page.goto(story.at('/signin?org=demo'));
    await check(page, null);
    // The control: a picture without a text equivalent, planted, is found.
    await page.evaluate(() => { document.querySelector('main').insertAdjacentHTML('beforeend', '<img src="/favicon.ico" data-planted>'); });
    await assert.rejects(assertAccessible(page, 'the planted picture'), /image-alt/);
    await check(page, '/check');
  });

  await step('student: home, the exam landing, the exam page, the receipt, the account', async () => {
    const page = await signedIn('student2@demo.example', password, '/home');
    await check(page, null);
    await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
    await page.getByTestId('exam-start').waitFor();
    await check(page, null);
    await page.getByTestId('exam-start').click();
    await page.waitForURL(/\/exams\/[^/]+\/take$/);
    await page.getByTestId('editor-content').waitFor();
    await check(page, null);
    await page.getByTestId('submit').click();
    await assertAccessible(page, 'the submit summary');
    await page.getByTestId('confirm-action').click();
    await page.waitForURL(/\/exams\/[^/]+\/receipt$/);
    await page.getByTestId('receipt-download').waitFor();
    await check(page, null);
    await check(page, '/account');
  });

  await step('instructor: courses, a course, an exam and each of its pages', async () => {
    const page = await signedIn('instructor@demo.example', password, '/courses');
    await check(page, null);
    await page.locator('[data-testid="my-course"][data-code="CS101"]').getByTestId('my-course-link').click();
    await page.waitForURL(/\/courses\/[^/]+$/);
    await assertAccessible(page, 'the course page');
    await page.getByRole('link', { name: 'Python warm-up' }).first().click();
    await page.waitForURL(/\/courses\/[^/]+\/exams\/[^/]+$/);
    examPath = new URL(page.url()).pathname;
    await assertAccessible(page, 'the exam page');
    for (const suffix of ['/edit', '/candidates', '/grading', '/similarity', '/policy']) {
      await check(page, examPath + suffix);
    }
  });

  await step('proctor: the live monitor', async () => {
    const page = await signedIn('proctor@demo.example', password, '/courses');
    await check(page, `${examPath}/monitor`);
  });

  await step('reviewer: the exam, its grading and similarity', async () => {
    const page = await signedIn('reviewer@demo.example', password, '/courses');
    await check(page, examPath);
    await check(page, `${examPath}/grading`);
  });

  await step('platform admin: organizations, status and the checks\' report', async () => {
    const { it } = FIRST_DAY_PEOPLE;
    const [, setupLink] = await story.server.waitForLine(SETUP_LINK);
    const page = await story.computer();
    await redeem(page, setupLink, it.password, it);
    await signInFromLink(page, it, '/platform');
    await check(page, null);
    await page.getByTestId('doctor-run').click();
    await page.getByTestId('doctor-checks').waitFor();
    await assertAccessible(page, 'the status page with the checks\' report');
  });

  await step('org admin: every section of the administration', async () => {
    const page = await signedIn('admin@demo.example', password, '/admin');
    for (const section of ['users', 'courses', 'roles', 'roster', 'audit', 'backups', 'retention']) {
      await check(page, `/admin/${section}`);
    }
  });
});
