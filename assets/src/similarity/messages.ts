/**
 * Every visible string of the similarity viewer. The viewer also runs as a
 * standalone report file, so it carries its own small catalogue instead of
 * the app's.
 */
export const messages = {
  lang: 'en',
  title: (files: number, language: string) => `Similarity of ${files} ${language} files`,
  verdictHeading: 'How to read this report',
  summary: (pairs: number, shown: number, refined: number) =>
    `${pairs.toLocaleString('en')} pairs compared; ${shown.toLocaleString('en')} shown here, ${refined.toLocaleString('en')} of all pairs measured exactly by tiling.`,
  generatedBy: (generator: string) => `Made by ${generator}.`,
  baseFiles: (files: string[]) => `Starter code excluded: ${files.join(', ')}.`,
  warningsHeading: 'Warnings',
  thresholdLabel: 'Group files into clusters when a pair scores at least',
  clustersHeading: 'Clusters of similar files',
  clusterGraphLabel: (clusters: number, threshold: string) =>
    `Graph of ${clusters} clusters: files as points, lines between pairs scoring at least ${threshold}, each labelled with its score. The table below says the same in words.`,
  clusterTableCaption: 'The clusters in words: every line of the picture, with its score. Select a pair to see both files side by side.',
  clusterColumns: { cluster: 'Cluster', a: 'File', b: 'File', score: 'Score', action: 'View' },
  noClusters: (threshold: string) => `No pair scores ${threshold} or more.`,
  cluster: (n: number, files: number) => `Cluster ${n}: ${files} files`,
  strongest: (score: string) => `strongest pair ${score}`,
  pairsHeading: 'Pairs, most similar first',
  pairsCaption: 'Select a pair to see both files side by side.',
  columns: { rank: 'Rank', a: 'File', b: 'File', score: 'Score', method: 'Measured by', shared: 'Shared tokens', longest: 'Longest match', decision: 'Latest decision', action: 'View' },
  method: { tiling: 'tiling', fingerprint: 'fingerprints only' },
  compare: (a: string, b: string) => `Compare ${a} and ${b}`,
  show: 'Show',
  noPairs: 'No pair of files shares code above the chosen score.',
  pairHeading: (a: string, b: string) => `${a} and ${b}`,
  pairScore: (score: string, method: string) => `Score ${score} (${method}).`,
  matchesHeading: 'Matched fragments',
  match: (n: number, a: string, aLines: string, b: string, bLines: string, tokens: number) =>
    `Match ${n}: ${a} ${aLines} and ${b} ${bLines} (${tokens} tokens)`,
  lines: (from: number, to: number) => (from === to ? `line ${from}` : `lines ${from}–${to}`),
  jumpTo: (n: number) => `Show match ${n} in both files`,
  matchStart: (n: number) => `match ${n} starts`,
  matchEnd: (n: number) => `match ${n} ends`,
  sourceMissing: 'The text of this file is not in the report.',
  noMatches: 'This pair has no matched fragments to show.',
} as const;

/** A score as a percentage for people: 0.9342 -> "93%". */
export function percent(score: number): string {
  return `${Math.round(score * 100)}%`;
}
