// Browser test of the Python sandbox against the real examhall binary: code
// run in the browser (a student's program, a co-instructor's model solution)
// holds nobody's authority. Signed in as a student on the exam page, and as
// an instructor running model solutions, a hostile program
// (sandbox_probes.py) tries examhall's API with the viewer's cookies (fetch,
// XHR, WebSocket, EventSource, importScripts, pyodide.http, reading the CSRF
// token to sign the viewer out), the page's document, storage and cookies,
// eval, and forged messages to the page: every attempt fails, and the
// server's log (requests at debug level) shows that no request from the
// sandbox reached it, while the same request from the page itself does. Print,
// input(), Stop on `while True: pass` and the visible tests still work, and
// Chromium accepts the page's Permissions-Policy.
//
//   cargo build                       (build.rs also builds assets/dist)
//   cd assets && node --test ../tests/browser/sandbox.test.mjs
//
// See harness.mjs for EXAMHALL_BIN and CHROMIUM_PATH.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { replaceCode, replaceLongCode } from './editor.mjs';
import { chainedSteps, DEMO_PASSWORD, demoStory, signInFromLink } from './harness.mjs';

const PYTHON_TIMEOUT_MS = 120_000;

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, and the service worker, which Chromium refuses to register on an origin
 * whose certificate it does not trust (the demo's is self-signed).
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line);

// Every request the server answers is logged with its method, route and status.
const story = demoStory(expected, { env: { EXAMHALL_LOG__LEVEL: 'info,tower_http=debug' } });
const { computer, problems } = story;

/** Every probe of sandbox_probes.py: each must end "blocked". */
const PROBES = [
  'Function', 'caches', 'csrf token, then sign out', 'eval', 'eventsource', 'fetch', 'fetch /api/v1/session',
  'fetch absolute /api/v1/session', 'importScripts', 'indexedDB', 'js.cookieStore', 'js.document', 'js.localStorage',
  'js.opener', 'js.parent', 'js.sessionStorage', 'js.top', 'origin', 'pyodide.code.run_js', 'pyodide.http.open_url',
  'pyodide.http.pyfetch', 'websocket', 'worker from the server', 'xhr', 'xhr /api/v1/session',
];
/** Probes of absolute examhall URLs: blocked by the sandbox, never by a wrong address. */
const ADDRESSED = ['csrf token, then sign out', 'eventsource', 'fetch', 'fetch absolute /api/v1/session', 'importScripts',
  'pyodide.http.open_url', 'pyodide.http.pyfetch', 'websocket', 'worker from the server', 'xhr'];

/** The probe program for this server. */
function probes() {
  const source = readFileSync(new URL('./sandbox_probes.py', import.meta.url), 'utf8');
  return source.replaceAll('__ORIGIN__', new URL(story.server.url).origin);
}

/** The log line of an answered request to the canary route, or of any sign-out. */
const CANARY_LINE =
  /^(?=.*finished processing request)(?=.*(?:route="\/api\/v1\/sessions"|method=DELETE route="\/api\/v1\/session"))/;

/** Log lines of requests to the canary route, or of any sign-out, from index `from` of the server's stdout on. */
const canaryRequests = (from = 0) => story.server.stdout.slice(from).filter((line) => CANARY_LINE.test(line));

/**
 * Runs the program in the exam editor until it has ended, and returns its output.
 * `timeout` is for the run to end: the first one waits for Python to start.
 */
async function runProgram(page, timeout = 30_000) {
  await page.getByTestId('run').click();
  await page.locator('[data-testid="run-status"][data-phase="ran"]').waitFor({ timeout });
  return page.getByTestId('output').innerText();
}

/**
 * How long a probe may take to settle. The probes settle inside the sandbox,
 * which shows the test nothing (that is its point): only a later run's
 * report tells, so the runs go on, one after the other, until it does.
 */
const SETTLE_MS = 30_000;

/** Messages of every level naming the Permissions-Policy header, from every page of the story. */
const policyComplaints = [];
function watchPolicy(page) {
  page.context().on('console', (message) => {
    if (/permissions-policy/i.test(message.text())) policyComplaints.push(message.text());
  });
}

