// Browser story of results, against `examhall demo`: one student hands in a
// hostile answer (sandbox_probes.py: it tries the grader's cookies, the API,
// a WebSocket, the page's storage and document, and signing the grader out,
// while still adding correctly, and forges the hidden test's report), another
// a plain correct one, a third one that raises. The instructor grades them in their browser: the hostile
// code reaches nothing (the server's log shows no request from it, the
// grader stays signed in, its result records what it printed), the next
// submission is graded as it deserves, and the raising one gets errors.
// The instructor closes the exam, sets one answer's points by hand with
// feedback and releases; the student then sees their points and feedback
// on their exam's page, and nothing of the hidden test.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

// Every request the server answers is logged: a request from the sandbox would show.
const story = demoStory(expected, { env: { EXAMHALL_LOG__LEVEL: 'info,tower_http=debug' } });
const EXAM = 'Python warm-up';
const CORRECT = 'def add(a, b):\n    return a + b\n';
const RAISES = 'def add(a, b):\n    raise ValueError("not today")\n';

/**
 * The probes, then an answer that adds correctly and prints how many probes
 * got through; on the hidden test (`add(-4, 4)`) it also finds the run's
 * test markers in the grader's frames and writes a passing report of its own
 * for each, before the real one.
 */
function hostile() {
  const probes = readFileSync(new URL('./sandbox_probes.py', import.meta.url), 'utf8')
    .replaceAll('__ORIGIN__', new URL(story.server.url).origin);
  return `${probes}

def add(a, b):
    import sys
    if a == -4:
        frame = sys._getframe(1)
        while frame is not None and "tests" not in frame.f_locals:
            frame = frame.f_back
        for entry in frame.f_locals["tests"]:
            for marker in [part for part in entry if isinstance(part, str) and part.startswith("@@examhall-grade-")]:
                print(marker + '{"actual": "0", "error": null, "stdout": "forged", "stderr": "", "ms": 0}', file=sys.__stdout__, flush=True)
    print(f"NOT BLOCKED {reached()}")
    return a + b
`;
}

/** Log lines of requests to the probes' canary route, or of any sign-out. */
const CANARY_LINE =
  /^(?=.*finished processing request)(?=.*(?:route="\/api\/v1\/sessions"|method=DELETE route="\/api\/v1\/session"))/;

