// What to do about EACCES on hookd's socket: join the group that owns it (or
// its folder, when that is what keeps us out), named from /etc/group.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export function socketAccessHint(socketPath: string): string {
  const owner = [socketPath, path.dirname(socketPath)].map(groupOf).find((group) => group !== undefined);
  const join = owner === undefined ? "join the socket's group" : `join group ${owner}`;
  return `permission denied on ${socketPath}: ${join} (sudo usermod -aG ${owner ?? 'GROUP'} USER, then log in again; restart a service, such as bitcoind, that runs as USER)`;
}

// The name of the group owning `file`, when it can be read.
function groupOf(file: string): string | undefined {
  let gid: number;
  try {
    gid = statSync(file).gid;
  } catch {
    return undefined;
  }
  try {
    const line = readFileSync('/etc/group', 'utf8').split('\n').find((entry) => entry.split(':')[2] === String(gid));
    return line?.split(':')[0] ?? String(gid);
  } catch {
    return String(gid);
  }
}
