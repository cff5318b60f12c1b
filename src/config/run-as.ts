// `user:` and `group:` of a hook: run it as another user. Resolved once at
// load time through the system's user database (getent, so NSS users count),
// and refused there when hookd is not root, the user or group does not exist,
// or setpriv (util-linux), which makes the switch, is missing.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ExactNumber } from '../json.js';
import type { ConfigProblems, KeyPath } from './problems.js';

export interface RunAs {
  readonly user: string;
  readonly uid: number;
  // `group:`, else the user's primary group.
  readonly gid: number;
  readonly home: string;
  // Every group the user is in (primary and supplementary), for the script check.
  readonly groups: readonly number[];
  // The setpriv binary that switches to the user (absolute path).
  readonly setpriv: string;
}

// `user` and `group` as written, with where each was written.
export interface RunAsInput {
  readonly user?: { readonly value: unknown; readonly at: KeyPath } | undefined;
  readonly group?: { readonly value: unknown; readonly at: KeyPath } | undefined;
}

// Resolves each hook's user and group, once per place they are written (a
// `defaults:` user is looked up, and reported, once for all hooks).
export function runAsResolver(problems: ConfigProblems): (input: RunAsInput) => RunAs | undefined {
  const resolved = new Map<string, RunAs | undefined>();
  return (input) => {
    const key = JSON.stringify([input.user?.at, input.group?.at]);
    if (!resolved.has(key)) resolved.set(key, resolveRunAs(input, problems));
    return resolved.get(key);
  };
}

function resolveRunAs(input: RunAsInput, problems: ConfigProblems): RunAs | undefined {
  const { user, group } = input;
  if (user === undefined) {
    if (group !== undefined) problems.add(group.at, 'set user too: group alone would still run the hook as root');
    return undefined;
  }
  const userName = nameOrId(user.value);
  const groupName = group === undefined ? undefined : nameOrId(group.value);
  if (userName === undefined) problems.expected(user.at, 'a user name or uid', user.value);
  if (group !== undefined && groupName === undefined) problems.expected(group.at, 'a group name or gid', group.value);
  if (userName === undefined || (group !== undefined && groupName === undefined)) return undefined;
  const uid = process.getuid?.();
  if (uid !== 0) {
    problems.add(user.at, `hookd runs as uid ${uid ?? 'unknown'}, not root: it cannot run a hook as another user`);
    return undefined;
  }
  const account = lookup('passwd', userName);
  if (account instanceof Error) {
    problems.add(user.at, account.message);
    return undefined;
  }
  if (account === undefined) {
    problems.add(user.at, `no such user: ${userName}`);
    return undefined;
  }
  const primary = Number(account[3]);
  let gid = primary;
  if (group !== undefined && groupName !== undefined) {
    const entry = lookup('group', groupName);
    if (entry instanceof Error) {
      problems.add(group.at, entry.message);
      return undefined;
    }
    if (entry === undefined) {
      problems.add(group.at, `no such group: ${groupName}`);
      return undefined;
    }
    gid = Number(entry[2]);
  }
  const setpriv = findInPath('setpriv');
  if (setpriv === undefined) {
    problems.add(user.at, 'running a hook as another user needs setpriv (util-linux), not found in PATH');
    return undefined;
  }
  const name = account[0] as string;
  return Object.freeze({ user: name, uid: Number(account[2]), gid, home: account[5] ?? '/', groups: Object.freeze(groupsOf(name, primary, gid)), setpriv });
}

function nameOrId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return String(value);
  if (value instanceof ExactNumber) return /^\d+$/.test(value.text) ? value.text : undefined;
  if (typeof value === 'string' && /^[A-Za-z0-9_.][A-Za-z0-9_.-]*\$?$/.test(value)) return value;
  return undefined;
}

// One entry of the user or group database, split at ":"; undefined when
// absent; an Error (its message one line) when getent cannot run.
function lookup(database: 'passwd' | 'group', key: string): string[] | undefined | Error {
  const result = spawnSync('getent', [database, key], { encoding: 'utf8' });
  if (result.error !== undefined) return new Error(`cannot look up ${key}: getent: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`);
  const line = result.status === 0 ? result.stdout.split('\n')[0] : undefined;
  return line === undefined || line === '' ? undefined : line.split(':');
}

// The groups initgroups(3) gives the run: the user's supplementary groups
// and `gid` (which replaces the primary group when `group:` is set).
function groupsOf(user: string, primary: number, gid: number): number[] {
  const result = spawnSync('id', ['-G', user], { encoding: 'utf8' });
  const ids = result.status === 0 ? result.stdout.trim().split(/\s+/).filter((id) => id !== '').map(Number) : [];
  return [...new Set([gid, ...ids.filter((id) => id !== primary)])];
}

function findInPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
