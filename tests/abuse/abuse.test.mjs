// The abuse test: the real examhall binary (`examhall demo`, started with the
// browser tests' harness and a soft limit of 1,024 open files, systemd's
// default) replays what a hostile client on the exam network can send, and
// checks the server's resident memory, that a legitimate person still gets
// in quickly, and what is stored afterwards:
//
//   1. a burst of 1,000 concurrent wrong sign-ins from four addresses;
//   2. huge and varied sign-in bodies (the rate limiter's keys);
//   3. 1,000 half-sent requests holding connections open;
//   4. 300 concurrent wrong password changes by one student;
//   5. 2,000 wrong sign-ins, then the audit log's row count.
//
//   EXAMHALL_BIN=target/debug/examhall node --test tests/abuse/abuse.test.mjs
//
// Every phase is bounded in count and time; the figures are printed as test
// diagnostics. Needs no browser: requests go through node:https from
// addresses in 127.0.0.0/8, each a different computer to the server.
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { cleanup, DEMO_PASSWORD, SETUP_LINK, startServer, stopServer } from '../browser/harness.mjs';
import { agentFrom, pause, request, residentMb, signIn, tally, watchMemory } from './load.mjs';

/** The memory the server may use at any time during the floods. */
const MEMORY_LIMIT_MB = 200;
/** How fast a legitimate sign-in must succeed during a flood. */
const LEGITIMATE_MS = 2000;
/** The default `server.header_read_timeout_secs`: the server runs with its shipped limits. */
const HEADER_TIMEOUT_SECS = 10;
/** Repeated refusals are written every this many seconds (shorter than the default, to wait less). */
const REFUSAL_WINDOW_SECS = 2;

let server;
let base;
let pid;
let password;
const admin = { email: 'abuse-admin@demo.example', name: 'Ada Admin', password: 'quartz-lantern-meadow-42' };

before(async () => {
  server = await startServer({
    loopbackHttp: true,
    openFileLimit: 1024,
    env: { EXAMHALL_AUTH__REFUSAL_WINDOW_SECS: String(REFUSAL_WINDOW_SECS) },
  });
  base = server.url;
  pid = server.process.pid;
  [, password] = await server.waitForLine(DEMO_PASSWORD);
});

after(async () => {
  if (server !== undefined) await stopServer(server.process);
  await cleanup();
});

/** Signs in as `email` of the demo organization from a fresh address, timing it. */
async function legitimateSignIn(from, email) {
  const agent = agentFrom(from, 1);
  // The person's browser already holds a connection (it loaded the sign-in page).
  await request(base, agent, 'GET', '/healthz');
  const answer = await signIn(base, agent, 'demo', email, password);
  agent.destroy();
  return answer;
}

test('a burst of 1,000 wrong sign-ins from four addresses', { timeout: 60_000 }, async (t) => {
  const before = residentMb(pid);
  const agents = ['127.0.0.11', '127.0.0.12', '127.0.0.13', '127.0.0.14'].map((a) => agentFrom(a, 250));
  const stop = watchMemory(pid);
  const burst = Array.from({ length: 1000 }, (_, i) =>
    request(base, agents[i % agents.length], 'POST', '/api/v1/session', {
      body: { org: 'demo', email: i % 2 === 0 ? `student${(i % 3) + 1}@demo.example` : `guess${i}@demo.example`, password: `wrong-${i}` },
    }),
  );
  await pause(300);
  const legitimate = await legitimateSignIn('127.0.0.20', 'student1@demo.example');
  const answers = await Promise.all(burst);
  const peak = stop();
  agents.forEach((agent) => agent.destroy());
  t.diagnostic(`sign-in burst: RSS ${before} -> peak ${peak} MB, after ${residentMb(pid)} MB; statuses ${JSON.stringify(tally(answers))}`);
  t.diagnostic(`sign-in burst: legitimate sign-in ${legitimate.status} in ${Math.round(legitimate.ms)} ms`);
  assert.equal(legitimate.status, 200, 'the legitimate sign-in succeeds');
  assert.ok(legitimate.ms < LEGITIMATE_MS, `legitimate sign-in took ${Math.round(legitimate.ms)} ms`);
  assert.ok(peak < MEMORY_LIMIT_MB, `resident memory peaked at ${peak} MB`);
  assert.ok(answers.every((a) => [401, 429, 503].includes(a.status)), JSON.stringify(tally(answers)));
  assert.ok((tally(answers)[401] ?? 0) <= 4 * 60, 'each address gets its bucket of tries, no more');
});

