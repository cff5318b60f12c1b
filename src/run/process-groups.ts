// Signalling a hook's process group (its leader's pid is the group id), and
// telling a group that still runs from a pid the system has since given to
// another process.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { signalGroup } from './without-stack-traces.js';

export function groupAlive(pid: number): boolean {
  return signalGroup(pid, 0);
}

// Whether a process of the group still runs. A zombie does not count: under
// a PID 1 that does not reap orphans, an ended hook stays one for good. Read
// from /proc; without it, any member (kill -0) counts.
export function groupRunning(pgid: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return groupAlive(pgid);
  }
  for (const pid of pids) {
    const fields = statFields(Number(pid));
    // fields[0] is the state, fields[2] the process group.
    if (fields !== undefined && fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

// The fields of /proc/PID/stat after "pid (comm) ", or undefined.
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: count after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// When the process started (field 22 of /proc/PID/stat, clock ticks since
// boot), or undefined without /proc: with the pid, it names one process.
export function processStartTicks(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

const POLL_MS = 50;
// After SIGKILL: how long to wait for the group to go (an unreaped zombie never does).
const KILL_WAIT_MS = 1000;

// End a process group: SIGTERM, then SIGKILL once `killAfterMs` has passed.
// Resolves with the last signal it took.
export async function endGroup(pid: number, killAfterMs: number): Promise<'SIGTERM' | 'SIGKILL'> {
  signalGroup(pid, 'SIGTERM');
  if (await goneWithin(pid, killAfterMs)) return 'SIGTERM';
  signalGroup(pid, 'SIGKILL');
  await goneWithin(pid, KILL_WAIT_MS);
  return 'SIGKILL';
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupRunning(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}
