// hookd-spawner for tests: built once per test process from native/spawner.c
// by the real build script, into a folder of its own. Without a C compiler a
// test skips (saying why), except under CI=true, where it fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { ROOT } from './helpers.ts';

export const BUILD_SCRIPT = path.join(ROOT, 'scripts', 'build-spawner.mjs');

let built: { path?: string; reason?: string } | undefined;

export function buildSpawner(): { path?: string; reason?: string } {
  if (built) return built;
  const dir = mkdtempSync(path.join(tmpdir(), 'hookd-spawner-bin-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const target = path.join(dir, 'hookd-spawner');
  const result = spawnSync(process.execPath, [BUILD_SCRIPT, target], { encoding: 'utf8', env: { ...process.env, SPAWNER_REQUIRED: '1' } });
  built = result.status === 0 ? { path: target } : { reason: (result.stderr || result.stdout).trim().split('\n')[0] ?? 'build failed' };
  return built;
}

// The spawner's path, or undefined after skipping the test (failing it on CI).
export function spawnerOrSkip(t: TestContext): string | undefined {
  const { path: file, reason } = buildSpawner();
  if (file) return file;
  if (process.env.CI === 'true') throw new Error(`hookd-spawner is needed on CI: ${reason}`);
  t.skip(`no hookd-spawner: ${reason}`);
  return undefined;
}

// For a suite of tests that all need the spawner: false (run them), or why
// they skip. Throws on CI, where the spawner must be there.
export function spawnerSuiteSkip(): false | string {
  const { path: file, reason } = buildSpawner();
  if (file) return false;
  if (process.env.CI === 'true') throw new Error(`hookd-spawner is needed on CI: ${reason}`);
  return `no hookd-spawner: ${reason}`;
}
