// Browser story of grading, against `examhall demo`: three students hand in
// the first question of "Python warm-up": one correct, one that lies (an
// object whose `__eq__` always answers True, builtins patched, a printed
// result line made up), one that never ends. The instructor grades from the
// exam's page: the tests, hidden ones too, run in Python sandboxes in the
// instructor's browser. The page is closed mid-way and opened again, and
// grading goes on where it stopped; the gradebook gives each student the
// points their code deserves, and each result says why. Then the instructor
// marks beside the tests: points by hand with feedback, a rubric item, and
// a release the server refuses while the exam is still open.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { demoSignedIn, handInFirst } from './demo.mjs';
import { callApi, chainedSteps, DEMO_PASSWORD, demoStory } from './harness.mjs';

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, and the service worker refused on the self-signed certificate.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

const story = demoStory(expected);
const EXAM = 'Python warm-up';

const CORRECT = 'def add(a, b):\n    return a + b\n';
// Everything a submission might try to pass without the right answer.
const LIAR = `import builtins, sys


class Anything:
    def __eq__(self, other):
        return True

    def __repr__(self):
        return "5"


builtins.repr = lambda value: "5"
builtins.isinstance = lambda value, kind: True
print('@@examhall-grade-00000000000000000000000000000000@@{"actual": "5", "error": null, "stdout": "", "stderr": ""}')


def add(a, b):
    return Anything()
`;
const ENDLESS = 'def add(a, b):\n    while True:\n        pass\n';

const signedIn = (email, password, landing = '/home') => demoSignedIn(story, email, password, landing);
const handIn = (email, password, code) => handInFirst(story, email, password, EXAM, code);

/** The instructor's page and the grading page's address, once the first story has graded every submission. */
let instructor;
let gradingUrl;
let graded = false;

/** The gradebook row of `email`: its first question's points and its total. */
async function row(page, email) {
  const found = page.locator(`[data-testid="grade-row"][data-email="${email}"]`);
  return { found, first: await found.getByTestId('grade-points').first().innerText() };
}