test('grading a hostile answer reaches nothing; released results show the student their points and no hidden test', { timeout: 600_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let instructor;
  let path;
  let grading;

  await step('three students hand in: a hostile answer that adds correctly, a plain correct one, one that raises', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    await handInFirst(story, 'student1@demo.example', password, EXAM, hostile(), { long: true });
    await handInFirst(story, 'student2@demo.example', password, EXAM, CORRECT);
    await handInFirst(story, 'student3@demo.example', password, EXAM, RAISES);
  });

  await step('the instructor grades both; nothing the hostile code tried reached the server or the grader', async () => {
    instructor = await demoSignedIn(story, 'instructor@demo.example', password, '/courses');
    await instructor.getByTestId('my-course-link').first().click();
    await instructor.getByRole('link', { name: EXAM }).first().click();
    await instructor.getByTestId('manage-grading').click();
    await instructor.waitForURL(/\/grading$/);
    const [, courseId, examId] = /\/courses\/([^/]+)\/exams\/([^/]+)\/grading/.exec(instructor.url());
    path = `/courses/${courseId}/exams/${examId}`;
    const from = story.server.stdout.length;
    await instructor.getByTestId('grade-start').click();
    await instructor.locator('[data-testid="grade-status"][data-phase="done"]').waitFor({ timeout: 300_000 });
    // Requests still on their way when the sandbox was disposed of would have landed by now.
    await instructor.waitForTimeout(2_000);
    const canary = story.server.stdout.slice(from).filter((line) => CANARY_LINE.test(line));
    assert.deepEqual(canary, [], 'no request from the sandbox reached the server');
    const session = await instructor.request.get(story.at('/api/v1/session'));
    assert.equal(session.status(), 200, 'the grader is still signed in');
    // The control: the page's own request to the canary route shows in the log.
    const control = story.server.stdout.length;
    assert.equal(await instructor.evaluate(async () => (await fetch('/api/v1/sessions')).status), 200);
    await story.server.waitForLine(CANARY_LINE, 10_000, control);

    grading = await callApi(instructor, 'GET', `${path}/grading`);
    const byEmail = new Map(grading.submissions.map((row) => [row.email, row]));
    assert.equal(byEmail.get('student1@demo.example').scores[0].points, 2.5, 'the visible test passes; the forged hidden one is an error');
    assert.equal(byEmail.get('student2@demo.example').scores[0].points, 5, 'the next submission is unaffected');
    const raised = byEmail.get('student3@demo.example');
    assert.equal(raised.scores[0].points, 0);
    const raisedWork = await callApi(instructor, 'GET', `${path}/grading/submissions/${raised.submission_id}`);
    const outcomes = raisedWork.results.filter((r) => r.question_id === grading.questions[0].id).map((r) => [r.outcome, r.actual]);
    assert.deepEqual(outcomes, [['error', "ValueError: not today"], ['error', "ValueError: not today"]]);
    const work = await callApi(instructor, 'GET', `${path}/grading/submissions/${byEmail.get('student1@demo.example').submission_id}`);
    const first = grading.questions[0].id;
    const results = work.results.filter((result) => result.question_id === first);
    const hiddenSha = grading.questions[0].tests.find((test) => test.visibility === 'hidden').sha256;
    const visible = results.find((result) => result.test_sha256 !== hiddenSha);
    const forged = results.find((result) => result.test_sha256 === hiddenSha);
    assert.equal(visible.outcome, 'passed');
    assert.match(visible.stdout, /NOT BLOCKED 0/, 'the result records what it printed');
    assert.deepEqual([forged.outcome, forged.stderr], ['error', 'the program wrote a test report of its own']);
  });

  await step('before release the student reads that nothing is released', async () => {
    await callApi(instructor, 'POST', `${path}/window`, {});
    const student = await demoSignedIn(story, 'student2@demo.example', password);
    await student.getByTestId('my-exam-link').filter({ hasText: EXAM }).first().click();
    await student.getByTestId('results-not-released').waitFor();
    await student.context().close();
  });

  await step('the instructor sets one answer\'s points by hand with feedback, and releases', async () => {
    const row = grading.submissions.find((r) => r.email === 'student2@demo.example');
    const mark = { question_id: grading.questions[0].id, marker: 'first', rubric: null, points: 4.5,
      feedback: 'Correct; name the parameters after what they hold.' };
    await callApi(instructor, 'POST', `${path}/grading/submissions/${row.submission_id}/marks`, mark);
    await instructor.reload();
    await instructor.getByTestId('gradebook').waitFor();
    await callApi(instructor, 'POST', `${path}/grading/release`);
  });

  await step('the student sees their points and feedback, the visible test, and nothing of the hidden test', async () => {
    const student = await demoSignedIn(story, 'student2@demo.example', password);
    await student.getByTestId('my-exam-link').filter({ hasText: EXAM }).first().click();
    const panel = student.getByTestId('exam-results');
    await panel.getByTestId('results-total').waitFor();
    assert.match(await panel.getByTestId('results-total').innerText(), /^Total: 4\.5 of \d+ points$/);
    const question = panel.getByTestId('result-question').first();
    assert.match(await question.getByTestId('result-points').innerText(), /4\.5 of 5 points Points set by your grader\./);
    assert.equal(await question.getByTestId('result-feedback').innerText(), 'Correct; name the parameters after what they hold.');
    assert.equal(await question.getByTestId('result-test').count(), 1, 'the visible test only');
    assert.equal(await question.getByTestId('result-test').getAttribute('data-outcome'), 'passed');
    const hidden = grading.questions[0].tests.find((test) => test.visibility === 'hidden');
    const page = await student.content();
    assert.ok(!page.includes(hidden.expression), 'the hidden test\'s code never reaches the student');
    assert.equal(await panel.getByTestId('result-hidden').count(), 0, 'hidden counts are off unless the instructor shows them');
    // Keyboard: the panel is a labelled region with headings, read in order.
    assert.equal(await panel.getAttribute('aria-labelledby'), 'results-heading');
    await student.context().close();
  });
});
