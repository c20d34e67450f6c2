/**
 * Turns the bytes a program writes to stdout or stderr into lines. Pyodide
 * hands over raw UTF-8 chunks; a line is sent once its newline arrives, and
 * whatever is left when the program ends is sent by flush().
 */
export class LineWriter {
  readonly #emit: (line: string) => void;
  #decoder = new TextDecoder();
  #partial = '';

  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  /** Pyodide's Writer interface: consume every byte, answer how many. */
  write(bytes: Uint8Array): number {
    const lines = (this.#partial + this.#decoder.decode(bytes, { stream: true })).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#emit(line);
    return bytes.length;
  }

  /** Sends a line that has no newline yet, e.g. at the end of a program. */
  flush(): void {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = '';
    this.#decoder = new TextDecoder();
    if (rest !== '') this.#emit(rest);
  }
}
