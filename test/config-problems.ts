// `hookd validate` of a config that must be refused: exit 78, and each
// expected problem as one of its lines (file:line: key: message).
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

// A config (the YAML as given) beside an executable ./hook.sh that exits 0.
export function configWithHook(t: TestContext, yaml: string): string {
  const dir = tempDir(t);
  writeScript(dir, 'hook.sh', 'exit 0');
  return writeConfig(dir, yaml);
}

export async function assertRefused(config: string, expected: readonly string[]): Promise<string> {
  const result = await runHookd(['validate', '-c', config]);
  assert.equal(result.code, 78, result.stderr);
  const lines = result.stderr.split('\n').map((line) => line.replace(/^hookd: /, '').trim());
  for (const problem of expected) assert.ok(lines.includes(problem), `missing: ${problem}\n${result.stderr}`);
  return result.stderr;
}
