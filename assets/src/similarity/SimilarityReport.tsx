/**
 * The similarity report: what it is and is not, the clusters, the ranked
 * pairs and the chosen pair side by side. Used by the standalone HTML report
 * (report.tsx); written so the exam's similarity screen, still to come, can
 * import it.
 */
import { useState } from 'preact/hooks';
import { ClusterView } from './ClusterView';
import { messages as m } from './messages';
import { PairTable } from './PairTable';
import { SideBySide } from './SideBySide';
import type { Pair, Report } from './types';

/** Where clusters start unless the report asked for a higher minimum. */
const DEFAULT_THRESHOLD = 0.5;

export function SimilarityReport({ report }: { report: Report }) {
  const [selected, setSelected] = useState<Pair | null>(report.pairs[0] ?? null);
  const [threshold, setThreshold] = useState(Math.max(DEFAULT_THRESHOLD, report.settings.min_score));
  const select = (pair: Pair) => {
    setSelected(pair);
    requestAnimationFrame(() => {
      document.getElementById('pair-heading')?.focus();
    });
  };
  return (
    <main class="similarity-report">
      <h1>{m.title(report.summary.files, report.language)}</h1>
      <section class="similarity-notice" aria-labelledby="verdict-heading">
        <h2 id="verdict-heading">{m.verdictHeading}</h2>
        <p data-testid="notice">{report.notice}</p>
      </section>
      <p>
        {m.summary(report.summary.pairs_compared, report.pairs.length, report.summary.refined_pairs)}{' '}
        {report.base_files.length > 0 && m.baseFiles(report.base_files)} {m.generatedBy(report.generator)}
      </p>
      {report.warnings.length > 0 && (
        <section aria-labelledby="warnings-heading">
          <h2 id="warnings-heading">{m.warningsHeading}</h2>
          <ul data-testid="warnings">
            {report.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </section>
      )}
      <section aria-labelledby="clusters-heading">
        <h2 id="clusters-heading">{m.clustersHeading}</h2>
        <label class="similarity-threshold">
          {m.thresholdLabel}{' '}
          <input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={threshold}
            data-testid="threshold"
            onInput={(event) => {
              const value = Number(event.currentTarget.value);
              if (Number.isFinite(value) && value >= 0 && value <= 1) setThreshold(value);
            }}
          />
        </label>
        <ClusterView pairs={report.pairs} threshold={threshold} onSelect={select} />
      </section>
      <section aria-labelledby="pairs-heading">
        <h2 id="pairs-heading">{m.pairsHeading}</h2>
        <PairTable pairs={report.pairs} selected={selected} onSelect={select} />
      </section>
      {selected !== null && <SideBySide key={`${selected.a}\u0000${selected.b}`} pair={selected} sources={report.sources ?? {}} />}
    </main>
  );
}
