// Looking at a followed file on disk: is it there, which file is it, does it
// still hold what was read, where did rotation move it.
import { type FileHandle, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { identityOf, sameIdentity, TAIL_BYTES, type FileIdentity, type LinePosition } from './file-position.js';

// Bytes read at once from a followed file.
export const CHUNK_BYTES = 64 * 1024;

// The file opened for reading, or undefined when there is none.
export async function openIfExists(file: string): Promise<FileHandle | undefined> {
  try {
    return await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// Which file is at the path now (undefined: none).
export async function identityAt(file: string): Promise<FileIdentity | undefined> {
  try {
    return identityOf(await stat(file, { bigint: true }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// Whether the file still has, just before the position, the bytes read there.
export async function stillHolds(handle: FileHandle, at: LinePosition): Promise<boolean> {
  const { offset } = at;
  const { size } = await handle.stat();
  if (size < offset) return false;
  if (at.tail.length === 0) return true;
  const bytes = Buffer.alloc(at.tail.length);
  const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset - at.tail.length);
  return bytesRead === bytes.length && bytes.equals(at.tail);
}

// A rotated file (events.jsonl.1, events.jsonl-20250101, ...) with the identity.
export async function findRotated(file: string, identity: FileIdentity): Promise<{ file: string; handle: FileHandle } | undefined> {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!name.startsWith(path.basename(file)) || name === path.basename(file)) continue;
    const candidate = path.join(dir, name);
    const found = await identityAt(candidate).catch(() => undefined);
    if (found !== undefined && sameIdentity(found, identity)) {
      const handle = await openIfExists(candidate);
      if (handle !== undefined) return { file: candidate, handle };
    }
  }
  return undefined;
}

// `from: end`: just after the last complete line (a line being written is
// read once complete), with the lines before it and the bytes before it.
export async function endOfLastLine(handle: FileHandle): Promise<LinePosition> {
  const size = Number((await handle.stat()).size);
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let lines = 0;
  let end = 0;
  for (let offset = 0; offset < size;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_BYTES, size - offset), offset);
    if (bytesRead === 0) break;
    for (let at = buffer.indexOf(0x0a); at !== -1 && at < bytesRead; at = buffer.indexOf(0x0a, at + 1)) {
      lines++;
      end = offset + at + 1;
    }
    offset += bytesRead;
  }
  const tail = Buffer.alloc(Math.min(TAIL_BYTES, end));
  await handle.read(tail, 0, tail.length, end - tail.length);
  return { offset: end, line: lines, tail };
}
