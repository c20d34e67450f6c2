/**
 * The autosave queue's chain (docs/autosave.md): a running SHA-256 over the
 * exact JSON text of every queued item, starting from a value bound to the
 * attempt. The server computes the same over the text it receives
 * (`src/domain/autosave.rs`); a commitment to (sequence, chain) heard before
 * the deadline is what items arriving after it must reproduce.
 */
const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fromHex(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

async function sha256(...parts: Uint8Array[]): Promise<string> {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return hex(await crypto.subtle.digest('SHA-256', joined));
}

/** The chain after an item whose exact JSON text is `raw`. */
export function chainNext(previous: string, raw: string): Promise<string> {
  return sha256(fromHex(previous), encoder.encode(raw));
}

/** `text` with any lone UTF-16 surrogate replaced, so its JSON is valid UTF-8 the server can read. */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** The exact JSON text of a queue item: no lone surrogates anywhere in it. */
export function itemText(item: object): string {
  return JSON.stringify(item, (_key, value: unknown) => (typeof value === 'string' ? wellFormed(value) : value));
}

/** Its size on the wire, in bytes. */
export function byteLength(text: string): number {
  return encoder.encode(text).length;
}
