// The user:password pair for bitcoind's RPC: the cookie file bitcoind writes
// at each start (read again at every connection: it changes with each
// restart), or a user and a password file. The secret lives only in the
// Authorization header; no message here ever holds it.
import { readFile } from 'node:fs/promises';
import type { BitcoindAuth } from '../../config/types.js';

// The cookie file, or a user and a password file (the config's `auth`).
export type CredentialSource = BitcoindAuth;

// Why credentials could not be read; `missing` tells a cookie bitcoind has
// not written yet (it is not running) from one that cannot be read.
export class CredentialError extends Error {
  constructor(
    message: string,
    readonly missing: boolean,
  ) {
    super(message);
  }
}

// "user:password" for the Basic header; throws CredentialError.
export async function readCredentials(source: CredentialSource): Promise<string> {
  const what = source.kind === 'cookie' ? 'cookie file' : 'password file';
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CredentialError(`cannot read the ${what} ${source.file} (${code})`, code === 'ENOENT');
  }
  // An editor or `echo` ends the file with a newline; it is not part of the secret.
  const secret = text.replace(/\r?\n$/, '');
  if (source.kind === 'password') {
    if (secret === '' || /[\r\n]/.test(secret)) throw new CredentialError(`the password file ${source.file} must hold one line, the password`, false);
    return `${source.user}:${secret}`;
  }
  // bitcoind writes "__cookie__:<64 hex>"; never echo what is there instead.
  if (!/^[^:\r\n]+:[^\r\n]+$/.test(secret)) throw new CredentialError(`the cookie file ${source.file} does not hold user:password as bitcoind writes it`, false);
  return secret;
}
