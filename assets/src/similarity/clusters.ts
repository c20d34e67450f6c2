/**
 * Clusters of similar files: the connected parts of the graph whose nodes
 * are files and whose edges are pairs scoring at least a threshold, and a
 * plain, deterministic layout of them for the picture (each cluster on a
 * circle of its own, clusters in rows).
 */
import type { Pair } from './types';

export interface Cluster {
  /** File paths, sorted. */
  files: string[];
  /** The pairs inside the cluster at or above the threshold, best first. */
  pairs: Pair[];
}

/** The clusters of `pairs` at `threshold`, largest first (then strongest). */
export function findClusters(pairs: readonly Pair[], threshold: number): Cluster[] {
  const parent = new Map<string, string>();
  const root = (file: string): string => {
    let at = file;
    for (let up = parent.get(at); up !== undefined && up !== at; up = parent.get(at)) at = up;
    parent.set(file, at);
    return at;
  };
  const strong = pairs.filter((pair) => pair.score >= threshold);
  for (const pair of strong) {
    if (!parent.has(pair.a)) parent.set(pair.a, pair.a);
    if (!parent.has(pair.b)) parent.set(pair.b, pair.b);
    const [ra, rb] = [root(pair.a), root(pair.b)];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
  const byRoot = new Map<string, Cluster>();
  for (const file of [...parent.keys()].sort()) {
    const key = root(file);
    const cluster = byRoot.get(key) ?? { files: [], pairs: [] };
    cluster.files.push(file);
    byRoot.set(key, cluster);
  }
  for (const pair of strong) byRoot.get(root(pair.a))?.pairs.push(pair);
  const strongest = (cluster: Cluster) => cluster.pairs[0]?.score ?? 0;
  return [...byRoot.values()].sort(
    (x, y) => y.files.length - x.files.length || strongest(y) - strongest(x) || (x.files[0] ?? '').localeCompare(y.files[0] ?? ''),
  );
}

export interface PlacedNode {
  file: string;
  x: number;
  y: number;
}

export interface PlacedEdge {
  pair: Pair;
  from: PlacedNode;
  to: PlacedNode;
}

export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

const CELL = 240;
const PER_ROW = 4;

/** Places each cluster on a circle in a cell of a grid. */
export function layOut(clusters: readonly Cluster[]): Layout {
  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  clusters.forEach((cluster, index) => {
    const cx = (index % PER_ROW) * CELL + CELL / 2;
    const cy = Math.floor(index / PER_ROW) * CELL + CELL / 2;
    const radius = cluster.files.length <= 2 ? 50 : Math.min(CELL / 2 - 40, 25 + 8 * cluster.files.length);
    const placed = new Map<string, PlacedNode>();
    cluster.files.forEach((file, at) => {
      const angle = (2 * Math.PI * at) / cluster.files.length - Math.PI / 2;
      const node = { file, x: Math.round(cx + radius * Math.cos(angle)), y: Math.round(cy + radius * Math.sin(angle)) };
      placed.set(file, node);
      nodes.push(node);
    });
    for (const pair of cluster.pairs) {
      const [from, to] = [placed.get(pair.a), placed.get(pair.b)];
      if (from !== undefined && to !== undefined) edges.push({ pair, from, to });
    }
  });
  const columns = Math.min(PER_ROW, Math.max(1, clusters.length));
  return { width: columns * CELL, height: Math.max(1, Math.ceil(clusters.length / PER_ROW)) * CELL, nodes, edges };
}
