// Load helpers of the abuse test: HTTPS requests from chosen loopback
// addresses (every 127.0.0.0/8 address reaches a server on 127.0.0.1, and the
// server sees each as another computer), the server's resident memory, and
// timing. Nothing here throws on a failed request: a refused connection is an
// answer with status 0.
import { readFileSync } from 'node:fs';
import https from 'node:https';

/** An agent whose connections come from `localAddress`, keeping up to `sockets` open. */
export function agentFrom(localAddress, sockets = 64) {
  return new https.Agent({ keepAlive: true, maxSockets: sockets, localAddress, rejectUnauthorized: false });
}

/**
 * One request to `base` (an https:// URL) through `agent`. Resolves with
 * `{ status, headers, text, json, ms }`; status 0 when the connection failed.
 */
export function request(base, agent, method, path, { body, headers = {}, timeoutMs = 30_000 } = {}) {
  const url = new URL(path, base);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status, responseHeaders = {}, text = '') => {
      let json;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      resolve({ status, headers: responseHeaders, text, json, ms: performance.now() - started });
    };
    const req = https.request(
      url,
      {
        method,
        agent,
        rejectUnauthorized: false,
        timeout: timeoutMs,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...headers,
        },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => done(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString()));
        res.on('error', () => done(res.statusCode ?? 0, res.headers));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Counts of each status in `answers`, e.g. `{ 401: 12, 429: 988 }`. */
export function tally(answers) {
  const counts = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/** The resident memory of process `pid`, in MB (from /proc/<pid>/status). */
export function residentMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** Samples the resident memory of `pid` every 50 ms until `stop()`, which returns the peak in MB. */
export function watchMemory(pid) {
  let peak = residentMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, residentMb(pid));
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, residentMb(pid));
  };
}

/** Resolves after `ms` milliseconds. */
export const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/** Signs in through `agent`; resolves with the answer plus `cookie` and `csrf` when it worked. */
export async function signIn(base, agent, org, email, password) {
  const answer = await request(base, agent, 'POST', '/api/v1/session', { body: { org, email, password } });
  const setCookie = answer.headers['set-cookie'] ?? [];
  const session = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('__Host-examhall='));
  return { ...answer, cookie: session, csrf: answer.json?.csrf_token };
}
