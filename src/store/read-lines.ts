// Reading a queue segment (or any file) line by line, in chunks: a segment
// may be far larger than what hookd holds in memory.
import { closeSync, openSync, readSync } from 'node:fs';

export interface Line {
  readonly offset: number;
  // Where the next line starts.
  readonly end: number;
  // The text without its newline; undefined when the file ends before the newline.
  readonly text: string | undefined;
}

const CHUNK_BYTES = 256 * 1024;

// The lines of a file from `start` up to `end`, read in chunks (never the
// whole file at once).
export function* readLines(file: string, start = 0, end = Number.POSITIVE_INFINITY): Generator<Line> {
  const fd = openSync(file, 'r');
  try {
    let buffer = Buffer.alloc(0);
    let bufferStart = start;
    let readAt = start;
    let scanFrom = 0;
    for (;;) {
      const newline = buffer.indexOf(0x0a, scanFrom);
      if (newline !== -1) {
        yield { offset: bufferStart, end: bufferStart + newline + 1, text: buffer.toString('utf8', 0, newline) };
        buffer = buffer.subarray(newline + 1);
        bufferStart += newline + 1;
        scanFrom = 0;
        continue;
      }
      scanFrom = buffer.length;
      const want = Math.min(CHUNK_BYTES, end - readAt);
      if (want <= 0) break;
      const chunk = Buffer.allocUnsafe(want);
      const got = readSync(fd, chunk, 0, want, readAt);
      if (got === 0) break;
      readAt += got;
      buffer = buffer.length === 0 ? chunk.subarray(0, got) : Buffer.concat([buffer, chunk.subarray(0, got)]);
    }
    if (buffer.length > 0) yield { offset: bufferStart, end: bufferStart + buffer.length, text: undefined };
  } finally {
    closeSync(fd);
  }
}
