// The state directory's layout:
//   lock                  the pid of the hookd that uses it
//   queue/*.log           the durable queue: numbered segments of record lines
//   dead/DAY/HOUR/*.json  dead letters, one readable file each
//   sources/              the file sources' read positions (kept by sources/)
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { openParentFolder } from '../config/file-mode.js';
import { HookdError } from '../errors.js';

export const QUEUE_DIR = 'queue';
export const DEAD_DIR = 'dead';

// Create the folder (private to its owner) and its queue/ and dead/; refuse
// one that every user may write to (anyone could plant events there).
export function prepareStateDir(dir: string): void {
  try {
    makeFolders(dir);
    if (statSync(dir).mode & 0o002) {
      throw new HookdError('E_STATE', `refusing a world-writable state directory ${dir}; run chmod o-w on it`);
    }
    const open = openParentFolder(dir);
    if (open !== undefined) {
      throw new HookdError('E_STATE', `refusing the state directory ${dir} inside a world-writable folder without the sticky bit: ${open} (anyone could replace it); run chmod o-w on it`);
    }
    mkdirSync(path.join(dir, QUEUE_DIR), { recursive: true, mode: 0o700 });
    mkdirSync(path.join(dir, DEAD_DIR), { recursive: true, mode: 0o700 });
  } catch (error) {
    if (error instanceof HookdError) throw error;
    throw stateError(dir, error);
  }
}

// mkdir -p; a failure says why the first missing folder cannot be made (a
// recursive mkdir answers ENOENT on a read-only filesystem, not EROFS).
function makeFolders(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const missing: string[] = [];
    for (let folder = path.resolve(dir); !exists(folder) && path.dirname(folder) !== folder; folder = path.dirname(folder)) missing.unshift(folder);
    for (const folder of missing) mkdirSync(folder, { mode: 0o700 });
    throw error;
  }
}

function exists(folder: string): boolean {
  return statSync(folder, { throwIfNoEntry: false }) !== undefined;
}

export function stateError(dir: string, error: unknown): HookdError {
  const code = (error as NodeJS.ErrnoException).code;
  return new HookdError('E_STATE', `cannot use the state directory ${dir}: ${code ?? (error as Error).message}`);
}
