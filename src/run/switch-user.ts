// Running a hook as another user (`user:`/`group:`). Node's spawn can set
// uid and gid but drops every supplementary group (libuv calls setgroups(0)),
// and has no initgroups for a child. setpriv (util-linux) does all three and
// then execs the script, so the script stays the process hookd started: the
// same pid, process group, pipes and signals.
import type { RunAs } from '../config/run-as.js';

// setpriv's argv around the hook's own.
export function switchUserArgv(runAs: RunAs, argv: readonly string[]): [string, ...string[]] {
  return [runAs.setpriv, `--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--init-groups', '--', ...argv];
}

// The variables a login of that user would have.
export function userEnv(runAs: RunAs): Record<string, string> {
  return { HOME: runAs.home, USER: runAs.user, LOGNAME: runAs.user };
}
