// Browser tests of the live monitor and a student's page. The demo's proctor (Monday section)
// signs in, finds the exam their section sits on /home and opens its
// monitor. It lists the Monday students only. When a Monday student starts
// and types, their row says so within 3 s of the save reaching the server;
// a Thursday student doing the same never appears. The filter and the
// summary say the same in words. Then the instructor opens the monitor from
// the exam's page, a student pastes a block from outside, and the
// instructor opens that student's page: the pasted code in a read-only view,
// a signal saying what was seen (never a verdict), and the log in order.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pasteIntoEditor, typeAtEnd, waitSaved } from './editor.mjs';
import { chainedSteps, DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, and the service worker refused on the self-signed certificate. Any
 * other failed request is a problem.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

const story = demoStory(expected);
const EXAM = 'Python warm-up';

/** A person of the demo signed in on a computer of their own, on `landing`. */
async function signedIn(email, password, landing = '/home') {
  const page = await story.computer();
  await page.goto(story.at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
  return page;
}

/** A student starts the demo exam and types `text`; resolves once the server has it. */
async function startAndType(page, text) {
  await page.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: EXAM }).click();
  await page.getByTestId('exam-start').click();
  await page.getByTestId('editor-content').waitFor();
  return typeAndSave(page, text);
}

/** Types `text` and resolves once a save holding it was answered. */
async function typeAndSave(page, text) {
  await typeAtEnd(page, text);
  // Each keystroke counts as waiting until the server has it: "Saved" with
  // none waiting means every character typed is saved (a save answered for
  // the first characters alone is not enough).
  await waitSaved(page);
}

const rows = (page) => page.getByTestId('monitor-row');
const row = (page, email) => page.locator(`[data-testid="monitor-row"][data-email="${email}"]`);

test('a proctor watches their own section take the exam live, and never another section', { timeout: 180_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let proctor;

  await step('the proctor finds the exam their section sits on their page and opens its monitor', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    proctor = await signedIn('proctor@demo.example', password, '/courses');
    const exam = proctor.getByTestId('watched-exam').filter({ hasText: EXAM });
    await exam.getByTestId('open-monitor').click();
    await proctor.waitForURL(/\/monitor$/);
    await proctor.locator('[data-testid="monitor-connection"][data-state="live"]').waitFor();
    assert.match(await proctor.getByTestId('monitor-heading').innerText(), /Live monitor: Python warm-up/);
  });

  await step('it lists the Monday students only, not started yet', async () => {
    const emails = await rows(proctor).evaluateAll((all) => all.map((r) => r.dataset.email).sort());
    assert.deepEqual(emails, ['student1@demo.example', 'student3@demo.example']);
    const statuses = await rows(proctor).evaluateAll((all) => all.map((r) => r.dataset.status));
    assert.deepEqual(statuses, ['not_started', 'not_started']);
    assert.match(await proctor.locator('table caption').innerText(), /All 2 students/);
  });

  let monday;
  await step('a Monday student starts and types: their row says so within 3 s of the save', async () => {
    monday = await signedIn('student1@demo.example', password);
    await startAndType(monday, '# started');
    const started = row(proctor, 'student1@demo.example');
    await proctor.locator('[data-testid="monitor-row"][data-email="student1@demo.example"][data-status="working"]').waitFor({ timeout: 3_000 });
    await started.getByTestId('monitor-questions').filter({ hasText: /^1 of / }).waitFor({ timeout: 3_000 });
    assert.match(await started.getByTestId('monitor-status-cell').innerText(), /Working/, 'the status in words, not colour alone');
  });

  await step('a Thursday student who starts and types never appears', async () => {
    const thursday = await signedIn('student2@demo.example', password);
    await startAndType(thursday, '# elsewhere');
    // The Monday student saves after: the stream sends in order, so by the
    // time their update shows, a Thursday row would have come before it.
    const before = await row(proctor, 'student1@demo.example').getAttribute('data-last-save');
    await typeAndSave(monday, '\n# more');
    // The Monday save's row arrives (its server time is new): the stream is
    // past the Thursday saves, which sent nothing here.
    await proctor.waitForFunction(
      (seen) => {
        const saved = document.querySelector('[data-testid="monitor-row"][data-email="student1@demo.example"]')?.getAttribute('data-last-save');
        return saved !== undefined && saved !== null && saved !== seen;
      },
      before,
      { timeout: 3_000 },
    );
    assert.equal(await row(proctor, 'student2@demo.example').count(), 0);
    assert.equal(await rows(proctor).count(), 2);
    await thursday.context().close();
  });

  await step('a Monday student pastes a block from outside: the signal shows on their row within 3 s', async () => {
    const block = Array.from({ length: 30 }, (_, i) => `line_${i} = ${i}`).join('\n');
    const saved = monday.waitForResponse(
      (response) => response.url().endsWith('/saves') && response.ok() && response.request().postData()?.includes('"paste"'),
      { timeout: 15_000 },
    );
    await pasteIntoEditor(monday, block);
    await saved;
    const signals = row(proctor, 'student1@demo.example').locator('[data-testid="monitor-signals"][data-medium="1"]');
    await signals.waitFor({ timeout: 3_000 });
    assert.equal(await signals.innerText(), '1 medium', 'the count in words, not colour alone');
    const sparkline = row(proctor, 'student1@demo.example').getByTestId('sparkline');
    assert.match(await sparkline.getAttribute('aria-label'), /^Characters typed per minute, last 30 minutes, oldest first: .*[1-9]\d*$/);
    await proctor.getByTestId('monitor-severity').selectOption('medium');
    assert.deepEqual(await rows(proctor).evaluateAll((all) => all.map((r) => r.dataset.email)), ['student1@demo.example']);
    await proctor.getByTestId('monitor-severity').selectOption('any');
    await proctor.getByTestId('activity-toggle').click();
    const table = proctor.getByTestId('activity-table');
    assert.match(await table.locator('caption').innerText(), /Characters typed per minute/);
    assert.equal(await table.locator('tbody tr').count(), 2);
    await proctor.getByTestId('activity-toggle').click();
  });

  await step('the status filter and the summary say the same, in words', async () => {
    await proctor.locator('[data-testid="monitor-count"][data-status="working"]', { hasText: '1 working' }).waitFor();
    await proctor.getByTestId('monitor-status').selectOption('working');
    assert.deepEqual(await rows(proctor).evaluateAll((all) => all.map((r) => r.dataset.email)), ['student1@demo.example']);
    assert.match(await proctor.locator('table caption').innerText(), /1 of 2 students/);
    await proctor.getByTestId('monitor-status').selectOption('');
    assert.equal(await rows(proctor).count(), 2);
  });

  await step('the proctor notes an incident about one of their students; it heads the list', async () => {
    await proctor.getByLabel('About').selectOption({ label: 'Sam Student (student1@demo.example)' });
    await proctor.getByLabel('What happened').fill('Left the room for three minutes, escorted.');
    await proctor.getByTestId('incident-add').click();
    const note = proctor.getByTestId('incident').first();
    await note.filter({ hasText: 'Left the room for three minutes' }).waitFor();
    assert.match(await note.innerText(), /Sam Student: Left the room.*\n?.*Paul Proctor/s);
    const options = await proctor.getByLabel('About').locator('option').allInnerTexts();
    assert.ok(!options.some((o) => o.includes('student2@demo.example')), 'no student of another section to choose');
  });

  await step('no CSP violation or unexpected error on the way', async () => {
    await monday.context().close();
    await proctor.context().close();
    assert.deepEqual(story.problems, []);
  });
});