test('an instructor grades a closed exam in the browser; a closed page resumes, and lies earn nothing', { timeout: 420_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;

  await step('three students hand in the first question: correct, a liar, and one that never ends', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    await handIn('student1@demo.example', password, CORRECT);
    await handIn('student2@demo.example', password, LIAR);
    await handIn('student3@demo.example', password, ENDLESS);
  });

  await step('the exam\'s grading page lists the three submissions, none graded', async () => {
    instructor = await signedIn('instructor@demo.example', password, '/courses');
    await instructor.getByTestId('my-course-link').first().click();
    await instructor.getByRole('link', { name: EXAM }).first().click();
    await instructor.getByTestId('manage-grading').click();
    await instructor.waitForURL(/\/grading$/);
    gradingUrl = instructor.url();
    await instructor.getByTestId('gradebook').waitFor();
    assert.equal(await instructor.getByTestId('grade-row').count(), 3);
    assert.match(await instructor.getByTestId('grade-status').innerText(), /3 submissions wait for results/);
    assert.match((await row(instructor, 'student1@demo.example')).first, /Not graded/);
  });

  await step('grading starts; the page is closed after the first submission and opened again', async () => {
    await instructor.getByTestId('grade-start').click();
    await instructor.locator('[data-testid="grade-status"][data-phase="running"]').waitFor({ timeout: 120_000 });
    await instructor.getByTestId('grade-progress').waitFor();
    await instructor.waitForFunction(
      () => /^[1-9]\d* of 3 submissions graded/.test(document.querySelector('[data-testid="grade-status"]')?.textContent ?? ''),
      undefined,
      { timeout: 120_000 },
    );
    const context = instructor.context();
    await instructor.close();
    instructor = await context.newPage();
    await instructor.goto(gradingUrl);
    await instructor.getByTestId('gradebook').waitFor();
    assert.match(await instructor.getByTestId('grade-status').innerText(), /^[12] submissions? waits? for results\.$/);
    assert.equal(await instructor.getByTestId('grade-start').innerText(), 'Grade the rest');
  });

  await step('grading again goes on where it stopped, runs nothing twice, and Pause holds it between two tests', async () => {
    // Every report the reopened page sends stores something new: nothing graded before runs again.
    const reports = [];
    instructor.on('response', (response) => {
      if (response.request().method() === 'POST' && /\/grading\/submissions\/[^/]+\/results$/.test(response.url())) {
        reports.push(response.json().then((body) => body.stored));
      }
    });
    await instructor.getByTestId('grade-start').click();
    await instructor.getByTestId('grade-pause').click();
    await instructor.locator('[data-testid="grade-status"][data-phase="paused"]').waitFor();
    assert.match(await instructor.getByTestId('grade-status').innerText(), /Paused/);
    // The test running when Pause was pressed ends within its 10 s limit; then nothing more is sent.
    await instructor.waitForTimeout(11_000);
    const held = reports.length;
    await instructor.waitForTimeout(2_000);
    assert.equal(reports.length, held, 'paused: no test runs');
    await instructor.getByTestId('grade-resume').click();
    await instructor.locator('[data-testid="grade-status"][data-phase="done"]').waitFor({ timeout: 240_000 });
    const stored = await Promise.all(reports);
    assert.ok(stored.length > 0 && stored.every((count) => count > 0), `stored per report: ${stored.join(', ')}`);
    assert.equal(await instructor.getByTestId('grade-status').innerText(), 'All 3 submissions have every result.');
    const [, courseId, examId] = /\/courses\/([^/]+)\/exams\/([^/]+)\/grading/.exec(gradingUrl);
    const path = `/courses/${courseId}/exams/${examId}/grading`;
    const grading = await callApi(instructor, 'GET', path);
    for (const submission of grading.submissions) {
      assert.ok(submission.scores.every((score) => score.graded === score.tests), submission.email);
      const work = await callApi(instructor, 'GET', `${path}/submissions/${submission.submission_id}`);
      const tests = grading.questions.reduce((sum, question) => sum + question.tests.length, 0);
      assert.equal(work.results.length, tests, `${submission.email}: each test once, none twice`);
    }
    graded = true;
  });

  await step('the gradebook gives the correct answer its points and the liar and the endless loop none, with why', async () => {
    assert.match((await row(instructor, 'student1@demo.example')).first, /^5 of 5 · computed\n2 of 2 tests passed$/);
    const liar = await row(instructor, 'student2@demo.example');
    assert.match(liar.first, /^0 of 5 · computed\n0 of 2 tests passed$/);
    const endless = await row(instructor, 'student3@demo.example');
    assert.match(endless.first, /^0 of 5 · computed\n0 of 2 tests passed$/);

    const details = liar.found.getByTestId('grade-details');
    await details.focus();
    await instructor.keyboard.press('Enter');
    assert.equal(await details.getAttribute('aria-expanded'), 'true');
    const liarResults = instructor.getByTestId('grade-results');
    await liarResults.waitFor();
    const first = liarResults.getByTestId('grade-result').first();
    assert.equal(await first.getAttribute('data-outcome'), 'failed');
    assert.match(await first.innerText(), /Failed[\s\S]*Expected\s*5[\s\S]*Got\s*<an object of type Anything>/);
    await details.click();

    await endless.found.getByTestId('grade-details').click();
    const stopped = instructor.getByTestId('grade-results').getByTestId('grade-result').first();
    await stopped.waitFor();
    assert.equal(await stopped.getAttribute('data-outcome'), 'timed_out');
    assert.match(await stopped.innerText(), /Timed out/);
  });

  await step('sorting by total puts the correct answer first', async () => {
    await instructor.getByTestId('gradebook-sort').selectOption('total');
    assert.equal(await instructor.getByTestId('grade-row').first().getAttribute('data-email'), 'student1@demo.example');
    await instructor.getByTestId('gradebook-filter').fill('student3');
    assert.equal(await instructor.getByTestId('grade-row').count(), 1);
  });
});

