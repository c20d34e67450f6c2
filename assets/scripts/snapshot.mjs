// @ts-check
/**
 * Makes the memory snapshot the Python worker starts from (see
 * src/python/snapshot.ts): Pyodide's interpreter right after its own start,
 * taken at build time with Node from the same pinned package the browser
 * loads, so every student's first start restores it instead of starting the
 * interpreter (2-3 s of CPU on a modest PC, docs/benchmarks.md "Exam page").
 * Nothing of the build machine stays in it: the program name Node would
 * leave in `sys.executable` and `$_` is replaced by a neutral one.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * @param {string} pyodidePackage node_modules/pyodide
 * @returns {Promise<Uint8Array>}
 */
export async function makeSnapshot(pyodidePackage) {
  /** @type {{ loadPyodide: (options: object) => Promise<any> }} */
  const runtime = await import(pathToFileURL(join(pyodidePackage, 'pyodide.mjs')).href);
  const py = await runtime.loadPyodide({ indexURL: `${pyodidePackage}/`, _makeSnapshot: true, _sysExecutable: 'python' });
  py.runPython("import os, sys; os.environ['_'] = 'python'; sys.argv = ['python']");
  const leaked = py.runPython(`repr((sys.executable, dict(os.environ), sys.argv))`);
  if (leaked.includes(pyodidePackage) || leaked.includes(process.cwd())) throw new Error(`the snapshot would hold a build path: ${leaked}`);
  return py.makeMemorySnapshot();
}
