// Shared set-up of the browser tests: start the real examhall binary
// (`examhall demo --listen 127.0.0.1:0`), read what it prints, launch the
// system's Chromium through playwright-core (nothing is downloaded), collect
// console errors and CSP violations, and clean up after. Below that, the
// steps stories share: redeeming one-time links, signing in, calling the API
// as a signed-in person, and a quick organization with an instructor.
//
// EXAMHALL_BIN overrides the binary (default target/debug/examhall from the
// repository root); CHROMIUM_PATH overrides /usr/bin/chromium.
//
// Where time matters, a story runs on the test clock (`testClock: true`):
// time flows as usual, and the story jumps the server and the browsers
// forward together (`story.jump(ms)`) instead of waiting for the time to pass.
// The server reads how far ahead it is from a file on every reading of its
// clock (EXAMHALL_TEST_CLOCK_OFFSET_FILE, debug builds only; see
// src/clock.rs); each browser context runs on Playwright's clock, which the
// jump fast-forwards by the same amount, so the pages' timers fire as they
// would have.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// playwright-core is a dev dependency of the front end: resolve it from assets/.
const { chromium } = createRequire(join(repoRoot, 'assets', 'package.json'))('playwright-core');

const binary = resolve(repoRoot, process.env.EXAMHALL_BIN ?? 'target/debug/examhall');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const STARTUP_TIMEOUT_MS = 60_000;
const URL_PATTERN = /https:\/\/127\.0\.0\.1:\d+\//;

/** Chromium's flags for tests and benchmarks: headless, and nothing reaches outside hosts. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const tempDirs = [];

/** A temporary directory that `cleanup()` removes. */
export async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/**
 * A running `examhall demo`.
 * @typedef {{ process: import('node:child_process').ChildProcess, url: string, httpUrl?: string, log: string[],
 *   stdout: string[], waitForLine: (pattern: RegExp, timeoutMs?: number, from?: number) => Promise<RegExpExecArray>,
 *   testClock?: TestClock }} Server
 */

/**
 * The server's side of the test clock: how far ahead of the system's clock
 * the server runs, moved only forward.
 * @typedef {{ readonly ahead: number, now: () => number, jump: (ms: number) => Promise<void> }} TestClock
 */

/**
 * A test clock kept in `file` (EXAMHALL_TEST_CLOCK_OFFSET_FILE): `ahead` is
 * the milliseconds the server runs ahead of the system's clock, `now()` the
 * server's time by this process's clock (the same machine's), and `jump(ms)`
 * moves the server `ms` further ahead. The file changes by rename, never in
 * place: the server reads a missing or unreadable file as no offset at all,
 * so a half-written file would move its clock back.
 * @returns {Promise<TestClock>}
 */
