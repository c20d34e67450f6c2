// Browser test of exam authoring against the real examhall binary: the demo
// instructor writes an exam for CS101 through the editor (a question with a
// visible function test and a hidden input/output test), saves it, runs every
// test on a deliberately wrong model solution and cannot publish, fixes it,
// runs again and publishes. A student then finds the exam open on /home and
// starts it, and neither the page nor any API answer it fetched holds the
// hidden test's expected output or the model solution.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && node --test ../tests/browser/authoring.test.mjs
//
// See harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chainedSteps,
  DEMO_PASSWORD,
  demoStory,
  signInFromLink,
} from './harness.mjs';

/** Python starts in the worker on the first run; a slow machine takes a while. */
const PYTHON_TIMEOUT_MS = 120_000;

/**
 * Failures the story causes on purpose, which the browser logs as errors:
 * "who is signed in?" before signing in, and the exam client's service
 * worker, which Chromium refuses to register on an origin whose certificate
 * it does not trust (the demo's is self-signed).
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

const TITLE = 'Doubling quiz';
/** What only the hidden test knows: it must never reach a student's browser. */
const HIDDEN_EXPECTED = 'hidden-ok-4950';
const STARTER = 'def double(x):\n    pass\n';
const WRONG = 'def double(x):\n    return x + 2\n\nprint("hidden-ok-" + str(double(2475)))\n';
const RIGHT = 'def double(x):\n    return x * 2\n\nprint("hidden-ok-" + str(double(2475)))\n';

const story = demoStory(expected);
const { computer, problems } = story;

const at = (path) => story.at(path);

