/**
 * Python starts from a memory snapshot on every load after the first on a
 * computer. Starting the interpreter is most of Python's boot (2-3 s of CPU
 * on a modest PC, see docs/benchmarks.md, "Exam page"); restoring the
 * snapshot Pyodide makes right after its own start takes a tenth of that.
 *
 * The snapshot is taken in the student's own browser after the first plain
 * boot and kept in Cache Storage under the runtime's address, which names the
 * Pyodide version, so a new Pyodide never meets an old snapshot. It holds the
 * freshly started interpreter only: nothing of the exam, nothing a student
 * typed. A snapshot that fails to load is deleted and Python boots as usual.
 * The API is Pyodide's experimental one (`_makeSnapshot`, `_loadSnapshot`).
 */
import type { PyodideAPI, loadPyodide as LoadPyodide } from 'pyodide';

const CACHE_NAME = 'examhall-python-snapshot';

const snapshotKey = (indexURL: string): string => `${indexURL}examhall-memory-snapshot`;

/** Cache Storage, when this browser offers it here (it may not, e.g. in a private window). */
async function openCache(): Promise<Cache | null> {
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    return null;
  }
}

async function restore(loadPyodide: typeof LoadPyodide, indexURL: string, cache: Cache): Promise<PyodideAPI | null> {
  const stored = await cache.match(snapshotKey(indexURL)).catch(() => undefined);
  if (stored === undefined) return null;
  try {
    const py = await loadPyodide({ indexURL, _loadSnapshot: await stored.arrayBuffer() });
    // Prove the restored interpreter works before anyone relies on it.
    if (py.runPython('6 * 7') !== 42) throw new Error('the restored interpreter computes wrongly');
    return py;
  } catch {
    await cache.delete(snapshotKey(indexURL)).catch(() => undefined);
    return null;
  }
}

/**
 * Loads Pyodide: from this computer's snapshot when there is a good one,
 * otherwise with a plain start, then taking a snapshot for the next time.
 * Resolves with the interpreter and how it started.
 */
export async function loadPython(
  loadPyodide: typeof LoadPyodide,
  indexURL: string,
): Promise<{ py: PyodideAPI; fromSnapshot: boolean }> {
  const cache = await openCache();
  const restored = cache === null ? null : await restore(loadPyodide, indexURL, cache);
  if (restored !== null) return { py: restored, fromSnapshot: true };
  const py = await loadPyodide({ indexURL, _makeSnapshot: cache !== null });
  if (cache !== null) {
    try {
      // Taken before the runner sets anything up: streams, interrupts and
      // input() are wired anew after every start, restored or not.
      // A copy of the interpreter's memory, which is not shared: a plain ArrayBuffer.
      const snapshot = py.makeMemorySnapshot() as Uint8Array<ArrayBuffer>;
      // Stored while Python carries on: nobody waits for the disk.
      void cache
        .put(snapshotKey(indexURL), new Response(snapshot, { headers: { 'Content-Type': 'application/octet-stream' } }))
        .catch(() => undefined);
    } catch {
      // No room, or no snapshot in this browser: boot plainly next time too.
    }
  }
  return { py, fromSnapshot: false };
}
