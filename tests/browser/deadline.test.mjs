// Browser test of the deadline the server owns, with a fast clock: the
// server runs ten times faster than real time (EXAMHALL_TEST_CLOCK_RATE, which
// only debug builds accept), so a four-minute exam lasts 24 seconds. Two
// students of the demo organization start the same exam; one has "50% extra"
// (two more minutes). Neither submits. The first loses the network just
// before their deadline with an edit still queued; the server submits at the
// deadline, and when the network returns the queued edit (made in time) is
// accepted as late-arriving, the page lands on the receipt, and the
// instructor sees the late-arriving mark. The second keeps typing past the
// first deadline and is saved, is submitted two minutes later, and both
// receipts hold exactly what was typed.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replaceCode, sha256 } from './editor.mjs';
import { callApi, DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

/** Server seconds per real second. */
const RATE = 10;
const DURATION_MINUTES = 4;
const EXTRA_PERCENT = 50;
const EXTRA_MINUTES = Math.ceil((DURATION_MINUTES * EXTRA_PERCENT) / 100);
/** Real milliseconds until everything should be over, with room for a slow machine. */
const EXAM_OVER_MS = ((DURATION_MINUTES + EXTRA_MINUTES) * 60_000) / RATE + 60_000;

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, saves sent while the network is down, events the pages record after a
 * deadline (refused with 409, as they should be), and the service worker, which
 * Chromium refuses on the demo's self-signed certificate (offline.test.mjs
 * covers it over loopback HTTP).
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  /^console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED/.test(line) ||
  /^console error: Failed to load resource: the server responded with a status of 409 \S* at https:\/\/[^/]+\/api\/v1\/me\/exams\/[^/]+\/saves$/.test(line);

const story = demoStory(expected, { env: { EXAMHALL_TEST_CLOCK_RATE: String(RATE) } });
const { at } = story;

/** A signed-in person on a computer of their own. */
async function signedIn(email, password, landing) {
  const page = await story.computer();
  await page.goto(at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
  return page;
}

/** The instructor writes and publishes a short exam for both sections; returns its id. */
async function publishShortExam(instructor, studentWithExtraTime) {
  const [course] = await callApi(instructor, 'GET', '/me/courses');
  const day = 24 * 3600_000;
  const exam = await callApi(instructor, 'POST', `/courses/${course.id}/exams`, {
    title: 'Four-minute quiz',
    instructions: 'Answer, and do not submit: the deadline does it.',
    // A day either side by the real clock: the server's clock runs ahead of it.
    opens_at: new Date(Date.now() - day).toISOString(),
    closes_at: new Date(Date.now() + day).toISOString(),
    duration_minutes: DURATION_MINUTES,
    late_policy: 'accept_queued',
    integrity_profile: 'standard',
    require_fullscreen: false,
    section_ids: course.sections.map((section) => section.id),
    questions: [{ title: 'Anything', prompt: 'Write anything.', starter_code: '', model_solution: '', points: 1, tests: [] }],
  });
  await callApi(instructor, 'POST', `/courses/${course.id}/exams/${exam.id}/publish`, { tests_run: 0, tests_failed: 0 });
  const rows = await callApi(instructor, 'GET', `/courses/${course.id}/exams/${exam.id}/attempts`);
  const extra = rows.find((row) => row.email === studentWithExtraTime);
  await callApi(instructor, 'PUT', `/courses/${course.id}/exams/${exam.id}/extra-time`, {
    user_ids: [extra.user_id],
    minutes: EXTRA_MINUTES,
    label: `${EXTRA_PERCENT}% extra`,
  });
  return { courseId: course.id, examId: exam.id };
}

async function startExam(page, examId) {
  await page.goto(at(`/exams/${examId}`));
  await page.getByTestId('exam-start').click();
  await page.waitForURL(/\/take$/);
  await page.getByTestId('editor-content').waitFor();
}

/** Polls `check` every 250 ms until it returns something, for at most `timeoutMs`. */
async function waitUntil(page, what, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await page.waitForTimeout(250);
  }
}

const deadlineOf = async (page) => Date.parse(await page.getByTestId('timer').getAttribute('data-deadline'));

