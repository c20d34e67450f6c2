// Browser test of editing an open exam while a student works on it, against
// the real examhall binary: the demo's student saves an answer to question 1
// of "Python warm-up"; its instructor adds a question in the exam editor and
// saves, then changes the new question and saves again. Every question keeps
// its id through both saves (the editor sends each id back), so the
// student's answer stays attached and the second save edits the new
// question instead of adding it again.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && npm run test:browser
//
// See harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEMO_PASSWORD, callApi, chainedSteps, demoStory, signInFromLink } from './harness.mjs';

/** "Who is signed in?" before signing in, which the browser logs as an error. */
const expected = (line) =>
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

const story = demoStory(expected);
const { computer, problems, at } = story;

/** Signs in a demo person, who lands on `landing` (students: /home, staff: /courses). */
async function signIn(page, email, password, landing) {
  await page.goto(at(`/signin?org=demo&email=${encodeURIComponent(email)}`));
  await signInFromLink(page, { email, password }, landing);
}

test('an instructor edits an open exam while a student works on it', { timeout: 300_000 }, async (t) => {
  const step = chainedSteps(t);
  let password;
  let instructor;
  let course;
  let exam;
  let editorPath;
  let answered;
  /** The student's page and attempt, to read the answer back at the end. */
  let student;
  let attempt;
  const answer = 'def add(a, b):\n    return a + b\n';

  await step('the demo student starts the open exam and saves an answer to question 1', async () => {
    [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    student = await computer();
    await signIn(student, 'student1@demo.example', password, '/home');
    const [mine] = (await callApi(student, 'GET', '/me/exams')).filter((each) => each.title === 'Python warm-up');
    const started = await callApi(student, 'POST', `/me/exams/${mine.id}/start`);
    answered = started.questions[0].id;
    const { csrf_token: csrf } = await (await student.request.get(at('/api/v1/session'))).json();
    const item = { seq: 1, kind: 'snapshot', question_id: answered, client_at: new Date().toISOString(),
      code: answer };
    const saved = await student.request.post(at(`/api/v1/me/exams/${mine.id}/saves`), {
      headers: { 'X-CSRF-Token': csrf, 'X-Exam-Secret': started.binding.secret, 'Content-Type': 'application/json' },
      data: JSON.stringify({ items: [item] }),
    });
    assert.equal(saved.status(), 200, await saved.text());
    attempt = { examId: mine.id, secret: started.binding.secret, csrf };
  });

  await step('the instructor opens the exam in the editor', async () => {
    instructor = await computer();
    await signIn(instructor, 'instructor@demo.example', password, '/courses');
    [course] = (await callApi(instructor, 'GET', '/me/courses')).filter((each) => each.code === 'CS101');
    [exam] = (await callApi(instructor, 'GET', `/courses/${course.id}/exams`)).filter((e) => e.title === 'Python warm-up');
    assert.equal(exam.phase, 'open');
    assert.ok(exam.question_ids.includes(answered));
    editorPath = `/courses/${course.id}/exams/${exam.id}/edit`;
    await instructor.goto(at(editorPath));
    await instructor.getByTestId('exam-editor').waitFor();
    assert.equal(await instructor.getByTestId('question-editor').count(), exam.question_ids.length);
  });

  const saveAndRead = async () => {
    await instructor.getByTestId('save-exam').click();
    await instructor.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: 15_000 });
    return callApi(instructor, 'GET', `/courses/${course.id}/exams/${exam.id}`);
  };

  let added;
  await step('a question added and saved gets an id; the others keep theirs', async () => {
    await instructor.getByTestId('add-question').click();
    const question = instructor.getByTestId('question-editor').last();
    await question.getByTestId('question-title').fill('Triple it');
    await question.getByTestId('question-prompt').fill('Write `triple(x)`.');
    const after = await saveAndRead();
    assert.deepEqual(after.question_ids.slice(0, -1), exam.question_ids, 'the questions that were there keep their ids');
    assert.equal(after.question_ids.length, exam.question_ids.length + 1);
    added = after.question_ids.at(-1);
    assert.equal(after.questions.at(-1).title, 'Triple it');
  });

  await step('changing the new question and saving again edits it, under the same id', async () => {
    await instructor.getByTestId('question-editor').last().getByTestId('question-title').fill('Triple x');
    const after = await saveAndRead();
    assert.equal(after.question_ids.at(-1), added, 'the new question kept the id of its first save');
    assert.equal(after.questions.at(-1).title, 'Triple x');
    assert.ok(after.question_ids.includes(answered), 'the student’s question is still there');
    await instructor.context().close();
  });

  await step('the student’s answer is still attached to its question', async () => {
    const resumed = await student.request.post(at(`/api/v1/me/exams/${attempt.examId}/resume`), {
      headers: { 'X-CSRF-Token': attempt.csrf, 'X-Exam-Secret': attempt.secret, 'Content-Type': 'application/json' },
      data: '{}',
    });
    assert.equal(resumed.status(), 200, await resumed.text());
    const view = await resumed.json();
    assert.equal(view.answers.find((each) => each.question_id === answered)?.code, answer);
    await student.context().close();
  });

  assert.deepEqual(problems, [], 'no console error, uncaught error or CSP violation');
});