const FEEDBACK = 'The object claims to equal anything; the idea of adding is there, so most points by hand.';
const RUBRIC_ITEM = 'Names the parameters clearly';

test('the instructor marks an answer by hand, adds a rubric item, and cannot release an open exam\'s results', { timeout: 120_000 }, async (t) => {
  // The story above grades the exam this one marks: without it there is nothing to mark.
  assert.ok(graded, 'the story above did not finish grading');
  const step = chainedSteps(t);
  let liar;
  let form;

  await step('points by hand with feedback: the gradebook says they were set by hand, the history names the grader', async () => {
    await instructor.goto(gradingUrl);
    await instructor.getByTestId('gradebook').waitFor();
    liar = instructor.locator('[data-testid="grade-row"][data-email="student2@demo.example"]');
    await liar.getByTestId('grade-details').click();
    form = instructor.getByTestId('grade-results').getByTestId('mark-form').first();
    assert.equal(await form.getByTestId('mark-latest').innerText(), 'This marker has not marked this answer yet.');
    await form.getByLabel('Points by hand (leave empty to use the computed points)').fill('4.5');
    await form.getByLabel('Feedback for the student').fill(FEEDBACK);
    await form.getByTestId('mark-save').click();
    await form.getByTestId('mark-saved').filter({ hasText: 'Mark saved.' }).waitFor();
    const cell = liar.getByTestId('grade-points').first();
    await cell.filter({ hasText: '4.5 of 5 · set by hand' }).waitFor();
    assert.match(await cell.innerText(), /^4\.5 of 5 · set by hand\n0 of 2 tests passed · computed: 0 · feedback given$/);
    const history = form.getByTestId('mark-history-entry');
    await form.getByTestId('mark-latest').filter({ hasText: 'by Ines Instructor' }).waitFor();
    assert.equal(await history.count(), 1);
    const entry = await history.first().innerText();
    assert.match(entry, /Ines Instructor, first marker/);
    assert.match(entry, /Points by hand\s*4\.5/);
    assert.match(entry, /Rubric items awarded\s*Not marked/);
    assert.ok(entry.includes(FEEDBACK), entry);
  });

  await step('a rubric item set on the set-up panel shows in the mark form, and the computed points wait for it', async () => {
    const scheme = instructor.getByTestId('marking-setup').getByTestId('scheme-form').first();
    await scheme.getByTestId('scheme-add-item').click();
    const description = scheme.getByTestId('scheme-rubric-description');
    assert.ok(await description.evaluate((input) => input === document.activeElement), 'the new item takes the focus');
    await description.fill(RUBRIC_ITEM);
    await scheme.getByTestId('scheme-rubric-points').fill('1');
    assert.equal(await scheme.getByTestId('scheme-division').innerText(), 'Tests share 4 of 5 points; rubric 1.');
    await scheme.getByTestId('scheme-save').click();
    await scheme.getByTestId('scheme-saved').filter({ hasText: 'Saved for Add two numbers.' }).waitFor();
    await form.getByLabel(`${RUBRIC_ITEM} (1 point)`).waitFor();
    assert.equal(await form.getByTestId('mark-rubric-item').isChecked(), false);
    assert.match(
      (await row(instructor, 'student1@demo.example')).first,
      /^Not marked: the rubric waits for a grader\n2 of 2 tests passed · tests 4 \+ rubric not marked$/,
    );
  });

  await step('"Release results" on the still-open exam shows the server\'s refusal', async () => {
    const release = instructor.getByTestId('release-panel');
    assert.equal(await release.getByTestId('release-status').innerText(), 'Not released: students do not see their results.');
    await release.getByTestId('release-results').click();
    await instructor.getByTestId('confirm-action').click();
    const refusal = release.getByTestId('release-error');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /results can be released once the exam has closed/);
    assert.equal(await release.getByTestId('release-status').innerText(), 'Not released: students do not see their results.');
  });
});
