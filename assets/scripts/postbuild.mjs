// @ts-check
/**
 * Runs after `vite build`:
 *  1. copies the Pyodide runtime (the five files a browser fetches) from
 *     node_modules/pyodide into dist/pyodide/<version>/, where the examhall
 *     server serves it, with the memory snapshot Python starts from
 *     (scripts/snapshot.mjs);
 *  2. writes the list of files the service worker precaches (the app shell,
 *     every file under dist/assets/, the Pyodide runtime) and a version hash
 *     of the build at the top of dist/sw.js, as `__EXAMHALL_PRECACHE__`;
 *  3. precompresses every compressible file in dist into sibling .br
 *     (brotli, quality 11) and .gz (gzip, level 9) files, keeping a variant
 *     only when it is smaller, so the server sends stored bytes and spends no
 *     CPU on compression while a hall of students downloads the runtime.
 *
 * `vite build` empties dist, so brotli results of large files are kept in
 * node_modules/.cache/ under the SHA-256 of their input: the 9 MB wasm takes
 * about half a minute at quality 11 and is compressed once per Pyodide version.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { makeSnapshot } from './snapshot.mjs';

const assets = fileURLToPath(new URL('..', import.meta.url));
const dist = join(assets, 'dist');
const pyodidePackage = join(assets, 'node_modules', 'pyodide');
const cache = join(assets, 'node_modules', '.cache', 'examhall-precompress');

/** What the browser fetches to start Pyodide; the package holds more (maps, CommonJS, docs). */
const RUNTIME_FILES = ['pyodide.mjs', 'pyodide-lock.json', 'python_stdlib.zip', 'pyodide.asm.wasm', 'pyodide.asm.mjs'];
/** Python's memory snapshot, next to the runtime it was made from. */
const SNAPSHOT_FILE = 'examhall-snapshot.bin';
/** .zip and images are compressed already; source maps are not shipped. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.wasm', '.txt', '.bin']);
const MIN_SIZE = 1024;
/** Brotli results of inputs this large are cached between builds. */
const CACHE_FROM = 64 * 1024;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** @returns {Promise<string>} the directory the runtime was copied to */
async function copyRuntime() {
  const { version } = JSON.parse(await readFile(join(pyodidePackage, 'package.json'), 'utf8'));
  if (typeof version !== 'string' || !/^[\w.-]+$/.test(version)) throw new Error(`odd pyodide version: ${String(version)}`);
  const target = join(dist, 'pyodide', version);
  await mkdir(target, { recursive: true });
  await Promise.all(RUNTIME_FILES.map((name) => copyFile(join(pyodidePackage, name), join(target, name))));
  await writeFile(join(target, SNAPSHOT_FILE), await makeSnapshot(pyodidePackage));
  return target;
}

/**
 * @param {string} dir
 * @returns {AsyncGenerator<string>}
 */
async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/**
 * Brotli at quality 11, from the cache when this exact input was compressed
 * before. The snapshot differs in every build (CPython seeds its hashes at
 * start), so it is compressed at quality 9 and not cached: 4 s instead of 46
 * for 31 MB, and 4.9 MB instead of 4.2.
 * @param {Buffer} data
 * @param {boolean} changesEveryBuild
 */
async function brotliCached(data, changesEveryBuild) {
  const compress = () =>
    brotli(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: changesEveryBuild ? 9 : 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    });
  if (data.length < CACHE_FROM || changesEveryBuild) return compress();
  const entry = join(cache, `${createHash('sha256').update(data).digest('hex')}.br`);
  try {
    return await readFile(entry);
  } catch {
    const compressed = await compress();
    await mkdir(cache, { recursive: true });
    await writeFile(`${entry}.tmp`, compressed);
    await rename(`${entry}.tmp`, entry);
    return compressed;
  }
}

/**
 * Writes `file + suffix` if `compressed` is smaller than the original.
 * @param {string} file
 * @param {string} suffix
 * @param {Buffer} original
 * @param {Buffer} compressed
 * @returns {Promise<number | undefined>} the size kept, if any
 */
async function keepIfSmaller(file, suffix, original, compressed) {
  if (compressed.length >= original.length) {
    await rm(file + suffix, { force: true });
    return undefined;
  }
  await writeFile(file + suffix, compressed);
  return compressed.length;
}

/** @param {string} file */
async function precompress(file) {
  const data = await readFile(file);
  const [br, gz] = await Promise.all([brotliCached(data, file.endsWith(SNAPSHOT_FILE)), gzipAsync(data, { level: 9 })]);
  return {
    raw: data.length,
    br: await keepIfSmaller(file, '.br', data, br),
    gz: await keepIfSmaller(file, '.gz', data, gz),
  };
}

/** @param {number | undefined} bytes */
function size(bytes) {
  return (bytes === undefined ? '-' : `${(bytes / 1024).toFixed(1)} KiB`).padStart(12);
}

/**
 * Puts the precache manifest at the top of dist/sw.js: the hashed assets, the
 * Python runtime and the files of public/. The version hashes the list
 * (hashed names), the public files' contents and the shell, so every build that changes what the
 * browser loads changes sw.js, and the browser installs the new worker.
 * @param {string} runtime the directory of the Pyodide runtime
 */
async function writePrecacheManifest(runtime) {
  const files = [];
  for await (const file of walk(join(dist, 'assets'))) files.push(`/${relative(dist, file).split('\\').join('/')}`);
  for (const name of [...RUNTIME_FILES, SNAPSHOT_FILE]) files.push(`/${relative(dist, join(runtime, name)).split('\\').join('/')}`);
  // Files from public/ (the favicon): the exam page loads them too, also offline.
  for (const entry of await readdir(dist, { withFileTypes: true })) {
    if (entry.isFile() && !['index.html', 'sw.js'].includes(entry.name)) files.push(`/${entry.name}`);
  }
  files.sort();
  const hash = createHash('sha256').update(JSON.stringify(files)).update(await readFile(join(dist, 'index.html')));
  for (const path of files.filter((file) => !file.slice(1).includes('/'))) hash.update(await readFile(join(dist, path)));
  const manifest = { version: hash.digest('hex').slice(0, 16), shell: '/index.html', files };
  const sw = join(dist, 'sw.js');
  const code = await readFile(sw, 'utf8');
  await writeFile(sw, `const __EXAMHALL_PRECACHE__ = ${JSON.stringify(manifest)};\n${code}`);
  let bytes = 0;
  for (const path of ['/index.html', ...files]) bytes += (await stat(join(dist, path))).size;
  console.log(`postbuild: sw.js precaches ${String(files.length + 1)} files, ${(bytes / 1048576).toFixed(1)} MiB raw, version ${manifest.version}`);
}

async function main() {
  const runtime = await copyRuntime();
  console.log(`postbuild: Pyodide runtime copied to ${relative(assets, runtime)}/`);
  await writePrecacheManifest(runtime);

  const files = [];
  for await (const file of walk(dist)) {
    if (COMPRESSIBLE.has(extname(file)) && (await stat(file)).size >= MIN_SIZE) files.push(file);
  }
  files.sort();
  const results = await Promise.all(files.map(async (file) => ({ file, sizes: await precompress(file) })));

  console.log(`postbuild: precompressed ${String(results.length)} files\n${'file'.padEnd(48)}${'raw'.padStart(12)}${'br'.padStart(12)}${'gz'.padStart(12)}`);
  for (const { file, sizes } of results) {
    console.log(`${relative(dist, file).padEnd(48)}${size(sizes.raw)}${size(sizes.br)}${size(sizes.gz)}`);
  }
}

await main();
