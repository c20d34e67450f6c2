// Browser test of the deadline the server owns, on the test clock
// (harness.mjs): time flows as usual, and the story jumps the server and
// every browser forward together to each deadline instead of waiting four
// minutes for it. Two students of the demo organization start the same
// four-minute exam; one has "50% extra" (two more minutes). Neither submits.
//
// The first student's network fails mid-save before the deadline: the
// server hears the commitment to the whole queue but receives only its first
// edit; then the network drops and one more edit is made. The story jumps past
// the first deadline, and the server submits. When the network returns, the
// edit covered by the commitment heard in time is accepted beside the frozen
// submission, the one made while nothing reached the server is refused and
// kept as evidence, the page says so and lands on the receipt, and the receipt
// does not change until the instructor applies the accepted edit, which makes
// a second submission.
// The second student keeps typing past the first deadline and is saved, is
// submitted at the next jump, two minutes later, and both receipts hold
// exactly what was saved.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import { replaceCode, sha256, waitQueuedHere } from './editor.mjs';
import { callApi, DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

const DURATION_MINUTES = 4;
const EXTRA_PERCENT = 50;
const EXTRA_MINUTES = Math.ceil((DURATION_MINUTES * EXTRA_PERCENT) / 100);
/** Real milliseconds the server and a page may take to act on a jump past a deadline, with room for a slow machine. */
const SETTLE_MS = 30_000;
/** How far past a deadline the story jumps. */
const PAST_MS = 1_000;

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, the service worker, which Chromium refuses on the demo's self-signed
 * certificate (offline.test.mjs covers it over loopback HTTP), and the first
 * student's saves, which fail as on a dropped network
 * (ERR_INTERNET_DISCONNECTED) while the test aborts them so or takes the
 * network down. Any other failed request is a problem.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  /^console error: Failed to load resource: net::ERR_INTERNET_DISCONNECTED at https:\/\/[^/]+\/api\/v1\/me\/exams\/[^/]+\/saves$/.test(line);

const story = demoStory(expected, { testClock: true });
const { at } = story;

/** Jumps the server and every browser to just past `deadline` (ms since the epoch). */
const jumpPast = (deadline) => story.jump(Math.max(0, deadline - story.serverNow()) + PAST_MS);

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
    // A day either side: the jumps take the server's clock only minutes ahead of this one.
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

/**
 * Asks `check` every 250 ms until it returns something, for at most
 * `timeoutMs`. Only for what nothing announces: a deadline passes on the
 * server's clock, and the server submits an overdue attempt when someone asks
 * about it (the roster submits overdue attempts before it answers) or when
 * its sweep comes round, whichever is first.
 */
async function pollUntil(what, check, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await pause(250);
  }
}

const deadlineOf = async (page) => Date.parse(await page.getByTestId('timer').getAttribute('data-deadline'));

/**
 * Lets the first batch of saves that holds several items reach the server
 * with its first item only (the commitment to the whole queue intact), and
 * fails every other save, as a network that fails mid-flush would.
 */
async function failMidFlush(page) {
  let forwarded = false;
  await page.route('**/api/v1/me/exams/*/saves', async (route) => {
    const body = JSON.parse(route.request().postData() ?? '{}');
    if (forwarded || body.items.length < 2) {
      await route.abort('internetdisconnected');
      return;
    }
    forwarded = true;
    // The exam page sends each item as JSON.stringify made it: parsing and
    // stringifying again gives back the same text, which the chain is over.
    await route.continue({ postData: `{"items":[${JSON.stringify(body.items[0])}],"commit":${JSON.stringify(body.commit)}}` });
  });
  return () => forwarded;
}

/**
 * Resolves once the server has taken a save of `page` that carries `marker`
 * (text of an edit): reading "nothing waiting" right after typing can still
 * see the state from before the edit, which the page queues a moment later.
 */
const savedWith = (page, marker) =>
  page.waitForResponse(
    (response) =>
      response.ok() && response.url().endsWith('/saves') && (response.request().postData() ?? '').includes(marker),
    { timeout: 15_000 },
  );

const waitingAtLeast = (page, count) => waitQueuedHere(page, count);

