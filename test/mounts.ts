// A small tmpfs mounted for one test (a full or read-only filesystem on
// demand). Mounting needs root: without it the test is skipped with the
// reason, except under CI=true, where it fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';

// Mounts a tmpfs at <parent>/<name> with these mount options (size=1m, ro, ...);
// unmounted when the test ends. Undefined (test skipped) when not permitted.
export function mountTmpfs(t: TestContext, parent: string, name: string, options: string): string | undefined {
  const dir = path.join(parent, name);
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    const reason = `cannot mount a tmpfs (needs root and mount(8)): ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`;
    if (process.env.CI === 'true') throw new Error(reason);
    t.skip(reason);
    return undefined;
  }
  // Unmounted before the temp folder is removed (after hooks run last-in first-out).
  t.after(() => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  });
  return dir;
}
