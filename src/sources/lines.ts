// JSON lines from a byte stream: split on "\n" without ever buffering more
// than `maxBytes` of one line (a 100 MB line is counted and skipped, not
// held), check UTF-8, and parse each line into an event.
import { isUtf8 } from 'node:buffer';
import { draftEvent, EventError, finishEvent, type EventDraft, type EventShape, type HookEvent } from '../event.js';

export type LineItem =
  | { readonly kind: 'line'; readonly number: number; readonly bytes: Buffer }
  | { readonly kind: 'oversize'; readonly number: number; readonly size: number };

export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private oversize = false;
  private lineNumber = 0;

  constructor(private readonly maxBytes: number) {}

  // The complete lines in this chunk (and what came before it).
  push(chunk: Buffer): LineItem[] {
    const items: LineItem[] = [];
    this.each(chunk, (item) => void items.push(item));
    return items;
  }

  // Each complete line of this chunk in turn, none kept: a chunk holds
  // thousands of lines, and items that die at once cost the GC nothing.
  each(chunk: Buffer, visit: (item: LineItem) => void): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      this.append(chunk.subarray(start, end));
      if (newline === -1) return;
      const item = this.take();
      if (item) visit(item);
      start = newline + 1;
    }
  }

  // Like each, but the lines that lie whole inside this chunk come as text,
  // decoded for the chunk at once (a Buffer per line costs more than parsing
  // it), when that part is valid UTF-8 and within `maxBytes`; otherwise they
  // come as items, each checked on its own as in each().
  eachText(chunk: Buffer, visitText: (number: number, text: string) => void, visit: (item: LineItem) => void): void {
    const first = chunk.indexOf(0x0a);
    const last = chunk.lastIndexOf(0x0a);
    if (first === last) return this.each(chunk, visit);
    // The line begun in an earlier chunk (or at this one's start) ends at `first`.
    this.each(chunk.subarray(0, first + 1), visit);
    // Splitting valid UTF-8 at "\n" bytes leaves valid UTF-8, and no line is
    // longer than all of them.
    const whole = chunk.subarray(first + 1, last + 1);
    if (whole.length <= this.maxBytes && isUtf8(whole)) {
      const text = whole.toString('utf8');
      for (let start = 0; start < text.length; ) {
        const newline = text.indexOf('\n', start);
        this.lineNumber++;
        if (newline > start) visitText(this.lineNumber, text.slice(start, newline));
        start = newline + 1;
      }
    } else this.each(whole, visit);
    this.each(chunk.subarray(last + 1), visit);
  }

  // The last line when the stream ends without a newline.
  end(): LineItem[] {
    const item = this.take();
    return item ? [item] : [];
  }

  // Bytes of the line not yet complete (a following file resumes before them).
  get pendingBytes(): number {
    return this.size;
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    this.size += piece.length;
    if (this.oversize) return;
    if (this.size > this.maxBytes) {
      this.oversize = true;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  private take(): LineItem | undefined {
    const size = this.size;
    const oversize = this.oversize;
    const bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.oversize = false;
    this.lineNumber++;
    if (oversize) return { kind: 'oversize', number: this.lineNumber, size };
    if (size === 0) return undefined;
    return { kind: 'line', number: this.lineNumber, bytes };
  }
}

const BOM = '\uFEFF';

// The event of a line, or the one-line reason it is not one. Blank lines are
// skipped silently (undefined).
export function eventFromLine(
  item: LineItem,
  shape: EventShape,
  maxBytes: number,
  source: string,
): HookEvent | EventError | undefined {
  const draft = draftFromLine(item, shape, maxBytes);
  return draft === undefined || draft instanceof EventError ? draft : finishEvent(draft, shape, source);
}

// A line read as far as its type (draftEvent), or the reason it is not an
// event, or undefined for a blank line.
export function draftFromLine(item: LineItem, shape: EventShape, maxBytes: number): EventDraft | EventError | undefined {
  if (item.kind === 'oversize') return new EventError(`line of ${item.size} bytes is over max_event_bytes (${maxBytes})`);
  if (!isUtf8(item.bytes)) return new EventError('invalid UTF-8');
  return draftFromText(item.bytes.toString('utf8'), item.number, shape);
}

// The same for a line already decoded (LineSplitter.eachText).
export function draftFromText(line: string, number: number, shape: EventShape): EventDraft | EventError | undefined {
  let text = line;
  if (text.endsWith('\r')) text = text.slice(0, -1);
  if (number === 1 && text.startsWith(BOM)) text = text.slice(1);
  if (text.trim() === '') return undefined;
  try {
    return draftEvent(text, shape);
  } catch (error) {
    if (error instanceof EventError) return error;
    throw error;
  }
}

// The stream offset just after an item's newline, given where the item before
// it ended: blank lines between the two (one byte each) yield no item.
export function itemEnd(item: LineItem, previous: { readonly end: number; readonly number: number }): number {
  const blankLines = item.number - previous.number - 1;
  const size = item.kind === 'line' ? item.bytes.length : item.size;
  return previous.end + blankLines + size + 1;
}
