// @ts-check
/**
 * Writes dist/.fingerprint at the end of `npm run build` (only there: run
 * alone it would vouch for a dist the sources no longer match), the
 * same fingerprint build.rs computes over the front end's inputs, so that
 * cargo then embeds this build instead of building it again. Keep the two in
 * step: the inputs (scripts/fingerprint-inputs.txt, read by both), their order (by path component,
 * bytewise), and what is hashed (each path as `assets/...`, then the file).
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const assets = fileURLToPath(new URL('..', import.meta.url));
const INPUTS = (await readFile(join(assets, 'scripts', 'fingerprint-inputs.txt'), 'utf8'))
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '');

/**
 * Every file under `path` (relative to assets/), as `assets/...` paths.
 * @param {string} path
 * @param {string[]} out
 */
async function collect(path, out) {
  const info = await stat(join(assets, path)).catch(() => null);
  if (info === null) return;
  if (info.isDirectory()) {
    for (const entry of await readdir(join(assets, path))) await collect(`${path}/${entry}`, out);
  } else if (info.isFile()) {
    out.push(`assets/${path}`);
  }
}

/**
 * Rust's `Path` order: component by component, each compared bytewise.
 * @param {string} a
 * @param {string} b
 */
function byComponents(a, b) {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const order = Buffer.compare(Buffer.from(left[i] ?? ''), Buffer.from(right[i] ?? ''));
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** @type {string[]} */
const files = [];
for (const input of INPUTS) await collect(input, files);
files.sort(byComponents);
const hash = createHash('sha256');
for (const file of files) {
  hash.update(file);
  hash.update(await readFile(join(assets, '..', file)));
}
await writeFile(join(assets, 'dist', '.fingerprint'), hash.digest('hex'));