test('huge and varied sign-in bodies leave the limiter small', { timeout: 60_000 }, async (t) => {
  const before = residentMb(pid);
  // From 20 addresses, five each: few enough that no address is slowed down.
  const hugeFrom = Array.from({ length: 20 }, (_, i) => agentFrom(`127.0.2.${i + 1}`, 2));
  const stop = watchMemory(pid);
  const huge = [];
  for (let i = 0; i < 100; i += 1) {
    const email = `${String(i).padStart(6, '0')}${'x'.repeat(1024 * 1024)}@demo.example`;
    huge.push(request(base, hugeFrom[i % 20], 'POST', '/api/v1/session', { body: { org: 'demo', email, password: 'whatever-1' } }));
  }
  const hugeAnswers = await Promise.all(huge);
  hugeFrom.forEach((a) => a.destroy());
  const from = Array.from({ length: 50 }, (_, i) => agentFrom(`127.0.1.${i + 1}`, 4));
  const varied = [];
  for (let i = 0; i < 2000; i += 1) {
    // Longer than any e-mail address may be: refused before it becomes a key.
    const email = `${'v'.repeat(300)}${i}@demo.example`;
    varied.push(request(base, from[i % from.length], 'POST', '/api/v1/session', { body: { org: 'demo', email, password: 'whatever-1' } }));
  }
  const variedAnswers = await Promise.all(varied);
  from.forEach((a) => a.destroy());
  const peak = stop();
  const afterMb = residentMb(pid);
  t.diagnostic(`limiter keys: RSS ${before} -> peak ${peak} MB, after ${afterMb} MB`);
  t.diagnostic(`limiter keys: 1 MiB bodies ${JSON.stringify(tally(hugeAnswers))}; varied ${JSON.stringify(tally(variedAnswers))}`);
  assert.ok(hugeAnswers.every((a) => a.status === 413 || a.status === 0), 'a sign-in body is small');
  assert.ok(variedAnswers.every((a) => a.status === 401 || a.status === 429), JSON.stringify(tally(variedAnswers)));
  assert.ok(peak < MEMORY_LIMIT_MB, `resident memory peaked at ${peak} MB`);
  assert.ok(afterMb - before < 30, `the limiter grew the server by ${afterMb - before} MB`);
});

test('1,000 half-sent requests do not keep others out, and are cut off', { timeout: 60_000 }, async (t) => {
  const before = residentMb(pid);
  const plain = new URL(server.httpUrl);
  const held = [];
  let closedByServer = 0;
  let lastClosedMs = 0;
  const started = performance.now();
  const hold = (socket) => {
    socket.on('error', () => {});
    socket.on('close', () => {
      closedByServer += 1;
      lastClosedMs = performance.now() - started;
    });
    held.push(socket);
  };
  for (let i = 0; i < 1000; i += 1) {
    const localAddress = '127.0.0.30';
    const partial = 'POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n';
    if (i % 5 === 0) {
      const socket = tls.connect({ host: '127.0.0.1', port: Number(new URL(base).port), localAddress, rejectUnauthorized: false }, () => socket.write(partial));
      hold(socket);
    } else {
      const socket = net.connect({ host: '127.0.0.1', port: Number(plain.port), localAddress }, () => socket.write(partial));
      hold(socket);
    }
  }
  await pause(500);
  const probes = [];
  for (let i = 0; i < 5; i += 1) {
    const agent = agentFrom('127.0.0.31', 1);
    probes.push(await request(base, agent, 'GET', '/healthz', { timeoutMs: 5000 }));
    agent.destroy();
  }
  const during = residentMb(pid);
  const deadline = Date.now() + (HEADER_TIMEOUT_SECS + 5) * 1000;
  while (closedByServer < held.length && Date.now() < deadline) await pause(200);
  const closed = closedByServer;
  held.forEach((socket) => socket.destroy());
  const slowest = Math.max(...probes.map((p) => p.ms));
  t.diagnostic(`half-sent requests: RSS ${before} -> ${during} MB while held; /healthz slowest ${Math.round(slowest)} ms, statuses ${JSON.stringify(tally(probes))}`);
  t.diagnostic(`half-sent requests: ${closed} of ${held.length} closed by the server, the last ${Math.round(lastClosedMs)} ms after opening`);
  assert.ok(probes.every((p) => p.status === 200), `health probes answered ${JSON.stringify(tally(probes))}`);
  assert.ok(slowest < 1000, `/healthz took ${Math.round(slowest)} ms`);
  assert.equal(closed, held.length, 'every half-sent request is cut off after the header timeout');
  assert.ok(during < MEMORY_LIMIT_MB, `resident memory ${during} MB`);
});