/** `datetime-local` values in the browser's own time zone: now, and `hours` later. */
const localWindow = (page, hours) =>
  page.evaluate((span) => {
    const pad = (value) => String(value).padStart(2, '0');
    const local = (d) =>
      `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
    const now = new Date();
    return { opens: local(now), closes: local(new Date(now.getTime() + span * 3_600_000)) };
  }, hours);

test('an instructor writes, checks and publishes an exam; a student never receives its hidden test', { timeout: 600_000 }, async (t) => {
  const step = chainedSteps(t);

  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  /** @type {import('playwright-core').Page} */
  let page;
  let courseId;
  let examId;

  const saveState = (state) => page.locator(`[data-testid="save-state"][data-state="${state}"]`);
  const runStatus = (phase) => page.locator(`[data-testid="model-run-status"][data-phase="${phase}"]`);

  await step('the instructor signs in, opens CS101 and starts a new exam', async () => {
    page = await computer();
    await page.goto(at(`/signin?org=demo&email=${encodeURIComponent('instructor@demo.example')}`));
    await signInFromLink(page, { email: 'instructor@demo.example', password }, '/courses');
    await page.locator('[data-testid="my-course"][data-code="CS101"]').getByTestId('my-course-link').click();
    await page.waitForURL(/\/courses\/[^/]+$/);
    courseId = new URL(page.url()).pathname.split('/')[2];
    // The demo's own exam links to its page and to its editor.
    const demoRow = page.locator('[data-testid="exam-row"][data-title="Python warm-up"]');
    assert.match(await demoRow.getByTestId('exam-link').getAttribute('href'), new RegExp(`^/courses/${courseId}/exams/[^/]+$`));
    assert.match(await demoRow.getByTestId('exam-edit').getAttribute('href'), /\/edit$/);

    await page.getByTestId('new-exam').click();
    await page.waitForURL(at(`/courses/${courseId}/exams/new`));
    assert.equal(await page.getByTestId('author-heading').innerText(), 'New exam');
    await saveState('new').waitFor();
    assert.equal(await page.getByTestId('publish').count(), 0, 'nothing to publish before the first save');
  });

  await step('fills in the exam: open now for two hours, both sections, one question with two tests', async () => {
    await page.getByTestId('author-title').fill(TITLE);
    await page.getByTestId('author-instructions').fill('Answer **every** question.');
    assert.match(await page.getByTestId('author-instructions-preview').innerHTML(), /<strong>every<\/strong>/);
    const window = await localWindow(page, 2);
    await page.getByTestId('author-opens').fill(window.opens);
    await page.getByTestId('author-closes').fill(window.closes);
    await page.getByTestId('author-duration').fill('45');
    await page.locator('[data-testid="author-section"][data-name="Monday"]').check();
    await page.locator('[data-testid="author-section"][data-name="Thursday"]').check();

    await page.getByTestId('add-question').click();
    const question = page.getByTestId('question-editor');
    assert.equal(await question.count(), 1);
    // Focus moves to the new question, so a keyboard user carries on there.
    assert.match(await page.evaluate(() => document.activeElement?.id ?? ''), /^author-question-\d+$/);
    await question.getByTestId('question-title').fill('Double it');
    await question.getByTestId('question-points').fill('5');
    await question.getByTestId('question-prompt').fill('Write `double(x)`, which returns twice `x`.');
    assert.match(await question.getByTestId('question-prompt-preview').innerHTML(), /<code>double\(x\)<\/code>/);
    await question.getByTestId('question-starter').fill(STARTER);
    await question.getByTestId('question-model').fill(WRONG);

    await question.getByTestId('add-test').click();
    const visible = question.getByTestId('test-editor').nth(0);
    await visible.getByTestId('test-expression').fill('double(21)');
    await visible.getByTestId('test-expected').fill('42');

    await question.getByTestId('add-test').click();
    const hidden = question.getByTestId('test-editor').nth(1);
    await hidden.getByTestId('test-hidden').check();
    await hidden.getByTestId('test-io').check();
    await hidden.getByTestId('test-expected').fill(HIDDEN_EXPECTED);
    assert.equal(await hidden.getByTestId('test-ignore-whitespace').isChecked(), true);
    assert.equal(await hidden.getAttribute('data-visibility'), 'hidden');
    assert.equal(await hidden.getAttribute('data-kind'), 'io');

    // A dict built in another order than the expected one: equal values
    // compare equal, here as in grading (python/canonical.ts).
    await question.getByTestId('add-test').click();
    const unordered = question.getByTestId('test-editor').nth(2);
    await unordered.getByTestId('test-expression').fill("{'b': double(1), 'a': double(2)}");
    await unordered.getByTestId('test-expected').fill("{'a': 4, 'b': 2}");
  });

  await step('saving creates the draft, and the address becomes its edit page', async () => {
    await page.getByTestId('save-exam').click();
    await page.waitForURL(/\/courses\/[^/]+\/exams\/[^/]+\/edit$/);
    examId = new URL(page.url()).pathname.split('/')[4];
    await saveState('saved').waitFor();
    assert.equal(await page.getByTestId('author-heading').innerText(), 'Edit exam');
    assert.equal(await page.getByTestId('exam-phase').innerText(), 'Draft');
    // What the editor shows now came back from the story.server.
    const question = page.getByTestId('question-editor');
    assert.equal(await question.getByTestId('question-model').inputValue(), WRONG);
    assert.equal(await question.getByTestId('test-editor').nth(1).getAttribute('data-visibility'), 'hidden');
    assert.equal(await page.locator('[data-testid="author-section"]:checked').count(), 2);
    assert.equal(await page.getByTestId('publish').isDisabled(), true);
  });

  await step('running the tests on a wrong model solution shows the failure, and Publish stays off', async () => {
    await page.getByTestId('run-models').click();
    await runStatus('failed').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    const results = page.getByTestId('model-result');
    assert.equal(await results.count(), 3);
    const first = results.nth(0);
    assert.equal(await first.getAttribute('data-passed'), 'false');
    assert.equal(await first.getByTestId('model-result-expected').innerText(), '42');
    assert.equal(await first.getByTestId('model-result-actual').innerText(), '23');
    assert.equal(await results.nth(1).getAttribute('data-visibility'), 'hidden');
    assert.equal(await results.nth(1).getAttribute('data-passed'), 'false');
    assert.equal(await results.nth(2).getAttribute('data-passed'), 'false');
    assert.equal(await results.nth(2).getByTestId('model-result-actual').innerText(), "{'a': 4, 'b': 3}");
    assert.match(await page.getByTestId('model-run-status').innerText(), /3 of 3 tests failed/);
    assert.equal(await page.getByTestId('publish').isDisabled(), true);
    assert.match(await page.getByTestId('publish-readiness').innerText(), /failed/);
  });

  await step('after fixing the model solution, Publish waits for a save and a new run', async () => {
    await page.getByTestId('question-model').fill(RIGHT);
    await saveState('unsaved').waitFor();
    await page.getByTestId('model-run-stale').waitFor();
    assert.equal(await page.getByTestId('publish').isDisabled(), true);
    assert.match(await page.getByTestId('publish-readiness').innerText(), /Save your changes/);

    await page.getByTestId('save-exam').click();
    await saveState('saved').waitFor();
    assert.equal(await page.getByTestId('publish').isDisabled(), true, 'the last run was of another version');

    await page.getByTestId('run-models').click();
    await runStatus('passed').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    assert.deepEqual(
      await page.getByTestId('model-result').evaluateAll((items) => items.map((item) => item.dataset.passed)),
      ['true', 'true', 'true'],
    );
    assert.equal(await page.getByTestId('model-run-stale').count(), 0);
    assert.equal(await page.getByTestId('publish').isDisabled(), false);
  });

  await step('publishing asks first, then the exam is open', async () => {
    await page.getByTestId('publish').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-action').click();
    await page.locator('[data-testid="exam-phase"]', { hasText: 'Open' }).waitFor();
    await page.getByTestId('published-note').waitFor();
    assert.equal(await page.getByTestId('delete-exam').count(), 0, 'a published exam cannot be deleted');
    // Still editable: changes after publishing are audited, not refused.
    assert.equal(await page.getByTestId('save-exam').isEnabled(), true);

    await page.getByTestId('back-to-course').click();
    await page.locator(`[data-testid="exam-row"][data-title="${TITLE}"][data-phase="open"]`).waitFor();
    await page.context().close();
  });

  await step('a student sees it on /home and starts it, and never receives the hidden test', async () => {
    const student = await computer();
    const bodies = [];
    const reading = [];
    student.on('response', (response) => {
      if (!new URL(response.url()).pathname.startsWith('/api/')) return;
      // A stream (the page's announcements) has no end to read to; what it sends is read on the page.
      if ((response.headers()['content-type'] ?? '').startsWith('text/event-stream')) return;
      reading.push(
        response.text().then(
          (body) => bodies.push({ url: response.url(), body }),
          () => undefined,
        ),
      );
    });
    await student.goto(at(`/signin?org=demo&email=${encodeURIComponent('student1@demo.example')}`));
    await signInFromLink(student, { email: 'student1@demo.example', password }, '/home');
    await student.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: TITLE }).click();
    await student.waitForURL(at(`/exams/${examId}`));
    assert.equal(await student.getByTestId('exam-title').innerText(), TITLE);
    await student.getByTestId('exam-start').click();
    await student.waitForURL(at(`/exams/${examId}/take`));
    await student.getByTestId('editor-content').waitFor();
    assert.equal(await student.getByTestId('question-tab').count(), 1);
    await Promise.all(reading);

    const attemptView = bodies.find((one) => one.body.includes('double(21)'));
    assert.ok(attemptView !== undefined, 'the visible test reached the student');
    const html = await student.content();
    for (const secret of [HIDDEN_EXPECTED, 'str(double(2475))']) {
      assert.equal(html.includes(secret), false, `the page holds ${secret}`);
      for (const { url, body } of bodies) assert.equal(body.includes(secret), false, `${url} answered with ${secret}`);
    }
    await student.context().close();
  });

  assert.deepEqual(problems, [], 'no console error, uncaught error or CSP violation');
});
