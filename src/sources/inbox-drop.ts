// Writing one event into an inbox folder the way the inbox source expects
// it: under a hidden temporary name (which the inbox ignores), fsync'd, then
// renamed to NAME.json, and the folder fsync'd, so that the event is either
// wholly there or not at all, even across a power cut. Used by `hookd emit`
// to queue an event while the daemon is down (like sendmail's maildrop).
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomically } from './atomic-write.js';

// Read by hookd through the folder's group (an inbox shared with bitcoind is setgid).
const DROP_MODE = 0o640;

export class InboxMissingError extends Error {}

// Write `line` (one JSON object) as a new file in `dir`; resolves with its path.
export async function dropIntoInbox(dir: string, line: string): Promise<string> {
  const folder = await stat(dir).catch(() => undefined);
  if (folder === undefined || !folder.isDirectory()) throw new InboxMissingError(`the inbox ${dir} does not exist (hookd creates it when its inbox source starts)`);
  // Time first, so that names sort in the order they were written.
  const name = `${Date.now().toString().padStart(14, '0')}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const temporary = path.join(dir, `.${name}.tmp`);
  const target = path.join(dir, `${name}.json`);
  await writeAtomically(target, `${line}\n`, { temporary, mode: DROP_MODE, exclusive: true, syncFolder: dir });
  return target;
}
