// Writing a whole file so that a crash leaves either the old file or the new
// one, never half of one: a temporary name, fsync, rename (and, when asked,
// fsync of the folder, which makes the rename itself survive a power cut).
import { open, rename, unlink } from 'node:fs/promises';

export interface AtomicWriteOptions {
  // Where the text is written first; in the same folder (default FILE.tmp).
  readonly temporary?: string;
  readonly mode?: number;
  // Fail when the temporary file exists (another writer) instead of replacing it.
  readonly exclusive?: boolean;
  readonly syncFolder?: string;
}

export async function writeAtomically(file: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  const temporary = options.temporary ?? `${file}.tmp`;
  const handle = await open(temporary, options.exclusive === true ? 'wx' : 'w', options.mode ?? 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => {});
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
  if (options.syncFolder === undefined) return;
  const folder = await open(options.syncFolder, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