async function offsetFileClock(file) {
  let ahead = 0;
  let writes = Promise.resolve();
  const write = async (value) => {
    const next = `${file}.next`;
    await writeFile(next, `${value}\n`);
    await rename(next, file);
  };
  await write(ahead);
  return {
    get ahead() {
      return ahead;
    },
    now: () => Date.now() + ahead,
    jump(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the test clock only jumps forward, not by ${ms} ms`);
      ahead += Math.ceil(ms);
      const value = ahead;
      writes = writes.then(() => write(value));
      return writes;
    },
  };
}

/** A loopback TCP port free right now (the system picks it; the probe closes at once). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts `examhall demo` and resolves once it has printed its URL on stdout.
 * With `loopbackHttp`, the server also serves plain HTTP on a free loopback
 * port (`EXAMHALL_SERVER__LOOPBACK_HTTP_LISTEN`), given as `httpUrl`: a secure
 * context without a certificate error, where browsers allow service workers.
 * `env` adds variables. With `testClock`, the server runs on the test clock
 * (EXAMHALL_TEST_CLOCK_OFFSET_FILE, a file in its temporary directory), given
 * as `testClock` ({@link TestClock}): `server.testClock.jump(ms)` moves the
 * server alone; stories move the browsers along (`demoStory`).
 * `openFileLimit` starts it with that soft limit on open files (as systemd's
 * default of 1,024 would), through `bash -c 'ulimit -Sn N && exec ...'`, so
 * the process is still the server itself. `program` runs another build than
 * EXAMHALL_BIN (benchmarks compare two). `args` runs another command than
 * the demo on a free port (e.g. `serve` on a kept data directory, to restart).
 */
export async function startServer({
  loopbackHttp = false,
  env: extraEnv = {},
  openFileLimit = undefined,
  program = binary,
  testClock: onTestClock = false,
  args = ['demo', '--listen', '127.0.0.1:0'],
} = {}) {
  const workDir = await tempDir('examhall-browser-test-');
  const env = { ...process.env, ...extraEnv };
  let testClock;
  if (onTestClock) {
    // Beside the server's working directory, not in it: nothing of the server's own.
    const file = join(await tempDir('examhall-test-clock-'), 'offset-ms');
    testClock = await offsetFileClock(file);
    env.EXAMHALL_TEST_CLOCK_OFFSET_FILE = file;
  }
  let httpUrl;
  if (loopbackHttp) {
    const port = await freePort();
    env.EXAMHALL_SERVER__LOOPBACK_HTTP_LISTEN = `127.0.0.1:${port}`;
    httpUrl = `http://127.0.0.1:${port}/`;
  }
  const [command, argv] =
    openFileLimit === undefined
      ? [program, args]
      : ['bash', ['-c', `ulimit -Sn ${Number(openFileLimit)} && exec "$0" "$@"`, program, ...args]];
  const child = spawn(command, argv, {
    cwd: workDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const stdoutLines = [];
  const waiters = new Set();
  const remember = (line) => {
    log.push(line);
    if (log.length > 200) log.shift();
  };
  // Keep draining both pipes for the whole run, so the server never blocks on a full pipe.
  createInterface({ input: child.stderr }).on('line', remember);
  createInterface({ input: child.stdout }).on('line', (line) => {
    remember(line);
    stdoutLines.push(line);
    for (const waiter of waiters) waiter(line);
  });

  /**
   * Resolves with the first stdout line, past or future, that matches
   * `pattern`; with `from`, only lines from that index of `stdout` on count
   * (what the server printed after a moment the caller noted).
   */
  const waitForLine = (pattern, timeoutMs = STARTUP_TIMEOUT_MS, from = 0) =>
    new Promise((resolveMatch, reject) => {
      for (const line of stdoutLines.slice(from)) {
        const match = pattern.exec(line);
        if (match !== null) {
          resolveMatch(match);
          return;
        }
      }
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        child.off('exit', exited);
      };
      const check = (line) => {
        const match = pattern.exec(line);
        if (match !== null) {
          done();
          resolveMatch(match);
        }
      };
      const exited = (code, signal) => {
        done();
        reject(new Error(`examhall exited (${code ?? signal}) before printing ${pattern}:\n${log.join('\n')}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${pattern} on stdout within ${timeoutMs} ms:\n${log.join('\n')}`));
      }, timeoutMs);
      waiters.add(check);
      child.once('exit', exited);
    });

  const started = new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start ${binary}: ${error.message}`)));
  });
  const [url] = await Promise.race([waitForLine(URL_PATTERN), started]);
  return { process: child, url, httpUrl, log, stdout: stdoutLines, waitForLine, testClock };
}

/** Ends the server by its PID: SIGTERM, then SIGKILL if it lingers. */
export async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Chromium with a persistent profile (a real one, as in an exam hall: storage
 * and service workers work). Pass the same `profile` directory again to
 * reopen the browser after closing it; `options` adds context options such
 * as `{ offline: true }`.
 */
export async function launchPersistentContext(profile = undefined, options = {}) {
  const dir = profile ?? (await tempDir('examhall-chromium-'));
  return chromium.launchPersistentContext(dir, {
    executablePath: chromiumPath,
    args: CHROMIUM_ARGS,
    ignoreHTTPSErrors: true,
    ...options,
  });
}

/** Chromium for tests that need several people, each in a fresh context of its own (`browser.newContext()`). */
export function launchBrowser() {
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}

/** A new browser context that accepts the demo's self-signed certificate. */
export function newContext(browser) {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

/**
 * Records console errors, uncaught errors and CSP violations of every page
 * (and worker) of `context` into the returned array.
 */
export function watchProblems(context) {
  const problems = [];
  context.on('console', (message) => {
    if (message.type() === 'error' || /content security policy/i.test(message.text())) {
      const where = message.location()?.url;
      problems.push(`console ${message.type()}: ${message.text()}${where ? ` at ${where}` : ''}`);
    }
  });
  context.on('weberror', (error) => problems.push(`uncaught: ${error.error().message}`));
  return problems;
}

/** Makes CSP violations of pages in `context` show up as console errors. */
export async function reportCspViolations(context) {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
}

/**
 * The frame of a story with several people, each on a computer of their own,
 * against one `examhall demo`: registers `before` and `after` hooks of the
 * test file that start the server and one Chromium and stop both. Returns
 * `server` (once started), `at(path)` (an address on it), `computer()` (a page
 * in a fresh context) and `problems`: the console errors, uncaught errors and
 * CSP violations of every closed context that `expected(line)` does not excuse.
 * `serverOptions` go to `startServer`.
 *
 * With `serverOptions.testClock`, the story runs on the test clock: every
 * computer's context gets Playwright's clock, installed before its first page
 * loads at the server's time (time flows on it as usual), and
 * `jump(ms)` moves the server and then every computer still open `ms` ahead
 * (`clock.fastForward`: each due timer of a page fires once, as after a closed
 * laptop lid). The server moves first, so a page never runs ahead of it.
 * `serverNow()` is the server's time, to aim a jump at a deadline. Wait for
 * what a jump should cause (a locator, a response, a roster poll), never a
 * fixed time.
 */
export function demoStory(expected, serverOptions = {}) {
  let server;
  let browser;
  const problems = [];
  /** The contexts on the test clock that are still open. */
  const clocked = new Set();
  before(async () => {
    server = await startServer(serverOptions);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    if (server !== undefined) await stopServer(server.process);
    await cleanup();
  });
  return {
    get server() {
      return server;
    },
    problems,
    at: (path) => new URL(path, server.url).href,
    async computer() {
      const context = await newContext(browser);
      await reportCspViolations(context);
      const seen = watchProblems(context);
      context.on('close', () => problems.push(...seen.filter((line) => !expected(line))));
      if (server.testClock !== undefined) {
        await context.clock.install({ time: server.testClock.now() });
        clocked.add(context);
        context.on('close', () => clocked.delete(context));
      }
      return context.newPage();
    },
    serverNow() {
      return testClockOf(server).now();
    },
    async jump(ms) {
      await testClockOf(server).jump(ms);
      await Promise.all([...clocked].map((context) => context.clock.fastForward(Math.ceil(ms))));
    },
  };
}

function testClockOf(server) {
  if (server?.testClock === undefined) throw new Error('the story runs on the test clock only with `testClock: true`');
  return server.testClock;
}

/**
 * The frame of a story on one computer against one `examhall demo`: a
 * persistent Chromium profile, as in an exam hall, where storage and service
 * workers work. Registers `before` and `after` hooks of the test file that
 * start and stop the server (with `serverOptions`) and the browser. Returns
 * `server` and `context` (once started), `problems` (the console errors,
 * uncaught errors and CSP violations so far) and `at(path)`, an address on the
 * loopback HTTP listener when `serverOptions.loopbackHttp`, else on HTTPS.
 */
export function oneComputerStory(serverOptions = {}) {
  let server;
  let context;
  let problems = [];
  before(async () => {
    server = await startServer(serverOptions);
    context = await launchPersistentContext();
    await reportCspViolations(context);
    problems = watchProblems(context);
  });
  after(async () => {
    await context?.close();
    if (server !== undefined) await stopServer(server.process);
    await cleanup();
  });
  return {
    get server() {
      return server;
    },
    get context() {
      return context;
    },
    get problems() {
      return problems;
    },
    at: (path) => new URL(path, serverOptions.loopbackHttp ? server.httpUrl : server.url).href,
  };
}

/** Removes every temporary directory made through `tempDir`. */
export async function cleanup() {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

// ---------------------------------------------------------------------------
// People and their links: the steps every story takes to get someone signed in.

/** The line `examhall demo` prints with the password every seeded person of organization `demo` shares. */
export const DEMO_PASSWORD = /^Sign in to organization `demo` with password (\S+):$/;

/**
 * The people of an installation's first day (`orgWithInstructor`'s
 * `people`): IT, who redeems the set-up link, the physics organization's
 * administrator, and an instructor.
 */
export const FIRST_DAY_PEOPLE = Object.freeze({
  it: { email: 'it@demo.example', name: 'Iris IT', password: 'violet-harbour-lantern-57' },
  admin: { email: 'admin@physics.example', name: 'Paula Admin', password: 'copper-meadow-quartz-81' },
  instructor: { email: 'ivan@physics.example', name: 'Ivan Instructor', password: 'maple-orbit-whistle-23' },
});

/** "Who is signed in?" asked while nobody is: the failed request every story's first page makes. */
export const SIGNED_OUT = /status of 401 \S* at https:\/\/[^/]+\/api\/v1\/session$/;

/**
 * A story's `expected` console lines: failed requests it makes on purpose,
 * those whose line matches one of `failures`.
 */
export const failingOnPurpose =
  (...failures) =>
  (line) =>
    line.startsWith('console error: Failed to load resource:') && failures.some((failure) => failure.test(line));

/** The line `examhall demo` prints with the one-time set-up link of the platform administrator. */
export const SETUP_LINK = /setup link: (https:\/\/\S+)/;

/** Opens a one-time link as a page of its own, the way a person clicks it in an e-mail. */
export async function openLink(page, url) {
  const response = await page.goto(url);
  assert.equal(response?.status(), 200, `the server must answer ${new URL(url).pathname} with the app shell`);
}

/** Opens a one-time link, sets the password (twice), and follows "Sign in" to the pre-filled form. */
export async function redeem(page, url, password, setup = undefined) {
  await openLink(page, url);
  await page.getByTestId('link-form').waitFor();
  if (setup !== undefined) {
    await page.getByTestId('link-email').fill(setup.email);
    await page.getByTestId('link-display-name').fill(setup.name);
  }
  await page.getByTestId('new-password').fill(password);
  await page.getByTestId('new-password-again').fill(password);
  await page.getByTestId('link-submit').click();
  await page.getByTestId('link-done').waitFor();
  await page.getByTestId('link-sign-in').click();
  await page.waitForURL(/\/signin\?/);
}

/** Signs in from a pre-filled sign-in form and waits for the landing page (a path). */
export async function signInFromLink(page, person, landing) {
  assert.equal(await page.getByTestId('sign-in-email').inputValue(), person.email);
  await page.getByTestId('sign-in-password').fill(person.password);
  await page.getByTestId('sign-in-submit').click();
  await page.waitForURL(new URL(landing, page.url()).href);
}

/** The full address in a one-time link box. */
export const linkIn = (page, testId) => page.getByTestId(`${testId}-url`).inputValue();

/**
 * Calls the API as the person signed in on `page` (its context's cookies),
 * with the CSRF token of their session, and returns the JSON answer
 * (undefined for 204). Any other answer than 2xx fails the test with the problem.
 */
export async function callApi(page, method, path, body = undefined) {
  const url = (p) => new URL(`/api/v1${p}`, page.url()).href;
  const session = await page.request.get(url('/session'));
  assert.equal(session.status(), 200, 'callApi needs a signed-in page');
  const { csrf_token: csrf } = await session.json();
  const response = await page.request.fetch(url(path), {
    method,
    headers: { 'X-CSRF-Token': csrf, Accept: 'application/json', 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { data: JSON.stringify(body) }),
  });
  if (!response.ok()) assert.fail(`${method} ${path} answered ${response.status()}: ${await response.text()}`);
  return response.status() === 204 ? undefined : response.json();
}

/**
 * The first day of an installation, quickly: the platform administrator sets
 * up examhall from the demo's set-up link, creates the organization `physics`
 * and invites its administrator, who creates PHYS101 with `sections`, invites
 * an instructor and grants them PHYS101. Links are redeemed and people sign in
 * through the pages; the rest goes through the API. `computer()` must return a
 * page in a fresh browser context. Resolves with the instructor's page (on
 * /courses) and the course with its sections.
 */
export async function orgWithInstructor(server, computer, { people, sections = ['A'] }) {
  const at = (path) => new URL(path, server.url).href;
  const [, setupLink] = await server.waitForLine(SETUP_LINK);
  const it = await computer();
  await redeem(it, setupLink, people.it.password, people.it);
  await signInFromLink(it, people.it, '/platform');
  const org = await callApi(it, 'POST', '/platform/orgs', { slug: 'physics', name: 'Faculty of Physics' });
  const invitation = await callApi(it, 'POST', `/platform/orgs/${org.id}/admins`, {
    email: people.admin.email,
    display_name: people.admin.name,
  });
  await it.context().close();

  const admin = await computer();
  await redeem(admin, at(invitation.link), people.admin.password);
  await signInFromLink(admin, people.admin, '/admin');
  const course = await callApi(admin, 'POST', '/org/courses', { code: 'PHYS101', title: 'Physics I' });
  course.sections = [];
  for (const name of sections) {
    course.sections.push(await callApi(admin, 'POST', `/org/courses/${course.id}/sections`, { name }));
  }
  const created = await callApi(admin, 'POST', '/org/users', {
    email: people.instructor.email,
    display_name: people.instructor.name,
  });
  await callApi(admin, 'POST', '/org/grants', { user_id: created.user.id, role: 'instructor', course_id: course.id });
  await admin.context().close();

  const instructor = await computer();
  await redeem(instructor, at(created.link), people.instructor.password);
  await signInFromLink(instructor, people.instructor, '/courses');
  return { instructor, course, org };
}

/**
 * Steps of one story that build on each other: `const step = chainedSteps(t)`,
 * then `await step(name, body)` for each. After a step fails, the rest are
 * skipped rather than timing out one by one.
 */
export function chainedSteps(t) {
  let failed = false;
  return (name, body) =>
    t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
      try {
        await body();
      } catch (error) {
        failed = true;
        throw error;
      }
    });
}