test('the server submits at the deadline, and extra time gives one student two minutes more', async () => {
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  const instructor = await signedIn('instructor@demo.example', password, '/courses');
  const { courseId, examId } = await publishShortExam(instructor, 'student2@demo.example');
  const plain = await signedIn('student1@demo.example', password, '/home');
  const extra = await signedIn('student2@demo.example', password, '/home');
  const attempts = () => callApi(instructor, 'GET', `/courses/${courseId}/exams/${examId}/attempts`);
  const rowOf = (rows, email) => rows.find((row) => row.email === email);

  await startExam(plain, examId);
  await startExam(extra, examId);
  const gap = (await deadlineOf(extra)) - (await deadlineOf(plain));
  // The extra minutes, plus the server seconds between the two starts.
  const extraMs = EXTRA_MINUTES * 60_000;
  assert.ok(gap >= extraMs && gap < extraMs + 20_000 * RATE, `the timer shows the extra time: ${gap} ms`);

  await replaceCode(plain, 'answer = "first try"\n');
  await plain.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 15_000 });
  await replaceCode(extra, 'answer = "draft"\n');
  // The first student's network drops with their last edit, made in time, still queued.
  await plain.context().setOffline(true);
  const plainCode = 'answer = "on time, saved late"\n';
  await replaceCode(plain, plainCode);
  await plain.waitForFunction(
    () => Number(document.querySelector('[data-testid="save-status"]')?.getAttribute('data-waiting')) > 0,
  );

  // Nobody submits: the server does, at the first student's deadline.
  const rows = await waitUntil(
    instructor,
    'the first student is submitted',
    async () => {
      const current = await attempts();
      return rowOf(current, 'student1@demo.example').attempt.submitted_at === null ? undefined : current;
    },
    EXAM_OVER_MS,
  );
  assert.equal(rowOf(rows, 'student1@demo.example').attempt.submit_reason, 'deadline', 'submitted by the server');
  assert.equal(rowOf(rows, 'student1@demo.example').late_items, 0, 'the queued edit has not arrived yet');
  assert.equal(rowOf(rows, 'student2@demo.example').attempt.submitted_at, null, 'extra time: still writing');
  assert.equal(rowOf(rows, 'student2@demo.example').extra_label, `${EXTRA_PERCENT}% extra`);

  // Past the first deadline, the second student's edits are still saved.
  const extraCode = 'answer = "with extra time"\n';
  await replaceCode(extra, extraCode);
  await extra.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 15_000 });
  const saved = rowOf(await attempts(), 'student2@demo.example');
  assert.equal(saved.attempt.submitted_at, null, 'saved while still in time');

  // The network returns: the queued edit is accepted as late-arriving, and
  // each page finds out by itself and shows the receipt of what was saved.
  await plain.context().setOffline(false);
  await plain.waitForURL(/\/receipt$/, { timeout: EXAM_OVER_MS });
  await plain.getByTestId('receipt').waitFor();
  assert.equal(await plain.getByTestId('receipt-sha256').first().innerText(), sha256(plainCode));
  await extra.waitForURL(/\/receipt$/, { timeout: EXAM_OVER_MS });
  await extra.getByTestId('receipt').waitFor();
  assert.equal(await extra.getByTestId('receipt-sha256').first().innerText(), sha256(extraCode));
  const plainRow = rowOf(await attempts(), 'student1@demo.example');
  assert.equal(plainRow.receipt.answers[0].sha256, sha256(plainCode), 'the late-arriving edit counts');

  // The instructor's page marks the late-arriving edit.
  await instructor.goto(at(`/courses/${courseId}/exams/${examId}`));
  const row = instructor.locator('[data-testid="attempt-row"][data-email="student1@demo.example"]');
  assert.equal(await row.getByTestId('late-items').getAttribute('data-count'), String(plainRow.late_items));
  assert.ok(plainRow.late_items >= 1, 'at least the queued edit arrived late');
  assert.equal(await row.getByTestId('attempt-submitted').getAttribute('data-reason'), 'deadline');
  const extraRow = rowOf(await attempts(), 'student2@demo.example');
  assert.equal(extraRow.attempt.submit_reason, 'deadline');
  assert.equal(extraRow.late_items, 0, 'everything of the student with extra time arrived in time');
  assert.equal(extraRow.receipt.answers[0].sha256, sha256(extraCode), 'staff see the same receipt');

  // The story gathers each computer's problems as it closes.
  for (const page of [instructor, plain, extra]) await page.context().close();
  assert.deepEqual(story.problems, [], 'no unexpected errors in the browser');
});
