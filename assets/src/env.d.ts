/** The Pyodide runtime version, defined by vite.config.ts from node_modules/pyodide. */
declare const __PYODIDE_VERSION__: string;
