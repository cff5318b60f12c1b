// Splitting a byte stream into lines: the text path (eachText, a chunk's
// whole lines decoded at once) sees exactly the lines, line numbers and
// problems that the per-line path (push) sees, however the stream is cut.
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { test } from 'node:test';
import { LineSplitter, type LineItem } from '../src/sources/lines.ts';

const MAX_BYTES = 64;

// What a source would make of a line: its text, or why it has none.
function describe(item: LineItem): string {
  if (item.kind === 'oversize') return `oversize ${item.size}`;
  return isUtf8(item.bytes) ? item.bytes.toString('utf8') : 'invalid UTF-8';
}

function viaPush(chunks: readonly Buffer[]): [number, string][] {
  const splitter = new LineSplitter(MAX_BYTES);
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()].map((item) => [item.number, describe(item)]);
}

function viaText(chunks: readonly Buffer[]): [number, string][] {
  const splitter = new LineSplitter(MAX_BYTES);
  const seen: [number, string][] = [];
  for (const chunk of chunks) splitter.eachText(chunk, (number, text) => void seen.push([number, text]), (item) => void seen.push([item.number, describe(item)]));
  for (const item of splitter.end()) seen.push([item.number, describe(item)]);
  return seen;
}

// Cuts `bytes` at deterministic pseudo-random places (some inside a character).
function cut(bytes: Buffer, seed: number, maxPiece: number): Buffer[] {
  let state = seed;
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % maxPiece);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

test('eachText gives the same lines, numbers and problems as push, for every way of cutting the stream', () => {
  const stream = Buffer.concat([
    Buffer.from('\uFEFF{"type":"bom"}\r\n'),
    Buffer.from('{"type":"a","s":"é€😀"}\n\n\n'),
    Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), // invalid UTF-8
    Buffer.from(`{"type":"long","pad":"${'x'.repeat(100)}"}\n`),
    Buffer.from('   \n{"type":"b"}\r\n{"type":"c","s":"ü"}\n'),
    Buffer.from('{"type":"last, no newline"}'),
  ]);
  const expected = viaPush([stream]);
  assert.equal(expected.length, 8);
  assert.deepEqual(expected[0], [1, '\uFEFF{"type":"bom"}\r']);
  assert.deepEqual(expected[2], [5, 'invalid UTF-8']);
  assert.deepEqual(expected[3], [6, 'oversize 124']);
  for (const maxPiece of [1, 3, 7, 20, 64, 200, stream.length]) {
    for (let seed = 1; seed <= 20; seed++) {
      const chunks = cut(stream, seed, maxPiece);
      assert.deepEqual(viaText(chunks), expected, `pieces of at most ${maxPiece} bytes, seed ${seed}`);
    }
  }
});

test('a chunk of whole lines within max_event_bytes and valid UTF-8 comes as text; others as items', () => {
  const splitter = new LineSplitter(MAX_BYTES);
  const texts: number[] = [];
  const items: number[] = [];
  const take = (chunk: string | Buffer): void => splitter.eachText(Buffer.from(chunk), (number) => void texts.push(number), (item) => void items.push(item.number));
  take('{"type":"a"}\n{"type":"b"}\n{"type":"c"}\n{"ty');
  assert.deepEqual([texts, items], [[2, 3], [1]], 'the first line of a chunk may have begun before it');
  take(Buffer.concat([Buffer.from('pe":"d"}\n{"type":"e"}\n'), Buffer.from([0xff, 0x0a]), Buffer.from('{"type":"f"}\n')]));
  assert.deepEqual([texts, items], [[2, 3], [1, 4, 5, 6, 7]], 'a chunk with invalid UTF-8 goes line by line');
});
