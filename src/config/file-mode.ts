// The config decides which programs run: one that anybody may write is refused.
import { statSync } from 'node:fs';
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
