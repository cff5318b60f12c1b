// Expected failures on the hot path (ESRCH from a group probe, EPIPE writing to
// a hook that already exited) build errors nobody reads; capturing their stack
// traces cost ~3% of hookd's CPU. This runs `work` with stack capture off.
export function withoutStackTraces<T>(work: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return work();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

// Whether a signal reached process group `pid` (false: ESRCH, the group is gone).
export function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  return withoutStackTraces(() => {
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  });
}
