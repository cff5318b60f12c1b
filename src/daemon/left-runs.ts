// At start, before any delivery runs again: the hooks that a hookd killed
// with -9 (or lost to a crash) left running live on in their own process
// groups. Each such group is ended (SIGTERM, then SIGKILL after the hook's
// kill_after) and logged, so that a delivery never runs twice at once. Ended
// rather than waited for: a hook that hangs would hold up every event, and
// its delivery runs again from the start anyway (at-least-once).
import type { Logger } from 'pino';
import { endGroup, groupRunning, processStartTicks } from '../run/process-groups.js';
import type { RunningGroups } from '../store/running-groups.js';

export async function endLeftRuns(running: RunningGroups, log: Logger): Promise<void> {
  const groups = running.leftBehind();
  await Promise.all(groups.map(async (group) => {
    // Gone, or its pid now names another process: nothing of that run is left.
    const same = group.startTicks === undefined || processStartTicks(group.pid) === group.startTicks;
    if (same && groupRunning(group.pid)) {
      const signal = await endGroup(group.pid, group.killAfterMs);
      log.warn({ hook: group.hook, pid: group.pid, signal }, 'ended a hook left running by a hookd that did not stop cleanly; its delivery runs again');
    }
    running.ended(group.pid);
  }));
}
