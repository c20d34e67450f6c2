// @ts-check
/**
 * Builds the document Python runs in, `/assets/python-sandbox-<hash>.html`
 * (see src/python/sandbox.ts): the Python worker (src/python/worker.ts)
 * bundled as a classic script, put as a string into the host script
 * (src/python/sandboxHost.ts), which is inlined into the document. The
 * document loads nothing: the server allows its one script by hash (its
 * policy has `connect-src 'none'` and no 'self'), and the service worker can
 * hand it to a frame offline. Its name holds a hash of its content, like
 * every file under /assets/, so caches never serve an old one to a new page.
 * vite.config.ts builds it before the app, which learns its path.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const assets = fileURLToPath(new URL('..', import.meta.url));

/**
 * Bundles one entry into a single classic script (no import, no export).
 * @param {string} entry path from assets/
 * @param {Record<string, string>} define
 * @returns {Promise<string>}
 */
async function bundle(entry, define) {
  const result = await build({
    configFile: false,
    root: assets,
    publicDir: false,
    logLevel: 'warn',
    define,
    build: {
      write: false,
      target: 'es2022',
      minify: true,
      lib: { entry, formats: ['iife'], name: 'examhallSandbox', fileName: 'bundle' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  const chunks = outputs.flatMap((output) => ('output' in output ? output.output : [])).filter((item) => item.type === 'chunk');
  const [chunk] = chunks;
  if (chunk === undefined || chunks.length !== 1) throw new Error(`${entry}: expected one script, got ${String(chunks.length)}`);
  return chunk.code.trim();
}

/**
 * The sandbox document: its HTML, with its one inline script, and the path
 * it is served at.
 * @returns {Promise<{ html: string, path: string, script: string }>}
 */
export async function buildSandboxDocument() {
  const worker = await bundle('src/python/worker.ts', {});
  const host = await bundle('src/python/sandboxHost.ts', { __PYTHON_WORKER_SOURCE__: JSON.stringify(worker) });
  // The HTML parser would end the script early at either of these.
  if (/<\/script|<!--/i.test(host)) throw new Error('the sandbox script contains "</script" or "<!--"; it cannot be inlined');
  const html = [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<title>examhall Python sandbox</title>',
    `<script>${host}</script>`,
    '</html>',
    '',
  ].join('\n');
  const hash = createHash('sha256').update(html).digest('hex').slice(0, 16);
  return { html, path: `/assets/python-sandbox-${hash}.html`, script: host };
}

/**
 * The sandbox's content security policy, for the dev and preview servers; the
 * examhall server sends the same (src/http/ui.rs). Scripts: the inline one by
 * hash, the runtime from blob: URLs, WebAssembly; no connection of any kind.
 * @param {string} script the inline script
 */
export function sandboxPolicy(script) {
  const hash = createHash('sha256').update(script).digest('base64');
  return [
    "default-src 'none'",
    `script-src 'sha256-${hash}' blob: 'wasm-unsafe-eval'`,
    'worker-src blob:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    'sandbox allow-scripts',
  ].join('; ');
}