test('an instructor opens a student from the monitor and reads their code, signals and log', { timeout: 180_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let instructor;
  let student;
  const pasted = Array.from({ length: 30 }, (_, i) => `value_${i} = ${i} * 2`).join('\n');

  await step('the instructor opens the live monitor from the exam\'s page', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    instructor = await signedIn('instructor@demo.example', password, '/courses');
    await instructor.getByTestId('my-course-link').first().click();
    await instructor.getByRole('link', { name: EXAM }).first().click();
    await instructor.getByTestId('manage-monitor').click();
    await instructor.waitForURL(/\/monitor$/);
    await instructor.locator('[data-testid="monitor-connection"][data-state="live"]').waitFor();
  });

  await step('a student pastes a block from outside the exam; their row shows it', async () => {
    student = await signedIn('student3@demo.example', password);
    await startAndType(student, '# start');
    const saved = student.waitForResponse(
      (response) => response.url().endsWith('/saves') && response.ok() && response.request().postData()?.includes('"paste"'),
      { timeout: 15_000 },
    );
    await pasteIntoEditor(student, pasted);
    await saved;
    await row(instructor, 'student3@demo.example').getByTestId('monitor-open').waitFor({ timeout: 3_000 });
  });

  await step('the student\'s page shows the pasted code read-only, the signal and the log', async () => {
    await row(instructor, 'student3@demo.example').getByTestId('monitor-open').click();
    await instructor.getByTestId('student-heading').waitFor();
    assert.match(await instructor.getByTestId('student-heading').innerText(), /Sol Student: Python warm-up/);
    const content = instructor.getByTestId('code-view').first().locator('[data-testid="code-view-content"]');
    assert.equal(await content.getAttribute('aria-readonly'), 'true');
    assert.match(await content.innerText(), /value_29 = 29 \* 2/);
    const signal = instructor.locator('[data-testid="signal"][data-kind="large_paste"]');
    await signal.waitFor();
    assert.match(await signal.innerText(), /Medium .*pasted \d+ characters that were not copied or cut in this attempt/);
    assert.ok((await instructor.locator('[data-testid="timeline-item"][data-kind="paste"]').count()) >= 1);
  });

  await step('the replay rebuilds the code from its changes, from the starter code to the paste', async () => {
    const replay = instructor.getByTestId('replay');
    const code = replay.getByTestId('code-view').locator('[data-testid="code-view-content"]');
    await replay.getByTestId('replay-slider').fill('0');
    await replay.getByTestId('replay-position').filter({ hasText: /The starter code/ }).waitFor();
    // The first pasted line (the editor draws only the lines in view), gone at the start.
    await code.filter({ hasNotText: /value_0 = 0/ }).waitFor();
    assert.equal(await replay.getByLabel('Position in the history').getAttribute('type'), 'range', 'a labelled range input');
    await replay.getByTestId('replay-jump').first().click();
    await replay.getByTestId('replay-position').filter({ hasText: /After change/ }).waitFor();
    // The jump lands just after the change that inserted the paste.
    await code.filter({ hasText: /value_0 = 0 \* 2/ }).waitFor();
    assert.equal(await replay.getByTestId('replay-check').getAttribute('data-explained'), 'unknown', 'not submitted yet');
  });

  await step('the instructor records a decision on the signal, and it shows with who and when', async () => {
    const signal = instructor.locator('[data-testid="signal"][data-kind="large_paste"]');
    await signal.getByTestId('no-decision').waitFor();
    await signal.getByLabel('Decision').selectOption('noted');
    await signal.getByLabel('Comment (why)').fill('Notes the exam allows; checked with the student.');
    await signal.getByTestId('review-submit').click();
    const decision = signal.locator('[data-testid="decision"][data-decision="noted"]');
    await decision.waitFor();
    assert.match(await decision.innerText(), /Noted, by Ines Instructor/);
    assert.match(await decision.innerText(), /Notes the exam allows/);
  });

  await step('the case file holds the signal with its decision, prints, and downloads as one archive', async () => {
    await instructor.getByTestId('open-case-file').click();
    await instructor.waitForURL(/\/case-file$/);
    await instructor.getByTestId('case-file').waitFor();
    assert.match(await instructor.getByTestId('case-file-notice').innerText(), /examhall decides nothing/);
    const signal = instructor.getByTestId('case-signal').filter({ hasText: /large paste/ });
    assert.match(await signal.innerText(), /noted by Ines Instructor .*Notes the exam allows/s);
    assert.ok((await instructor.getByTestId('case-timeline').locator('tbody tr').count()) > 2);
    const [download] = await Promise.all([instructor.waitForEvent('download'), instructor.getByTestId('case-file-download').click()]);
    assert.match(download.suggestedFilename(), /^case-file-.+\.tar$/);
    await instructor.goBack();
    await instructor.getByTestId('back-to-monitor').click();
    await instructor.waitForURL(/\/monitor$/);
  });

  await step('once the student submits, the replay\'s last state is the submitted code', async () => {
    await student.getByTestId('submit').click();
    await student.getByTestId('confirm-action').click();
    await student.waitForURL(/\/receipt$/);
    await row(instructor, 'student3@demo.example').locator('[data-testid="monitor-open"]').click();
    const replay = instructor.getByTestId('replay');
    await replay.locator('[data-testid="replay-check"][data-explained="true"]').waitFor();
    const slider = replay.getByTestId('replay-slider');
    await slider.fill(await slider.getAttribute('max'));
    const code = replay.getByTestId('code-view').locator('[data-testid="code-view-content"]');
    await code.filter({ hasText: /value_29 = 29 \* 2/ }).waitFor();
    await instructor.getByTestId('back-to-monitor').click();
    await instructor.waitForURL(/\/monitor$/);
  });

  await step('the exam\'s similarity page opens the report viewer for a question', async () => {
    await instructor.goto(instructor.url().replace(/\/monitor$/, '/similarity'));
    await instructor.getByTestId('similarity-heading').waitFor();
    assert.match(await instructor.getByTestId('similarity-heading').innerText(), /Similarity: Python warm-up/);
    await instructor.getByTestId('notice').waitFor();
    assert.equal(await instructor.getByLabel('Question').getAttribute('id'), 'similarity-question', 'a labelled choice of question');
  });

  await step('no CSP violation or unexpected error on the way', async () => {
    await student.context().close();
    await instructor.context().close();
    assert.deepEqual(story.problems, []);
  });
});