/** Parses `PROBE name: outcome` lines into a map. */
function outcomes(text) {
  return new Map([...text.matchAll(/^PROBE (.+?): (.*)$/gm)].map((match) => [match[1], match[2]]));
}

function assertAllBlocked(found) {
  assert.deepEqual([...found.keys()].sort(), [...PROBES].sort(), 'every probe ran');
  for (const [name, outcome] of found) {
    assert.match(outcome, /^blocked \(/, `${name}: ${outcome}`);
    if (ADDRESSED.includes(name)) assert.doesNotMatch(outcome, /invalid|parse/i, `${name} must fail for the sandbox, not its address`);
  }
}

test('Python run in the browser reaches no cookie, storage, API or network of examhall', { timeout: 900_000 }, async (t) => {
  const step = chainedSteps(t);
  const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
  let student;
  let sessionsBefore;
  /** The server's stdout from here on must show no canary request but the control's. */
  let quietFrom;

  /**
   * Waits until the log shows a canary request from index `from` of the
   * server's stdout on (its line comes down a pipe, and may arrive after the
   * browser has the answer), and returns them all.
   */
  const logged = async (from) => {
    await story.server.waitForLine(CANARY_LINE, 10_000, from);
    return canaryRequests(from);
  };

  await step('the student signs in and starts the demo exam', async () => {
    student = await computer();
    watchPolicy(student);
    await student.goto(story.at(`/signin?org=demo&email=${encodeURIComponent('student1@demo.example')}`));
    await signInFromLink(student, { email: 'student1@demo.example', password }, '/home');
    await student.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
    await student.getByTestId('exam-start').click();
    await student.waitForURL(/\/exams\/[^/]+\/take$/);
    await student.getByTestId('editor-content').waitFor();
    // The test's own request to the canary route shows in the log: the log sees such requests.
    sessionsBefore = await (await student.request.get(story.at('/api/v1/sessions'))).json();
    assert.equal((await logged(0)).length, 1);
    quietFrom = story.server.stdout.length;
  });

  await step('the student\'s program reaches nothing: every probe is blocked', async () => {
    const from = story.server.stdout.length;
    await replaceLongCode(student, `${probes()}\nreport()\n`);
    // The first run starts the probes; later runs report those that settle in
    // between, while the worker waits for the next run.
    let output = await runProgram(student, PYTHON_TIMEOUT_MS);
    const settled = Date.now() + SETTLE_MS;
    while (!/^PENDING 0$/m.test(output) && Date.now() < settled) {
      assert.match(student.url(), /\/take$/, 'the program must not sign the student out (its requests carried their cookie)');
      output = await runProgram(student);
    }
    assert.match(student.url(), /\/take$/, 'the program must not sign the student out (its requests carried their cookie)');
    assert.match(output, /^PENDING 0$/m, output);
    assertAllBlocked(outcomes(output));
    // A forged message reaches the page as text, never as markup.
    assert.match(output, /<img src=x data-forged=1>/);
    assert.equal(await student.locator('img[data-forged]').count(), 0);
    assert.deepEqual(canaryRequests(from), [], 'no request from the sandbox reached the server');
  });

  await step('print, input(), Stop and the visible test still work', async () => {
    await replaceCode(student, 'name = input("Name? ")\nprint(f"Hello, {name}!")\n');
    await student.getByTestId('run').click();
    await student.getByTestId('stdin-input').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    await student.getByTestId('stdin-input').fill('Ada');
    await student.keyboard.press('Enter');
    await student.locator('[data-testid="run-status"][data-phase="ran"]').waitFor({ timeout: 30_000 });
    assert.match(await student.getByTestId('output').innerText(), /Name\? \nAda\nHello, Ada!/);

    // The program says when it enters the loop: Stop must interrupt a loop
    // that runs, not a run still on its way to Python.
    await replaceCode(student, 'print("looping", flush=True)\nwhile True:\n    pass\n');
    await student.getByTestId('run').click();
    await student.getByTestId('output').filter({ hasText: 'looping' }).waitFor();
    assert.equal(await student.getByTestId('run-status').getAttribute('data-phase'), 'running');
    await student.getByTestId('stop').click();
    await student.locator('[data-testid="run-status"][data-phase="ran"]').waitFor({ timeout: 30_000 });
    assert.equal(await student.getByTestId('run-status').innerText(), 'Stopped.');
    // Interrupted, not restarted: the interpreter still holds what the probes left.
    await replaceCode(student, 'import builtins\nprint("probes kept:", "_examhall_probes" in builtins.__dict__)\n');
    await student.getByTestId('run').click();
    await student.locator('[data-testid="run-status"][data-phase="ran"]').waitFor({ timeout: 30_000 });
    assert.match(await student.getByTestId('output').innerText(), /probes kept: True/);

    await replaceCode(student, 'def add(a, b):\n    return a + b\n');
    await student.getByTestId('test').click();
    await student.locator('[data-testid="run-status"][data-phase="tested"]').waitFor({ timeout: PYTHON_TIMEOUT_MS });
    assert.equal(await student.getByTestId('test-result').first().getAttribute('data-passed'), 'true');
  });

  await step('an instructor\'s "Run model solutions" on a hostile model solution reaches nothing either', async () => {
    const instructor = await computer();
    watchPolicy(instructor);
    await instructor.goto(story.at(`/signin?org=demo&email=${encodeURIComponent('instructor@demo.example')}`));
    await signInFromLink(instructor, { email: 'instructor@demo.example', password }, '/courses');
    await instructor.locator('[data-testid="my-course"][data-code="CS101"]').getByTestId('my-course-link').click();
    await instructor.getByTestId('new-exam').click();
    await instructor.getByTestId('add-question').click();
    const question = instructor.getByTestId('question-editor');
    await question.getByTestId('question-title').fill('Hostile model solution');
    await question.getByTestId('question-model').fill(probes());
    const expectations = [['reached()', '0'], ['pending()', '0'], ['probed()', String(PROBES.length)]];
    for (const [index, [expression, value]] of expectations.entries()) {
      await question.getByTestId('add-test').click();
      const editor = question.getByTestId('test-editor').nth(index);
      await editor.getByTestId('test-expression').fill(expression);
      await editor.getByTestId('test-expected').fill(value);
    }
    const from = story.server.stdout.length;
    // The first run starts the probes; a later one finds them all settled
    // (see SETTLE_MS: only a run can tell).
    const status = instructor.getByTestId('model-run-status');
    const runModels = async (timeout = 30_000) => {
      await instructor.getByTestId('run-models').click();
      await instructor.locator('[data-testid="model-run-status"]:is([data-phase="passed"], [data-phase="failed"])').waitFor({ timeout });
      return status.getAttribute('data-phase');
    };
    let phase = await runModels(PYTHON_TIMEOUT_MS);
    const settled = Date.now() + SETTLE_MS;
    while (phase !== 'passed' && Date.now() < settled) phase = await runModels();
    const results = instructor.getByTestId('model-result');
    const actual = await results.getByTestId('model-result-actual').allInnerTexts();
    assert.equal(await status.getAttribute('data-phase'), 'passed', `reached, pending, probed: ${actual.join(', ')}`);
    assert.deepEqual(actual, ['0', '0', String(PROBES.length)]);
    assert.deepEqual(canaryRequests(from), [], 'no request from the sandbox reached the server');
    await instructor.context().close();
  });

  await step('the same request from the page itself does reach the server, and the student is still signed in', async () => {
    assert.deepEqual(canaryRequests(quietFrom), [], 'no request to the canary route since the student signed in');
    // The control: examhall's own origin may call its API with the student's cookie, and the log shows it.
    const answer = await student.evaluate(async () => (await fetch('/api/v1/sessions', { credentials: 'include' })).status);
    assert.equal(answer, 200);
    const seen = await logged(quietFrom);
    assert.equal(seen.length, 1, 'the log shows the page\'s own request');
    assert.match(seen[0], /status=200/);
    const sessionsAfter = await (await student.request.get(story.at('/api/v1/sessions'))).json();
    assert.deepEqual(sessionsAfter.map((s) => s.id), sessionsBefore.map((s) => s.id), 'no session was ended');
    await student.context().close();
  });

  await step('Chromium accepts the Permissions-Policy, and nothing unexpected was logged', () => {
    assert.deepEqual(policyComplaints, []);
    assert.deepEqual(problems, []);
  });
});
