// @ts-check
/**
 * Writes tests/fixtures/changesets.json: documents, sequences of CodeMirror
 * change sets made by `@codemirror/state` itself (the version the exam page
 * ships), and the document each sequence produces. The server's `ChangeSet`
 * (src/domain/changeset.rs) must rebuild every result exactly, UTF-16
 * offsets, astral characters and CRLF starter code included; the load drill
 * and replay use the same file.
 *
 * Deterministic (a seeded generator), so re-running it after a CodeMirror
 * upgrade shows in the diff whether anything changed:
 *   node assets/scripts/changeset-fixtures.mjs
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ChangeSet, EditorState, Text } from '@codemirror/state';

const out = fileURLToPath(new URL('../../tests/fixtures/changesets.json', import.meta.url));
const statePackage = fileURLToPath(new URL('../node_modules/@codemirror/state/package.json', import.meta.url));

/** Mulberry32: small, seeded, good enough to spread test cases. */
/** @param {number} seed */
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = generator(20261205);
const pick = (/** @type {readonly string[]} */ list) => list[Math.floor(random() * list.length)] ?? '';
const upTo = (/** @type {number} */ n) => Math.floor(random() * (n + 1));

/** Pieces a student types or pastes: ASCII, indentation, line breaks, and text outside the BMP. */
const PIECES = ['x', 'def f(n):', '    ', '\n', 'return n * 2', '# ünïcödé', '😀', '𝔘𝔫𝔦', '中文', 'e\u0301', '\t', '""', '\n\n', 'print("héllo")'];

const STARTERS = [
  '',
  'def add(a, b):\n    pass\n',
  'def add(a, b):\r\n    pass\r\n',
  'line one\rline two\n',
  '# 😀 emoji in the starter\nx = "𝔘"\n',
  'print(input())',
];

/** A position in `doc` that does not split a surrogate pair, as the editor's cursor never does. */
function position(/** @type {Text} */ doc) {
  const text = doc.toString();
  let at = upTo(text.length);
  const code = text.charCodeAt(at - 1);
  if (at > 0 && code >= 0xd800 && code <= 0xdbff) at -= 1;
  return at;
}

function randomInsert() {
  let text = '';
  const parts = 1 + upTo(3);
  for (let i = 0; i < parts; i += 1) text += pick(PIECES);
  return text;
}

/** One random change set against `doc`: up to three non-overlapping replacements. */
function randomChanges(/** @type {Text} */ doc) {
  const specs = [];
  const count = 1 + upTo(2);
  for (let i = 0; i < count; i += 1) {
    const a = position(doc);
    const b = position(doc);
    const [from, to] = a <= b ? [a, b] : [b, a];
    const kind = random();
    // Mostly typing (insert at a point), some deletions and replacements.
    if (kind < 0.6) specs.push({ from: to, insert: randomInsert() });
    else if (kind < 0.8) specs.push({ from, to });
    else specs.push({ from, to, insert: randomInsert() });
  }
  return ChangeSet.of(specs, doc.length);
}

const cases = [];
for (let index = 0; index < 160; index += 1) {
  const starter = STARTERS[index % STARTERS.length] ?? '';
  let state = EditorState.create({ doc: starter });
  const changes = [];
  const steps = 1 + upTo(12);
  for (let step = 0; step < steps; step += 1) {
    const set = randomChanges(state.doc);
    changes.push(set.toJSON());
    state = state.update({ changes: set }).state;
  }
  cases.push({ name: `random ${String(index)}`, doc: starter, changes, result: state.doc.toString() });
}

// Hand-made cases that name what they prove.
const typed = (/** @type {string} */ doc, /** @type {string} */ text) => {
  let state = EditorState.create({ doc });
  const changes = [];
  for (const char of text) {
    const set = ChangeSet.of({ from: state.doc.length, insert: char }, state.doc.length);
    changes.push(set.toJSON());
    state = state.update({ changes: set }).state;
  }
  return { changes, result: state.doc.toString() };
};
cases.push({ name: 'typing an astral character counts two UTF-16 units', doc: 'a', ...typed('a', '😀b') });
cases.push({ name: 'typing after CRLF starter code (normalised to LF)', doc: 'x\r\ny', ...typed('x\r\ny', 'z') });
cases.push({ name: 'an empty change set', doc: 'abc', changes: [ChangeSet.empty(3).toJSON()], result: 'abc' });
cases.push({
  name: 'deleting everything',
  doc: 'def f():\n    return 1\n',
  changes: [ChangeSet.of({ from: 0, to: 22 }, 22).toJSON()],
  result: '',
});
const pasted = 'line\n'.repeat(400);
cases.push({
  name: 'a large paste of many lines',
  doc: '',
  changes: [ChangeSet.of({ from: 0, insert: pasted }, 0).toJSON()],
  result: Text.of(pasted.split('\n')).toString(),
});

// Change sets that must not apply: made for a document of another length.
const refused = [
  { name: 'made for a longer document', doc: 'abc', changes: ChangeSet.of({ from: 4, insert: 'x' }, 5).toJSON() },
  { name: 'made for a shorter document', doc: 'abcdef', changes: ChangeSet.of({ from: 1, insert: 'x' }, 2).toJSON() },
  { name: 'counting an astral character as one unit', doc: '😀', changes: ChangeSet.of({ from: 1, insert: 'x' }, 1).toJSON() },
];

const body = {
  about:
    'Generated by assets/scripts/changeset-fixtures.mjs with @codemirror/state; each case applies `changes` in order to `doc` (line breaks normalised as EditorState does) and must give `result`; each refused case must fail to apply.',
  codemirror_state: /** @type {{ version: string }} */ (JSON.parse(await readFile(statePackage, 'utf8'))).version,
  cases,
  refused,
};
await writeFile(out, `${JSON.stringify(body, null, 1)}\n`);
console.log(`wrote ${String(cases.length)} cases and ${String(refused.length)} refused cases to ${out}`);
