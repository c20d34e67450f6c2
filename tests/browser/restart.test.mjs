// Browser test of a server that dies mid-exam. A proctor watches the demo
// exam's monitor while a student types. The server is killed (SIGKILL: no
// shutdown of any kind) and, while it is down, the student keeps typing and
// the monitor says it is reconnecting. The same data directory is served
// again on the same address: the student's waiting changes reach it, the
// monitor resumes by itself and shows the student's latest save, both stay
// signed in, and a reload of the student's page shows every character typed.
//
//   cargo build
//   cd assets && npm run test:browser
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { expectEditorText, editorText, typeAtEnd, waitQueuedHere, waitSaved } from './editor.mjs';
import { chainedSteps, DEMO_PASSWORD, demoStory, signInFromLink, startServer, stopServer, tempDir } from './harness.mjs';

/**
 * Failures the story causes on purpose: "who is signed in?" before signing
 * in, the service worker refused on the self-signed certificate, and, while
 * the server is down, the streams of both pages cut and the student's saves
 * and the streams' retries finding no one at the address. Any other failed
 * request is a problem.
 */
const expected = (line) =>
  line === 'console error: An SSL certificate error occurred when fetching the script.' ||
  /^console error: Failed to load resource: the server responded with a status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/.test(line) ||
  /^console error: Failed to load resource: net::ERR_CONNECTION_(REFUSED|CLOSED) at https:\/\/127\.0\.0\.1:\d+\/api\/v1\/(me\/exams\/[^/]+\/(saves|announcements\/events)|courses\/[^/]+\/exams\/[^/]+\/monitor\/events)(\?.*)?$/.test(line);

// The demo keeps its data in a temporary directory it removes on a clean
// exit; killed, it leaves it behind, here, for the restart (and the harness's clean-up).
// The restarted server stops before the story's own clean-up removes its directory.
let restarted;
after(async () => {
  if (restarted !== undefined) await stopServer(restarted.process);
});
const story = demoStory(expected, { env: { TMPDIR: await tempDir('examhall-restart-data-') } });

test('a student and a proctor carry on across a killed and restarted server, and nothing typed is lost', { timeout: 240_000 }, async (t) => {
  const step = chainedSteps(t);
  let proctor;
  let student;
  let typedBefore;

  await step('a proctor watches the monitor while a student types and saves', async () => {
    const [, password] = await story.server.waitForLine(DEMO_PASSWORD);
    proctor = await story.computer();
    await proctor.goto(story.at('/signin?org=demo&email=proctor%40demo.example'));
    await signInFromLink(proctor, { email: 'proctor@demo.example', password }, '/courses');
    await proctor.getByTestId('watched-exam').filter({ hasText: 'Python warm-up' }).getByTestId('open-monitor').click();
    await proctor.locator('[data-testid="monitor-connection"][data-state="live"]').waitFor();

    student = await story.computer();
    await student.goto(story.at('/signin?org=demo&email=student1%40demo.example'));
    await signInFromLink(student, { email: 'student1@demo.example', password }, '/home');
    await student.getByTestId('exams-open').getByTestId('my-exam-link').filter({ hasText: 'Python warm-up' }).click();
    await student.getByTestId('exam-start').click();
    await student.getByTestId('editor-content').waitFor();
    await typeAtEnd(student, '# before the crash');
    await waitSaved(student);
    typedBefore = await editorText(student);
    await proctor.locator('[data-testid="monitor-row"][data-email="student1@demo.example"][data-status="working"]').waitFor({ timeout: 3_000 });
  });

  let lastSaveSeen;
  await step('the server is killed: the student keeps typing, the changes wait on the computer, the monitor says it is reconnecting', async () => {
    lastSaveSeen = await proctor.locator('[data-testid="monitor-row"][data-email="student1@demo.example"]').getAttribute('data-last-save');
    const died = new Promise((done) => story.server.process.once('exit', done));
    story.server.process.kill('SIGKILL');
    await died;
    await typeAtEnd(student, '\n# while the server was down');
    await waitQueuedHere(student);
    assert.match(await student.getByTestId('save-status').innerText(), /waiting to be saved/);
    await proctor.locator('[data-testid="monitor-connection"][data-state="reconnecting"]').waitFor({ timeout: 15_000 });
  });

  await step('the same data is served again on the same address: the waiting changes are saved and the monitor resumes by itself', async () => {
    const [, dataDir] = await story.server.waitForLine(/data \(temporary\)\s+(\S+)/);
    const address = new URL(story.server.url).host;
    restarted = await startServer({ args: ['serve', '--listen', address], env: { EXAMHALL_DATA_DIR: dataDir } });
    assert.equal(restarted.url, story.server.url, 'the same address, so both pages carry on');
    await waitSaved(student, 60_000);
    await proctor.locator('[data-testid="monitor-connection"][data-state="live"]').waitFor({ timeout: 30_000 });
    await proctor.waitForFunction(
      (seen) => {
        const saved = document.querySelector('[data-testid="monitor-row"][data-email="student1@demo.example"]')?.getAttribute('data-last-save');
        return typeof saved === 'string' && saved !== '' && saved !== seen;
      },
      lastSaveSeen,
      { timeout: 5_000 },
    );
  });

  await step('both are still signed in, and a reload of the student\'s page shows every character typed', async () => {
    const typed = `${typedBefore}\n# while the server was down`;
    await student.reload();
    await student.getByTestId('editor-content').waitFor();
    await expectEditorText(student, typed);
    await proctor.reload();
    await proctor.locator('[data-testid="monitor-connection"][data-state="live"]').waitFor();
    assert.equal(await proctor.locator('[data-testid="monitor-row"][data-email="student1@demo.example"]').getAttribute('data-status'), 'working');
  });

  await step('no CSP violation or unexpected error on the way', async () => {
    await student.context().close();
    await proctor.context().close();
    assert.deepEqual(story.problems, []);
  });
});
