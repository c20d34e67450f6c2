// Browser story of grading, against `examhall demo`: three students hand in
// the first question of "Python warm-up": one correct, one that lies (an
// object whose `__eq__` always answers True, builtins patched, a printed
// result line made up), one that never ends. The instructor grades from the
// exam's page: the tests, hidden ones too, run in Python sandboxes in the
// instructor's browser. The page is closed mid-way and opened again, and
// grading goes on where it stopped; the gradebook gives each student the
// points their code deserves, and each result says why.
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

/** The gradebook row of `email`: its first question's points and its total. */
async function row(page, email) {
  const found = page.locator(`[data-testid="grade-row"][data-email="${email}"]`);
  return { found, first: await found.getByTestId('grade-points').first().innerText() };
}

test('an instructor grades a closed exam in the browser; a closed page resumes, and lies earn nothing', { timeout: 420_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let instructor;
  let gradingUrl;

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
  });

  await step('the gradebook gives the correct answer its points and the liar and the endless loop none, with why', async () => {
    assert.match((await row(instructor, 'student1@demo.example')).first, /^5 of 5\n2 of 2 tests passed$/);
    const liar = await row(instructor, 'student2@demo.example');
    assert.match(liar.first, /^0 of 5\n0 of 2 tests passed$/);
    const endless = await row(instructor, 'student3@demo.example');
    assert.match(endless.first, /^0 of 5\n0 of 2 tests passed$/);

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
