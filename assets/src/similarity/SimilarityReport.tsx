/**
 * The similarity report: what it is and is not, the clusters (a graph and
 * its table), the ranked pairs and the chosen pair side by side. Used by
 * the standalone HTML report (report.tsx) and, embedded, by the exam's
 * similarity screen, which adds each pair's decisions (`decisionOf`,
 * `aside`). Files are shown by their labels where the report has them.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ClusterView } from './ClusterView';
import { messages as m } from './messages';
import { PairTable } from './PairTable';
import { SideBySide } from './SideBySide';
import type { NameOf, Pair, Report } from './types';

/** Where clusters start unless the report asked for a higher minimum. */
const DEFAULT_THRESHOLD = 0.5;

const keyOf = (pair: Pair | undefined): string | null => (pair === undefined ? null : `${pair.a}\u0000${pair.b}`);

interface Props {
  report: Report;
  /** Inside a page of the app: no landmark of its own, its title one level down. */
  embedded?: boolean;
  /** The pair's latest decision in words (a column of the pairs' table). */
  decisionOf?: (pair: Pair) => string;
  /** What to show with the chosen pair, after its two files. */
  aside?: (pair: Pair) => ComponentChildren;
}

export function SimilarityReport({ report, embedded = false, decisionOf, aside }: Props) {
  // The chosen pair by its files, so a report loaded again keeps it.
  const [selectedKey, setSelectedKey] = useState(keyOf(report.pairs[0]));
  const selected = report.pairs.find((pair) => keyOf(pair) === selectedKey) ?? null;
  const [threshold, setThreshold] = useState(Math.max(DEFAULT_THRESHOLD, report.settings.min_score));
  const name: NameOf = (path) => report.labels?.[path] ?? path;
  const select = (pair: Pair) => {
    setSelectedKey(keyOf(pair));
    requestAnimationFrame(() => {
      document.getElementById('pair-heading')?.focus();
    });
  };
  const Root = embedded ? 'div' : 'main';
  const Title = embedded ? 'h2' : 'h1';
  return (
    <Root class={embedded ? 'similarity-report similarity-report--embedded' : 'similarity-report'}>
      <Title>{m.title(report.summary.files, report.language)}</Title>
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
        <ClusterView pairs={report.pairs} threshold={threshold} onSelect={select} name={name} />
      </section>
      <section aria-labelledby="pairs-heading">
        <h2 id="pairs-heading">{m.pairsHeading}</h2>
        <PairTable pairs={report.pairs} selected={selected} onSelect={select} name={name} decisionOf={decisionOf} />
      </section>
      {selected !== null && (
        <SideBySide key={selectedKey} pair={selected} sources={report.sources ?? {}} name={name}>
          {aside?.(selected)}
        </SideBySide>
      )}
    </Root>
  );
}