test('the server submits at the deadline, proves which late edits were made in time, and extra time gives two minutes more', async () => {
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  const instructor = await signedIn('instructor@demo.example', password, '/courses');
  const { courseId, examId } = await publishShortExam(instructor, 'student2@demo.example');
  const plain = await signedIn('student1@demo.example', password, '/home');
  const extra = await signedIn('student2@demo.example', password, '/home');
  const attempts = () => callApi(instructor, 'GET', `/courses/${courseId}/exams/${examId}/attempts`);
  const rowOf = (rows, email) => rows.find((row) => row.email === email);
  const receiptOf = (page) => page.request.get(at(`/api/v1/me/exams/${examId}/receipt`));

  await startExam(plain, examId);
  await startExam(extra, examId);
  // What someone at the first computer could read from its storage, for a forged save later.
  const binding = await plain.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const request = indexedDB.open('examhall-attempts');
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const read = request.result.transaction('attempts').objectStore('attempts').getAll();
          read.onsuccess = () => resolve({ secret: read.result[0].secret, attemptId: read.result[0].attemptId });
        };
      }),
  );
  const gap = (await deadlineOf(extra)) - (await deadlineOf(plain));
  // The extra minutes, plus the seconds between the two starts (no jump between them).
  const extraMs = EXTRA_MINUTES * 60_000;
  assert.ok(gap >= extraMs && gap < extraMs + 20_000, `the timer shows the extra time: ${gap} ms`);

  const savedCode = 'answer = "first try"\n';
  const firstSaved = savedWith(plain, 'first try');
  await replaceCode(plain, savedCode);
  await firstSaved;
  await plain.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 15_000 });
  await replaceCode(extra, 'answer = "draft"\n');
  // The first student's network fails mid-save: two edits queued while no
  // save gets through, then one batch reaches the server with only the first.
  await plain.route('**/api/v1/me/exams/*/saves', (route) => route.abort('internetdisconnected'));
  await replaceCode(plain, 'answer = "second try"\n');
  const provenCode = 'answer = "made in time, proven late"\n';
  await replaceCode(plain, provenCode);
  await waitingAtLeast(plain, 2);
  await plain.unroute('**/api/v1/me/exams/*/saves');
  const forwarded = await failMidFlush(plain);
  // Every other save is aborted now: the one answered is the batch let through with its first item.
  const through = plain.waitForResponse(
    (response) => response.request().method() === 'POST' && response.url().endsWith('/saves'),
    { timeout: 20_000 },
  );
  // Back online, the page sends its queue at once.
  await plain.context().setOffline(true);
  await plain.context().setOffline(false);
  const answer = await through;
  assert.ok(forwarded(), 'the save that got through is the batch cut to its first item');
  assert.ok(answer.ok(), `the server took the first item and the commitment: ${answer.status()}`);
  // Then the network drops for good, and one more edit is made: the server never hears of it.
  await plain.context().setOffline(true);
  await replaceCode(plain, 'answer = "never announced"\n');

  // Nobody submits: the server does, at the first student's deadline.
  await jumpPast(await deadlineOf(plain));
  const rows = await pollUntil(
    'the first student is submitted',
    async () => {
      const current = await attempts();
      return rowOf(current, 'student1@demo.example').attempt.submitted_at === null ? undefined : current;
    },
    SETTLE_MS,
  );
  const firstRow = rowOf(rows, 'student1@demo.example');
  assert.equal(firstRow.attempt.submit_reason, 'deadline', 'submitted by the server');
  assert.equal(firstRow.receipt.answers[0].sha256, sha256('answer = "second try"\n'), 'as it stood at the deadline');
  assert.equal(rowOf(rows, 'student2@demo.example').attempt.submitted_at, null, 'extra time: still writing');
  assert.equal(rowOf(rows, 'student2@demo.example').extra_label, `${EXTRA_PERCENT}% extra`);

  // Past the first deadline, the second student's edits are still saved.
  const extraCode = 'answer = "with extra time"\n';
  const extraSaved = savedWith(extra, 'with extra time');
  await replaceCode(extra, extraCode);
  await extraSaved;
  await extra.locator('[data-testid="save-status"][data-waiting="0"]').waitFor({ timeout: 15_000 });
  assert.equal(rowOf(await attempts(), 'student2@demo.example').attempt.submitted_at, null, 'saved while still in time');

  // The network returns: the page sends the rest, learns what became of it,
  // says so, and lands on the receipt, which has not changed.
  await plain.unroute('**/api/v1/me/exams/*/saves');
  await plain.context().setOffline(false);
  await plain.waitForURL(/\/receipt$/, { timeout: SETTLE_MS });
  await plain.getByTestId('receipt').waitFor();
  const late = await plain.getByTestId('receipt-late').innerText();
  // The edits and events of the batch cut short were committed in time; those made offline after it were not.
  assert.match(late, /\d+ changes? made before the deadline reached the server late: your instructor decides whether they count/);
  assert.match(late, /\d+ changes? could not be proven to be from before the deadline/);
  assert.equal(await plain.getByTestId('receipt-sha256').first().innerText(), sha256('answer = "second try"\n'));
  const frozen = await (await receiptOf(plain)).text();
  assert.equal(JSON.parse(frozen).receipt.answers[0].sha256, firstRow.receipt.answers[0].sha256, 'the receipt holds');

  // The instructor sees what arrived late, and applies the proven edit.
  await instructor.goto(at(`/courses/${courseId}/exams/${examId}`));
  const row = instructor.locator('[data-testid="attempt-row"][data-email="student1@demo.example"]');
  assert.ok(Number(await row.getByTestId('late-accepted').getAttribute('data-count')) >= 1, 'the proven edit waits');
  assert.ok(Number(await row.getByTestId('late-refused').getAttribute('data-count')) >= 1, 'the unannounced edit is refused');
  assert.equal(await row.getByTestId('attempt-submitted').getAttribute('data-reason'), 'deadline');
  await row.getByTestId('apply-late').click();
  await instructor.getByRole('button', { name: 'Apply', exact: true }).click();
  await row.locator('[data-testid="receipt"][data-number="2"]').waitFor({ timeout: 15_000 });
  const applied = JSON.parse(await (await receiptOf(plain)).text());
  assert.equal(applied.receipt.answers[0].sha256, sha256(provenCode), 'the second submission holds the proven edit');
  assert.equal(applied.receipt.previous_submission_id, JSON.parse(frozen).receipt.submission_id);

  // A forged save after the deadline, claiming a time before it, with the real binding: set aside, never applied.
  const { csrf_token: csrf } = await (await plain.request.get(at('/api/v1/session'))).json();
  const gapped = await plain.request.fetch(at(`/api/v1/me/exams/${examId}/saves`), {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrf, 'X-Exam-Secret': binding.secret, 'Content-Type': 'application/json' },
    data: JSON.stringify({
      items: [{ seq: 1000, kind: 'snapshot', question_id: JSON.parse(frozen).receipt.answers[0].question_id,
        client_at: new Date(Date.parse(firstRow.attempt.deadline_at) - 60_000).toISOString(), code: 'answer = "forged"\n' }],
    }),
  });
  assert.equal(gapped.status(), 409, 'a gap in the sequence is refused as a whole');
  const detail = await callApi(instructor, 'GET', `/courses/${courseId}/exams/${examId}/attempts/${binding.attemptId}`);
  const next = Math.max(...detail.late_items.map((item) => item.seq)) + 1;
  const forged = await plain.request.fetch(at(`/api/v1/me/exams/${examId}/saves`), {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrf, 'X-Exam-Secret': binding.secret, 'Content-Type': 'application/json' },
    data: JSON.stringify({
      items: [{ seq: next, kind: 'snapshot', question_id: JSON.parse(frozen).receipt.answers[0].question_id,
        client_at: new Date(Date.parse(firstRow.attempt.deadline_at) - 60_000).toISOString(), code: 'answer = "forged"\n' }],
    }),
  });
  assert.equal(forged.status(), 200);
  assert.equal((await forged.json()).phase, 'closed');
  const after = await callApi(instructor, 'GET', `/courses/${courseId}/exams/${examId}/attempts/${binding.attemptId}`);
  assert.deepEqual(after.late_items.at(-1), { ...after.late_items.at(-1), seq: next, status: 'refused', reason: 'not_committed' });
  assert.equal(JSON.parse(await (await receiptOf(plain)).text()).sha256, applied.sha256, 'the receipt does not change');

  // The second student's deadline, two minutes later: the server submits as the page sends what it has.
  await jumpPast(await deadlineOf(extra));
  await extra.waitForURL(/\/receipt$/, { timeout: SETTLE_MS });
  await extra.getByTestId('receipt').waitFor();
  assert.equal(await extra.getByTestId('receipt-sha256').first().innerText(), sha256(extraCode));
  const extraRow = rowOf(await attempts(), 'student2@demo.example');
  assert.equal(extraRow.attempt.submit_reason, 'deadline');
  assert.deepEqual(extraRow.late_items, { accepted: 0, pending: 0, refused: 0, applied: 0 }, 'all of it arrived in time');
  assert.equal(extraRow.receipt.answers[0].sha256, sha256(extraCode), 'staff see the same receipt');

  // The story gathers each computer's problems as it closes.
  for (const page of [instructor, plain, extra]) await page.context().close();
  assert.deepEqual(story.problems, [], 'no unexpected errors in the browser');
});
