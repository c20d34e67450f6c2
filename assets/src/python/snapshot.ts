/**
 * Python starts from a memory snapshot: Pyodide's interpreter right after its
 * own start, made at build time from the same pinned runtime
 * (scripts/snapshot.mjs) and served next to it. Starting the interpreter is
 * most of Python's boot (2-3 s of CPU on a modest PC, see docs/benchmarks.md,
 * "Exam page"); restoring the snapshot takes a tenth of that. It holds the
 * freshly started interpreter only, the same for every student. When it
 * cannot be fetched or restored, Python starts the usual way.
 * The API is Pyodide's experimental one (`_loadSnapshot`), pinned with it.
 */
import type { PyodideAPI, loadPyodide as LoadPyodide } from 'pyodide';

/** Written by scripts/postbuild.mjs next to the runtime files. */
const SNAPSHOT_FILE = 'examhall-snapshot.bin';

async function restore(loadPyodide: typeof LoadPyodide, indexURL: string): Promise<PyodideAPI | null> {
  try {
    const response = await fetch(`${indexURL}${SNAPSHOT_FILE}`);
    if (!response.ok) return null;
    const py = await loadPyodide({ indexURL, _loadSnapshot: await response.arrayBuffer() });
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
  indexURL: string,
): Promise<{ py: PyodideAPI; fromSnapshot: boolean }> {
  const restored = await restore(loadPyodide, indexURL);
  if (restored !== null) return { py: restored, fromSnapshot: true };
  return { py: await loadPyodide({ indexURL }), fromSnapshot: false };
}
