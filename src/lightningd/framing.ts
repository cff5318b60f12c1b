// lightningd's framing: a stream of JSON objects, each followed by a blank
// line. Reads may end anywhere (inside a string, between the two newlines, or
// hold several messages), so the reader scans bytes and yields every complete
// top-level object, whatever separates them. Structural characters are ASCII,
// so scanning UTF-8 bytes is safe.

// A message larger than this is counted and skipped, never held whole.
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export type FramedItem =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'oversize'; readonly size: number }
  | { readonly kind: 'garbage'; readonly text: string };

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

export class MessageReader {
  private parts: Buffer[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private oversize = false;
  // Bytes outside any object that are not whitespace (reported, then skipped).
  private garbage: number[] = [];

  constructor(private readonly maxBytes = MAX_MESSAGE_BYTES) {}

  // The complete messages this chunk finishes.
  push(chunk: Buffer): FramedItem[] {
    const items: FramedItem[] = [];
    let start = -1; // where the part of the current message in this chunk begins
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (this.depth === 0) {
        if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
          this.flushGarbage(items);
          this.depth = 1;
          start = i;
        } else if (!isWhitespace(byte)) {
          if (this.garbage.length < 200) this.garbage.push(byte);
        } else if (byte === 0x0a) this.flushGarbage(items);
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.inString = false;
        continue;
      }
      if (byte === QUOTE) this.inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === 0) {
          this.append(chunk.subarray(start === -1 ? 0 : start, i + 1));
          items.push(this.take());
          start = -1;
        }
      }
    }
    if (this.depth > 0) this.append(chunk.subarray(start === -1 ? 0 : start));
    return items;
  }

  // At end of input: what was left unfinished, if anything.
  end(): FramedItem[] {
    const items: FramedItem[] = [];
    this.flushGarbage(items);
    if (this.depth > 0) items.push({ kind: 'garbage', text: 'an unfinished message at end of input' });
    this.depth = 0;
    this.parts = [];
    this.size = 0;
    return items;
  }

  private append(piece: Buffer): void {
    this.size += piece.length;
    if (this.oversize) return;
    if (this.size > this.maxBytes) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    // Copy: the chunk's memory may be reused by the stream.
    this.parts.push(Buffer.from(piece));
  }

  private take(): FramedItem {
    const item: FramedItem = this.oversize
      ? { kind: 'oversize', size: this.size }
      : { kind: 'message', text: Buffer.concat(this.parts).toString('utf8') };
    this.parts = [];
    this.size = 0;
    this.oversize = false;
    this.inString = false;
    this.escaped = false;
    return item;
  }

  private flushGarbage(items: FramedItem[]): void {
    if (this.garbage.length === 0) return;
    items.push({ kind: 'garbage', text: Buffer.from(this.garbage).toString('utf8') });
    this.garbage = [];
  }
}

// Every message hookd writes ends with a blank line, as lightningd's own
// libraries do.
export function frame(json: string): string {
  return `${json}\n\n`;
}
