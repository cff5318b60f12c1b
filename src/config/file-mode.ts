// The config decides which programs run: one that anybody may write is refused.
import { statSync } from 'node:fs';
import path from 'node:path';
import { HookdError } from '../errors.js';

export function refuseWorldWritable(file: string): void {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return; // reading it will report what is wrong
  }
  if (mode & 0o002) {
    throw new HookdError('E_CONFIG_PERM', `${file}: refusing a world-writable config; run chmod o-w on it`);
  }
}

// The first folder above `file` (nearest first) that anybody may write to
// without the sticky bit: anybody could replace `file` there (OpenSSH's
// StrictModes rule). /tmp (mode 1777) is fine.
export function openParentFolder(file: string): string | undefined {
  let folder = path.dirname(path.resolve(file));
  for (;;) {
    let mode: number;
    try {
      mode = statSync(folder).mode;
    } catch {
      mode = 0; // missing: whoever creates it decides
    }
    if (mode & 0o002 && !(mode & 0o1000)) return folder;
    const up = path.dirname(folder);
    if (up === folder) return undefined;
    folder = up;
  }
}
