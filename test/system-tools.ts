// Tests that need a tool of the system (a compiler, shellcheck, a kernel
// feature) skip with a visible reason where it is missing, but fail under
// CI=true, so that CI never passes by skipping them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

// Whether `command` can be started (it exists in PATH and is executable).
export function hasCommand(command: string, probeArgs: readonly string[] = ['--version']): boolean {
  return spawnSync(command, probeArgs, { stdio: 'ignore' }).error === undefined;
}

// Skips the test saying why; fails it instead when CI=true.
export function skipUnlessCi(t: TestContext, reason: string): void {
  if (process.env.CI === 'true') assert.fail(`${reason} (CI=true: this test must run)`);
  t.skip(reason);
}
