// Signalling a hook's process group (its leader's pid is the group id), and
// telling a group that still runs from a pid the system has since given to
// another process.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

// When the process started (field 22 of /proc/PID/stat, clock ticks since
// boot), or undefined without /proc: with the pid, it names one process.
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces; count after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
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
  while (groupAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}
