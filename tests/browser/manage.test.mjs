// Browser test of the exam management page against the real examhall
// binary: the demo's instructor opens "Python warm-up" from CS101, gives two
// students 25% extra time (one of them sees it on the exam's page), watches
// another student's attempt start, extends the window by an hour, then closes
// the exam early: the running attempt is submitted at the deadline and the
// instructor sees the very receipt the student gets.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && node --test ../tests/browser/manage.test.mjs
//
// See harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callApi, chainedSteps, DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

/**
 * Failures the story causes on purpose, which the browser logs as errors:
 * "who is signed in?" before signing in, and the service worker, which
 * Chromium refuses to register on an origin whose certificate it does not
 * trust (the demo's is self-signed).
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

const story = demoStory(expected);
const { at, computer } = story;

/** Signs `email` of the demo organization in on a computer of their own; resolves on `landing`. */
async function signedIn(email, password, landing) {
  const page = await computer();
  await page.goto(at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
  return page;
}

/** The table row of one student on the management page. */
const rowOf = (page, email, state = undefined) =>
  page.locator(`[data-testid="attempt-row"][data-email="${email}"]${state === undefined ? '' : `[data-state="${state}"]`}`);

test('an instructor gives extra time, extends and closes an exam, and sees the receipts', { timeout: 300_000 }, async (t) => {
  const step = chainedSteps(t);

  let password;
  /** @type {import('playwright-core').Page} */
  let instructor;
  /** @type {import('playwright-core').Page} */
  let student1;
  let courseId;
  let examId;

  await step('the instructor signs in and opens the management page of Python warm-up from CS101', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    instructor = await signedIn('instructor@demo.example', password, '/courses');
    await instructor.locator('[data-testid="my-course"][data-code="CS101"]').getByTestId('my-course-link').click();
    await instructor.waitForURL(/\/courses\/[^/]+$/);
    courseId = decodeURIComponent(new URL(instructor.url()).pathname.split('/')[2]);
    const row = instructor.locator('[data-testid="exam-row"][data-title="Python warm-up"]');
    await row.waitFor();
    const exams = await callApi(instructor, 'GET', `/courses/${courseId}/exams`);
    examId = exams.find((exam) => exam.title === 'Python warm-up').id;
    const managePath = `/courses/${courseId}/exams/${examId}`;
    // The course page links each exam's title to its management page.
    const titleLink = row.getByTestId('exam-link');
    assert.equal(await titleLink.getAttribute('href'), managePath);
    await titleLink.click();
    await instructor.waitForURL(at(managePath));
    await instructor.getByTestId('manage-heading').waitFor();
    assert.equal(await instructor.getByTestId('manage-title').innerText(), 'Python warm-up');
    assert.equal(await instructor.getByTestId('manage-heading').getByTestId('exam-phase').innerText(), 'Open');
    assert.equal(await instructor.getByTestId('manage-duration').innerText(), '60 minutes');
    assert.equal(await instructor.title(), 'Python warm-up · examhall');
    assert.equal(
      await instructor.getByTestId('manage-candidates').getAttribute('href'),
      `/courses/${courseId}/exams/${examId}/candidates`,
    );
    assert.equal(await instructor.getByTestId('manage-edit').getAttribute('href'), `${managePath}/edit`);
    await instructor.getByTestId('attempts').waitFor();
    assert.equal(await instructor.getByTestId('attempt-row').count(), 3);
    for (const n of [1, 2, 3]) {
      assert.equal(await rowOf(instructor, `student${n}@demo.example`).getAttribute('data-state'), 'not-started');
    }
  });

  await step('grants 25% extra to student2 and student3; the table shows the minutes and the label', async () => {
    // The demo puts student2 in Thursday, student1 and student3 in Monday: a whole section at once, then one more.
    assert.equal(await rowOf(instructor, 'student2@demo.example').getByTestId('attempt-section').innerText(), 'Thursday');
    await instructor.locator('[data-testid="select-section"][data-section="Thursday"]').click();
    assert.equal(await instructor.getByTestId('selected-count').innerText(), '1 student selected');
    assert.ok(await rowOf(instructor, 'student2@demo.example').getByTestId('select-student').isChecked());
    await rowOf(instructor, 'student3@demo.example').getByTestId('select-student').check();
    assert.equal(await instructor.getByTestId('selected-count').innerText(), '2 students selected');
    await instructor.getByTestId('extra-preset-25').check();
    assert.match(await instructor.getByTestId('extra-time-form').innerText(), /25% extra \(15 minutes\)/);
    await instructor.getByTestId('extra-grant').click();
    await instructor.locator('[data-testid="extra-time-done"]', { hasText: '15 minutes extra time (25% extra)' }).waitFor();
    for (const email of ['student2@demo.example', 'student3@demo.example']) {
      const row = instructor.locator(`[data-testid="attempt-row"][data-email="${email}"][data-extra-minutes="15"]`);
      await row.waitFor();
      assert.equal(await row.getByTestId('extra-time').innerText(), '15 minutes (25% extra)');
    }
    assert.equal(await rowOf(instructor, 'student1@demo.example').getByTestId('extra-time').innerText(), 'None');
    // The selection is cleared after saving, so the next change starts afresh.
    assert.equal(await instructor.getByTestId('selected-count').innerText(), '0 students selected');
  });

  await step("student2's exam page shows the extra time", async () => {
    const student2 = await signedIn('student2@demo.example', password, '/home');
    await student2.goto(at(`/exams/${examId}`));
    await student2.getByTestId('exam-start').waitFor();
    assert.match(await student2.locator('dl.facts').innerText(), /60 minutes \+ 15 minutes extra time/);
    await student2.context().close();
  });

  await step('student1 starts the exam; without a click, the instructor sees the attempt in progress', async () => {
    assert.equal(await instructor.getByTestId('attempts-updated').getAttribute('data-live'), 'true');
    student1 = await signedIn('student1@demo.example', password, '/home');
    await student1.goto(at(`/exams/${examId}`));
    await student1.getByTestId('exam-start').click();
    await student1.waitForURL(/\/exams\/[^/]+\/take$/);
    await student1.getByTestId('editor-content').waitFor();

    // The table of an open exam reads the attempts again every 15 seconds by itself.
    const row = rowOf(instructor, 'student1@demo.example', 'in-progress');
    await row.waitFor({ timeout: 25_000 });
    assert.equal(await row.getByTestId('attempt-state').innerText(), 'In progress');
    assert.match(await row.getByTestId('attempt-deadline').innerText(), /^Deadline /);
    assert.equal(await row.getByTestId('receipt').count(), 0);
    // Refresh reads the list again at once.
    const updated = instructor.getByTestId('attempts-updated');
    const before = await updated.getAttribute('data-at');
    await instructor.getByTestId('attempts-refresh').click();
    await instructor.waitForFunction(
      (old) => document.querySelector('[data-testid="attempts-updated"]')?.getAttribute('data-at') !== old,
      before,
    );
  });

  await step('the instructor extends the window by an hour', async () => {
    const before = await callApi(instructor, 'GET', `/courses/${courseId}/exams/${examId}`);
    const shown = await instructor.getByTestId('manage-window').innerText();
    // The control takes the reader's local time, to the minute: let the page's own clock zone compute it.
    const later = await instructor.evaluate((closes) => {
      const at = new Date(Date.parse(closes) + 3_600_000);
      const pad = (value) => String(value).padStart(2, '0');
      return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
    }, before.closes_at);
    await instructor.getByTestId('extend-to').fill(later);
    await instructor.getByTestId('extend-submit').click();
    await instructor.locator('[data-testid="window-done"]', { hasText: 'The exam now closes at' }).waitFor();
    await instructor.waitForFunction(
      (old) => {
        const now = document.querySelector('[data-testid="manage-window"]')?.textContent;
        return now !== undefined && now !== old;
      },
      shown,
    );
    const extended = await callApi(instructor, 'GET', `/courses/${courseId}/exams/${examId}`);
    const moved = Date.parse(extended.closes_at) - Date.parse(before.closes_at);
    // Seconds are dropped in the control, so the new close is up to a minute short of a full hour.
    assert.ok(moved > 3_540_000 && moved <= 3_600_000, `the window moved by ${moved} ms`);
    assert.equal(await instructor.getByTestId('manage-heading').getByTestId('exam-phase').innerText(), 'Open');
  });

  await step('Close now (after confirming) closes the exam and submits the running attempt at the deadline', async () => {
    await instructor.getByTestId('close-now').click();
    // The page has a confirmation dialog for each risky action; only the open one is shown.
    const dialog = instructor.locator('[data-testid="confirm-dialog"][open]');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /Close Python warm-up now\?/);
    await dialog.getByTestId('confirm-action').click();
    await instructor.locator('[data-testid="manage-heading"] [data-testid="exam-phase"]', { hasText: 'Closed' }).waitFor();
    await instructor.getByTestId('window-closed').waitFor();
    assert.equal(await instructor.getByTestId('close-now').count(), 0);

    const row = rowOf(instructor, 'student1@demo.example', 'submitted');
    await row.waitFor();
    assert.equal(await row.getByTestId('attempt-submitted').getAttribute('data-reason'), 'deadline');
    assert.match(await row.getByTestId('attempt-submitted').innerText(), /^Automatically at the deadline, /);
    // Those who never started have nothing to submit.
    assert.equal(await rowOf(instructor, 'student2@demo.example').getAttribute('data-state'), 'not-started');
  });

  await step('the receipt the instructor sees is the one student1 gets', async () => {
    const { receipt } = await callApi(student1, 'GET', `/me/exams/${examId}/receipt`);
    const row = rowOf(instructor, 'student1@demo.example', 'submitted');
    const details = row.getByTestId('receipt');
    assert.equal(await details.getAttribute('data-attempt'), receipt.attempt_id);
    await details.locator('summary').click();
    await details.getByTestId('receipt-sha256').first().waitFor();
    const shown = {};
    for (const answer of await details.getByTestId('receipt-answer').all()) {
      shown[await answer.getAttribute('data-question')] = (await answer.getByTestId('receipt-sha256').innerText()).trim();
    }
    assert.equal(receipt.answers.length, 2);
    assert.deepEqual(shown, Object.fromEntries(receipt.answers.map((answer) => [answer.question_id, answer.sha256])));
    assert.equal(await details.getByTestId('receipt-submitted-at').getAttribute('datetime'), receipt.submitted_at);

    // And the student's own receipt page shows the same hashes.
    await student1.goto(at(`/exams/${examId}/receipt`));
    await student1.getByTestId('receipt').waitFor();
    for (const answer of receipt.answers) {
      const line = student1.locator(`[data-testid="receipt-answer"][data-question="${answer.question_id}"]`);
      assert.equal((await line.getByTestId('receipt-sha256').innerText()).trim(), answer.sha256);
    }
  });

  await step('no CSP violation or unexpected error on the way', async () => {
    // The story gathers each computer's problems as it closes.
    await instructor.context().close();
    await student1.context().close();
    assert.deepEqual(story.problems, []);
  });
});
