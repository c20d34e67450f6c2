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
  /** Where its label goes: outward from its cluster's centre, so labels of a pair do not overlap. */
  label: { x: number; y: number; anchor: 'start' | 'middle' | 'end' };
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

/** The picture's widest row; clusters fill rows left to right. */
const WIDTH = 960;
/** Room beside a cluster's circle for its labels (18 characters), and above and below it. */
const LABEL_ROOM = 135;
const LABEL_HEIGHT = 30;

/** Radius of a cluster's circle: pairs small, large clusters roomier. */
function radiusOf(files: number): number {
  return files <= 2 ? 40 : Math.min(200, 20 + 9 * files);
}

/** A label's place beside a node at `angle` on its cluster's circle. */
function labelAt(x: number, y: number, angle: number): PlacedNode['label'] {
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const anchor = dx > 0.3 ? 'start' : dx < -0.3 ? 'end' : 'middle';
  return { x: Math.round(x + 12 * dx), y: Math.round(y + 16 * dy + 4), anchor };
}

/** Places each cluster on a circle of its own, packed in rows (largest first). */
export function layOut(clusters: readonly Cluster[]): Layout {
  const nodes: PlacedNode[] = [];
  const edges: PlacedEdge[] = [];
  let [x, y, rowHeight, width] = [0, 0, 0, 0];
  for (const cluster of clusters) {
    const radius = radiusOf(cluster.files.length);
    const [size, height] = [2 * radius + 2 * LABEL_ROOM, 2 * radius + 2 * LABEL_HEIGHT];
    if (x > 0 && x + size > WIDTH) {
      [x, y, rowHeight] = [0, y + rowHeight, 0];
    }
    const [cx, cy] = [x + size / 2, y + height / 2];
    const placed = new Map<string, PlacedNode>();
    cluster.files.forEach((file, at) => {
      // Pairs lie flat; larger clusters start at the top and go round.
      const angle = (2 * Math.PI * at) / cluster.files.length + (cluster.files.length === 2 ? Math.PI : -Math.PI / 2);
      const [nx, ny] = [Math.round(cx + radius * Math.cos(angle)), Math.round(cy + radius * Math.sin(angle))];
      const node = { file, x: nx, y: ny, label: labelAt(nx, ny, angle) };
      placed.set(file, node);
      nodes.push(node);
    });
    for (const pair of cluster.pairs) {
      const [from, to] = [placed.get(pair.a), placed.get(pair.b)];
      if (from !== undefined && to !== undefined) edges.push({ pair, from, to });
    }
    x += size;
    width = Math.max(width, x);
    rowHeight = Math.max(rowHeight, height);
  }
  return { width: Math.max(1, width), height: Math.max(1, y + rowHeight), nodes, edges };
}
