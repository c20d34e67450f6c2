// Build configuration for the examhall front end.
//
// The output in dist/ is what the examhall binary embeds: index.html is the
// app shell, dist/assets/ holds content-hashed bundles, and
// scripts/postbuild.mjs adds the Pyodide runtime under dist/pyodide/<version>/.
// src/sw.ts becomes dist/sw.js, the service worker for exams without a network.
// The document Python runs in (scripts/sandbox.mjs) is built first, so the app
// learns its hashed path as __PYTHON_SANDBOX_PATH__.
// Nothing is loaded from a CDN; the app finds the runtime through the version
// defined here as __PYODIDE_VERSION__.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { buildSandboxDocument, sandboxPolicy } from './scripts/sandbox.mjs';

const pyodideDir = fileURLToPath(new URL('./node_modules/pyodide/', import.meta.url));
const pyodideVersion = (
  JSON.parse(readFileSync(join(pyodideDir, 'package.json'), 'utf8')) as { version: string }
).version;

/** The files of the Pyodide runtime that a browser fetches (see postbuild.mjs). */
const runtimeTypes: Record<string, string> = {
  'pyodide.mjs': 'text/javascript',
  'pyodide.asm.mjs': 'text/javascript',
  'pyodide.asm.wasm': 'application/wasm',
  'pyodide-lock.json': 'application/json',
  'python_stdlib.zip': 'application/zip',
};

/** Headers the examhall server sends, so dev and preview behave like production. */
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const csp = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Dev server only: serve the runtime from node_modules at its production path. */
function pyodideDevRuntime(): Plugin {
  const prefix = `/pyodide/${pyodideVersion}/`;
  return {
    name: 'examhall-pyodide-dev-runtime',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        const name = path.startsWith(prefix) ? path.slice(prefix.length) : '';
        const type = runtimeTypes[name];
        if (type === undefined) {
          next();
          return;
        }
        const file = join(pyodideDir, name);
        for (const [name, value] of Object.entries(isolation)) res.setHeader(name, value);
        res.setHeader('Content-Type', type);
        res.setHeader('Content-Length', statSync(file).size);
        createReadStream(file).pipe(res);
      });
    },
  };
}

/**
 * The Python sandbox document: emitted into dist/assets/ by the build, and
 * served by the dev and preview servers with the policy examhall gives it.
 */
function pythonSandbox(sandbox: Awaited<ReturnType<typeof buildSandboxDocument>>): Plugin {
  const headers = { ...isolation, 'Content-Security-Policy': sandboxPolicy(sandbox.script), 'X-Frame-Options': 'SAMEORIGIN' };
  const serve = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (req.url?.split('?')[0] !== sandbox.path) {
      next();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(sandbox.html);
  };
  return {
    name: 'examhall-python-sandbox',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: sandbox.path.slice(1), source: sandbox.html });
    },
    configureServer(server) {
      server.middlewares.use(serve);
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve);
    },
  };
}

export default defineConfig(async (): Promise<UserConfig> => {
  const sandbox = await buildSandboxDocument();
  return {
    define: {
      __PYODIDE_VERSION__: JSON.stringify(pyodideVersion),
      __PYTHON_SANDBOX_PATH__: JSON.stringify(sandbox.path),
    },
    oxc: {
      jsx: { runtime: 'automatic', importSource: 'preact' },
    },
    plugins: [pyodideDevRuntime(), pythonSandbox(sandbox)],
    // The page's runtime fetcher (src/python/fetcher.ts) is a module worker.
    worker: {
      format: 'es',
    },
    build: {
      outDir: 'dist',
      assetsDir: 'assets',
      emptyOutDir: true,
      // Every browser the exam hall supports has <link rel="modulepreload">.
      modulePreload: { polyfill: false },
      // Keep every asset a file: no data: URLs that a strict CSP must allow.
      assetsInlineLimit: 0,
      target: 'es2022',
      rolldownOptions: {
        // The service worker keeps a stable name at the root (its scope is `/`);
        // scripts/postbuild.mjs adds the list of files it precaches.
        input: { main: 'index.html', sw: 'src/sw.ts' },
        output: {
          entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js'),
        },
      },
    },
    // Dev uses Vite's injected styles, which a strict style-src would refuse.
    server: { headers: isolation },
    preview: { headers: { ...isolation, 'Content-Security-Policy': csp } },
  };
});
