/**
 * Splits a file's lines into pieces that are, or are not, inside a matched
 * fragment, so the side-by-side view can mark them. Columns in the report
 * count characters (code points), so lines are split with Array.from.
 */
import type { Region } from './types';

/** A run of one line: its text and the match (1-based number) it belongs to, if any. */
export interface Piece {
  text: string;
  match: number | null;
  /** This piece begins its match (where the match's label goes). */
  starts: boolean;
  /** This piece ends its match. */
  ends: boolean;
}

/** The lines of `text`, each as pieces; `regions[i]` is match i + 1 in this file. */
export function markLines(text: string, regions: readonly Region[]): Piece[][] {
  const lines = text.split('\n').map((line) => Array.from(line.endsWith('\r') ? line.slice(0, -1) : line));
  return lines.map((chars, index) => {
    const lineNumber = index + 1;
    const owner = new Array<number | null>(chars.length).fill(null);
    regions.forEach((region, at) => {
      if (lineNumber < region.start_line || lineNumber > region.end_line) return;
      const from = lineNumber === region.start_line ? region.start_column - 1 : 0;
      const to = lineNumber === region.end_line ? region.end_column - 1 : chars.length;
      for (let column = Math.max(0, from); column < Math.min(chars.length, to); column++) owner[column] ??= at + 1;
    });
    const pieces: Piece[] = [];
    let start = 0;
    for (let column = 1; column <= chars.length; column++) {
      if (column === chars.length || owner[column] !== owner[start]) {
        const match = owner[start] ?? null;
        const region = match === null ? undefined : regions[match - 1];
        const startColumn = region?.start_line === lineNumber ? region.start_column - 1 : -1;
        const endColumn = region?.end_line === lineNumber ? region.end_column - 1 : -1;
        pieces.push({
          text: chars.slice(start, column).join(''),
          match,
          starts: startColumn >= start && startColumn < column,
          ends: endColumn > start && endColumn <= column,
        });
        start = column;
      }
    }
    return pieces;
  });
}

/** Lines covered by a region, as "from–to" numbers. */
export function lineSpan(region: Region): [number, number] {
  const endsAtLineStart = region.end_column === 1 && region.end_line > region.start_line;
  return [region.start_line, endsAtLineStart ? region.end_line - 1 : region.end_line];
}
