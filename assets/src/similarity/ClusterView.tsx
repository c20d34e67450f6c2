/**
 * The picture of clusters (files as points, pairs over the threshold as
 * lines, each line as wide as its score and labelled with it) and, right
 * below it, the same as a table: the picture is for sighted readers, the
 * table for everyone, and each pair in it can be opened from the keyboard.
 * Colour is never the only sign: every line carries its score in text, and
 * every point its file's name.
 */
import { findClusters, layOut } from './clusters';
import { messages as m, percent } from './messages';
import type { NameOf, Pair } from './types';

interface Props {
  pairs: readonly Pair[];
  threshold: number;
  onSelect: (pair: Pair) => void;
  name: NameOf;
}

/** A name short enough for a label in the picture (a path's last part). */
function shortName(label: string): string {
  const name = label.slice(label.lastIndexOf('/') + 1);
  return name.length > 18 ? `${name.slice(0, 17)}…` : name;
}

const key = (pair: Pair) => `${pair.a}\u0000${pair.b}`;

export function ClusterView({ pairs, threshold, onSelect, name }: Props) {
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
          <g key={key(pair)} data-testid="cluster-edge" data-a={pair.a} data-b={pair.b}>
            <line x1={from.x} y1={from.y} x2={to.x} y2={to.y} class="edge" stroke-width={1 + 5 * pair.score}>
              <title>{`${name(pair.a)} – ${name(pair.b)}: ${percent(pair.score)}`}</title>
            </line>
            {/* Short of the middle, so the labels of crossing lines do not meet. */}
            <text x={Math.round(from.x + 0.4 * (to.x - from.x))} y={Math.round(from.y + 0.4 * (to.y - from.y)) - 6} class="edge-label">
              {percent(pair.score)}
            </text>
          </g>
        ))}
        {layout.nodes.map((node) => (
          <g key={node.file} data-testid="cluster-node" data-file={node.file}>
            <circle cx={node.x} cy={node.y} r={7} class="node">
              <title>{name(node.file)}</title>
            </circle>
            <text x={node.label.x} y={node.label.y} text-anchor={node.label.anchor} class="label">
              {shortName(name(node.file))}
            </text>
          </g>
        ))}
      </svg>
      <div class="similarity-table-wrap">
        <table class="similarity-pairs" data-testid="cluster-table">
          <caption>{m.clusterTableCaption}</caption>
          <thead>
            <tr>
              <th scope="col">{m.clusterColumns.cluster}</th>
              <th scope="col">{m.clusterColumns.a}</th>
              <th scope="col">{m.clusterColumns.b}</th>
              <th scope="col">{m.clusterColumns.score}</th>
              <th scope="col">{m.clusterColumns.action}</th>
            </tr>
          </thead>
          {clusters.map((cluster, index) => (
            <tbody key={cluster.files[0]} data-testid="cluster">
              {cluster.pairs.map((pair, at) => (
                <tr key={key(pair)} data-testid="cluster-pair" data-a={pair.a} data-b={pair.b}>
                  {at === 0 && (
                    <th scope="rowgroup" rowSpan={cluster.pairs.length}>
                      {m.cluster(index + 1, cluster.files.length)}
                    </th>
                  )}
                  <td class="path">{name(pair.a)}</td>
                  <td class="path">{name(pair.b)}</td>
                  <td class="number">{percent(pair.score)}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={m.compare(name(pair.a), name(pair.b))}
                      onClick={() => {
                        onSelect(pair);
                      }}
                    >
                      {m.show}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          ))}
        </table>
      </div>
    </>
  );
}
