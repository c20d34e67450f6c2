/**
 * The similarity report as `examhall similarity --json` writes it (format
 * `examhall-similarity/1`, documented in docs/integrity.md); the HTML report
 * embeds the same object with the text of the files it shows (`sources`).
 */

/** A region of one file: 1-based lines and columns (characters), end column exclusive. */
export interface Region {
  start_line: number;
  start_column: number;
  end_line: number;
  end_column: number;
}

/** A fragment found in both files. */
export interface Match {
  tokens: number;
  a: Region;
  b: Region;
}

/** Two files that share code; `score` in [0, 1], higher is more similar. */
export interface Pair {
  a: string;
  b: string;
  score: number;
  /** `tiling`: the refined score; `fingerprint`: shared fingerprints only. */
  method: 'tiling' | 'fingerprint';
  shared_tokens: number | null;
  longest_match: number | null;
  shared_fingerprints: number;
  matches: Match[];
}

export interface ReportFile {
  path: string;
  tokens: number;
  parse_errors: number;
}

export interface Report {
  format: string;
  generator: string;
  language: string;
  notice: string;
  settings: {
    kgram: number;
    window: number;
    min_match: number;
    min_score: number;
    top: number | null;
  };
  summary: {
    files: number;
    pairs_compared: number;
    candidate_pairs: number;
    refined_pairs: number;
    reported_pairs: number;
    boilerplate_fingerprints: number;
  };
  base_files: string[];
  warnings: string[];
  files: ReportFile[];
  pairs: Pair[];
  /** File texts by path (the HTML report, and the server's runs). */
  sources?: Record<string, string>;
  /**
   * How people name each file, by path. The server names each submission by
   * its attempt's id (what decisions on a pair refer to) and labels it with
   * the student's name; the command line's reports have no labels.
   */
  labels?: Record<string, string>;
}

/** How the viewer names a file: its label, or its path. */
export type NameOf = (path: string) => string;
