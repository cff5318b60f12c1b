// A shared secret (the http source's signing key) lives in a file of its own,
// so that the config can be shown and kept in git. The file must not be
// readable by every user; its text, without the final newline, is the key.
// Messages name the file, never its contents.
import { readFileSync, statSync } from 'node:fs';
import { HookdError } from '../errors.js';

export function readSecretFile(file: string): Buffer {
  let text: string;
  try {
    if (statSync(file).mode & 0o004) {
      throw new HookdError('E_CONFIG_PERM', `refusing a secret file every user can read: ${file}; run chmod o-r on it`);
    }
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof HookdError) throw error;
    throw new HookdError('E_CONFIG', `cannot read the secret file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new HookdError('E_CONFIG', `the secret file ${file} is empty`);
  return Buffer.from(secret, 'utf8');
}