test('300 concurrent wrong password changes by one student', { timeout: 60_000 }, async (t) => {
  const agent = agentFrom('127.0.0.40', 300);
  const student = await signIn(base, agent, 'demo', 'student2@demo.example', password);
  assert.equal(student.status, 200);
  const before = residentMb(pid);
  const stop = watchMemory(pid);
  const burst = Array.from({ length: 300 }, (_, i) =>
    request(base, agent, 'POST', '/api/v1/password', {
      headers: { cookie: student.cookie, 'x-csrf-token': student.csrf },
      body: { current_password: `wrong-${i}`, new_password: 'meadow-lantern-quartz-77' },
    }),
  );
  await pause(300);
  const legitimate = await legitimateSignIn('127.0.0.41', 'student3@demo.example');
  const answers = await Promise.all(burst);
  const peak = stop();
  agent.destroy();
  t.diagnostic(`password changes: RSS ${before} -> peak ${peak} MB; statuses ${JSON.stringify(tally(answers))}`);
  t.diagnostic(`password changes: legitimate sign-in ${legitimate.status} in ${Math.round(legitimate.ms)} ms`);
  assert.equal(legitimate.status, 200);
  assert.ok(legitimate.ms < LEGITIMATE_MS, `legitimate sign-in took ${Math.round(legitimate.ms)} ms`);
  assert.ok(peak < MEMORY_LIMIT_MB, `resident memory peaked at ${peak} MB`);
  assert.ok(answers.every((answer) => [422, 429].includes(answer.status)), `statuses: ${JSON.stringify(tally(answers))}`);
  const judged = tally(answers)[422] ?? 0;
  assert.ok(judged >= 1 && judged <= 6, `wrong current passwords judged: ${JSON.stringify(tally(answers))}`);
});

/** The demo organization's administrator, created through the platform's set-up link. */
async function demoAdmin() {
  const agent = agentFrom('127.0.0.90', 4);
  const [, setupLink] = await server.waitForLine(SETUP_LINK);
  const token = new URL(setupLink).pathname.replace('/link/', '');
  const it = { email: 'it@demo.example', display_name: 'IT', password: 'violet-harbour-lantern-57' };
  assert.equal((await request(base, agent, 'POST', `/api/v1/links/${token}`, { body: it })).status, 204);
  const platform = await signIn(base, agent, undefined, it.email, it.password);
  const headers = { cookie: platform.cookie, 'x-csrf-token': platform.csrf };
  const orgs = (await request(base, agent, 'GET', '/api/v1/platform/orgs', { headers })).json;
  const demo = orgs.find((org) => org.slug === 'demo');
  const invitation = await request(base, agent, 'POST', `/api/v1/platform/orgs/${demo.id}/admins`, {
    headers,
    body: { email: admin.email, display_name: admin.name },
  });
  const link = invitation.json.link.replace('/link/', '');
  assert.equal((await request(base, agent, 'POST', `/api/v1/links/${link}`, { body: { password: admin.password } })).status, 204);
  const signedIn = await signIn(base, agent, 'demo', admin.email, admin.password);
  return { agent, headers: { cookie: signedIn.cookie, 'x-csrf-token': signedIn.csrf } };
}

test('2,000 wrong sign-ins leave a bounded number of audit rows that count every one', { timeout: 90_000 }, async (t) => {
  const { agent, headers } = await demoAdmin();
  const addresses = ['127.0.0.50', '127.0.0.51', '127.0.0.52', '127.0.0.53', '127.0.0.54'];
  const agents = addresses.map((a) => agentFrom(a, 100));
  const flood = Array.from({ length: 2000 }, (_, i) =>
    request(base, agents[i % agents.length], 'POST', '/api/v1/session', {
      body: { org: 'demo', email: `nobody${i}@demo.example`, password: 'wrong-guess-1' },
    }),
  );
  const answers = await Promise.all(flood);
  agents.forEach((a) => a.destroy());
  const refused = tally(answers)[401] ?? 0;
  const rows = async () => {
    const log = await request(base, agent, 'GET', '/api/v1/org/audit?action=session.sign_in&limit=1000', { headers });
    return log.json.filter((entry) => entry.outcome === 'failure' && addresses.includes(entry.client_addr));
  };
  const countOf = (entries) => entries.reduce((sum, entry) => sum + (entry.details.count ?? 1), 0);
  let logged = [];
  const deadline = Date.now() + (REFUSAL_WINDOW_SECS + 10) * 1000;
  for (;;) {
    logged = await rows();
    if (countOf(logged) >= refused || Date.now() > deadline) break;
    await pause(500);
  }
  agent.destroy();
  const counted = countOf(logged);
  t.diagnostic(`audit flood: statuses ${JSON.stringify(tally(answers))}; ${logged.length} audit rows counting ${counted} refusals`);
  assert.ok(logged.length <= 50, `${logged.length} rows for ${refused} refusals`);
  assert.equal(counted, refused, 'every refused sign-in is counted');
  assert.ok(logged.every((entry) => entry.actor_label === 'unknown account'), 'what was typed is not stored');
});
