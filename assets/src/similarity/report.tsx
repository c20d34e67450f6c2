/**
 * Entry of the standalone HTML report (`examhall similarity --html`): reads
 * the report from the page's JSON element and shows it. Built by
 * vite.report.config.ts into one script that the binary inlines.
 */
import { render } from 'preact';
import { messages } from './messages';
import { SimilarityReport } from './SimilarityReport';
import type { Report } from './types';
import './similarity.css';

const data = document.getElementById('similarity-data')?.textContent;
const root = document.getElementById('app');
if (typeof data === 'string' && root !== null) {
  document.documentElement.lang = messages.lang;
  render(<SimilarityReport report={JSON.parse(data) as Report} />, root);
}
