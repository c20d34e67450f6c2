/**
 * The picture of clusters (files as points, pairs over the threshold as
 * lines) and, right below it, the same in words: the picture is for
 * sighted readers, the list for everyone, and each pair in it can be opened.
 */
import { findClusters, layOut } from './clusters';
import { messages as m, percent } from './messages';
import type { Pair } from './types';

interface Props {
  pairs: readonly Pair[];
  threshold: number;
  onSelect: (pair: Pair) => void;
}

/** The last part of a path, for labels in the picture. */
function shortName(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.length > 18 ? `${name.slice(0, 17)}…` : name;
}

export function ClusterView({ pairs, threshold, onSelect }: Props) {
  const clusters = findClusters(pairs, threshold);
  const shown = percent(threshold);
  if (clusters.length === 0) return <p data-testid="no-clusters">{m.noClusters(shown)}</p>;
  const layout = layOut(clusters);
  return (
    <>
      <svg
        class="similarity-graph"
        role="img"
        aria-label={m.clusterGraphLabel(clusters.length, shown)}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        data-testid="cluster-graph"
      >
        {layout.edges.map(({ pair, from, to }) => (
          <line
            key={`${pair.a}\u0000${pair.b}`}
            x1={from.x}
            y1={from.y}
            x2={to.x}
            y2={to.y}
            class="edge"
            stroke-width={1 + 5 * pair.score}
          >
            <title>{`${pair.a} – ${pair.b}: ${percent(pair.score)}`}</title>
          </line>
        ))}
        {layout.nodes.map((node) => (
          <g key={node.file}>
            <circle cx={node.x} cy={node.y} r={7} class="node">
              <title>{node.file}</title>
            </circle>
            <text x={node.x} y={node.y + 20} class="label">
              {shortName(node.file)}
            </text>
          </g>
        ))}
      </svg>
      <ol class="similarity-clusters" data-testid="cluster-list">
        {clusters.map((cluster, index) => (
          <li key={cluster.files[0]}>
            <p>
              {m.cluster(index + 1, cluster.files.length)}
              {cluster.pairs[0] !== undefined && `, ${m.strongest(percent(cluster.pairs[0].score))}`}
            </p>
            <ul>
              {cluster.pairs.map((pair) => (
                <li key={`${pair.a}\u0000${pair.b}`}>
                  <button
                    type="button"
                    class="link"
                    onClick={() => {
                      onSelect(pair);
                    }}
                  >
                    {`${pair.a} – ${pair.b}: ${percent(pair.score)}`}
                  </button>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </>
  );
}
