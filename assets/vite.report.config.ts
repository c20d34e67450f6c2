// Build of the similarity report's viewer (src/similarity/): one classic
// script and one stylesheet in dist-report/, which `examhall similarity
// --html` inlines, with the report's data, into a single HTML file that
// makes no request at all. The components are written to be imported by the
// main build too: the exam's similarity screen renders the same viewer.
import { defineConfig } from 'vite';

export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  // public/ (the favicon) belongs to the app, not to the report.
  publicDir: false,
  define: {
    'process.env.NODE_ENV': JSON.stringify('production'),
  },
  build: {
    outDir: 'dist-report',
    emptyOutDir: true,
    target: 'es2022',
    // Keep every asset inside the script or the stylesheet: nothing to fetch.
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    lib: {
      entry: 'src/similarity/report.tsx',
      formats: ['iife'],
      name: 'examhallSimilarityReport',
      fileName: () => 'similarity-report.js',
      cssFileName: 'similarity-report',
    },
  },
});
