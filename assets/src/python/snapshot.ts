/**
 * Python starts from a memory snapshot: Pyodide's interpreter right after its
 * own start, made at build time from the same pinned runtime
 * (scripts/snapshot.mjs) and handed over with it. Starting the interpreter is
 * most of Python's boot (2-3 s of CPU on a modest PC, see docs/benchmarks.md,
 * "Exam page"); restoring the snapshot takes a tenth of that. It holds the
 * freshly started interpreter only, the same for every student. When it
 * cannot be had or restored, Python starts the usual way.
 * The API is Pyodide's experimental one (`_loadSnapshot`), pinned with it.
 */
import type { PyodideAPI, loadPyodide as LoadPyodide } from 'pyodide';

/** What loadPyodide() needs besides the snapshot: where the runtime is, and its module factory. */
export type BaseOptions = Pick<Parameters<typeof LoadPyodide>[0] & object, 'indexURL' | 'createPyodideModule'>;

async function restore(loadPyodide: typeof LoadPyodide, options: BaseOptions, snapshot: Promise<ArrayBuffer>): Promise<PyodideAPI | null> {
  try {
    // Handed over as a promise: the wasm compiles while the snapshot still arrives.
    const py = await loadPyodide({ ...options, _loadSnapshot: snapshot });
    // Prove the restored interpreter works before anyone relies on it.
    if (py.runPython('6 * 7') !== 42) throw new Error('the restored interpreter computes wrongly');
    return py;
  } catch {
    return null;
  }
}

/** Loads Pyodide from the snapshot, or with a plain start when that fails; says which. */
export async function loadPython(
  loadPyodide: typeof LoadPyodide,
  options: BaseOptions,
  snapshot: Promise<ArrayBuffer>,
): Promise<{ py: PyodideAPI; fromSnapshot: boolean }> {
  const restored = await restore(loadPyodide, options, snapshot);
  if (restored !== null) return { py: restored, fromSnapshot: true };
  return { py: await loadPyodide(options), fromSnapshot: false };
}
