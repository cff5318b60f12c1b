// `spawner: auto | helper | node`: validated like every key, said in the
// start-up log, and the hooks really started by the one named; auto falls back
// to in-process spawning (saying why) where hookd-spawner cannot run, helper
// refuses to start there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startLauncher } from '../src/daemon/spawner-choice.ts';
import { HookdError } from '../src/errors.ts';
import { createLogger } from '../src/log/logger.ts';
import { currentLauncher } from '../src/run/launcher.ts';
import { runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';
import { spawnerSuiteSkip } from './spawner-binary.ts';

function logSink(): { lines: Record<string, unknown>[]; write(line: string): void } {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
}

// The parent of a hook, as the hook itself saw it.
const PARENT_HOOK = 'echo "$(cat /proc/$PPID/comm)" > "$OUT"';

describe('spawner choice', () => {
  test('an unknown spawner: value is refused with file, line and key', async (t) => {
    const dir = tempDir(t);
    const config = writeConfig(dir, 'hooks: []\nspawner: fast\n');
    const result = await runHookd(['validate', '-c', config]);
    assert.equal(result.code, 78);
    assert.match(result.stderr, new RegExp(`${config}:2: spawner: expected auto, helper or node, got "fast" \\(string\\)`));
  });

  for (const [choice, parent, says] of [
    ['node', 'node', 'hooks are started in-process (spawner: node)'],
    ['auto', 'hookd-spawner', 'hooks are started by hookd-spawner'],
    ['helper', 'hookd-spawner', 'hooks are started by hookd-spawner'],
  ] as const) {
    test(`spawner: ${choice} says so at start, and the hook's parent is ${parent}`, { skip: parent === 'hookd-spawner' && spawnerSuiteSkip() }, async (t) => {
      const dir = tempDir(t);
      const out = path.join(dir, 'parent');
      const hook = writeScript(dir, 'parent.sh', PARENT_HOOK);
      const config = writeConfig(dir, `state: false\nspawner: ${choice}\nhooks:\n  - { name: parent, on: t, run: ${hook}, env: { OUT: ${out} } }\n`);
      const result = await runHookd(['-c', config, '--log-format', 'json'], { input: '{"type":"t"}\n' });
      assert.equal(result.code, 0, result.stderr);
      const logs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
      const started = logs.find((entry) => String(entry.msg).startsWith('hooks are started'));
      assert.equal(started?.msg, says);
      assert.equal(readFileSync(out, 'utf8').trim(), parent);
    });
  }

  test('auto without a working hookd-spawner starts hooks in-process and says why', async () => {
    const sink = logSink();
    const started = await startLauncher('auto', createLogger({ format: 'json', target: sink }), '/nonexistent/hookd-spawner');
    assert.equal(started.name, 'node');
    assert.equal(currentLauncher().name, 'node');
    assert.match(String(sink.lines[0]?.msg), /^hooks are started in-process \(hookd-spawner cannot run here: hookd-spawner ENOENT: cannot start \/nonexistent\/hookd-spawner\)$/);
    await started.close();
  });

  test('helper without a working hookd-spawner is a config error, not a silent fallback', async () => {
    const sink = logSink();
    await assert.rejects(startLauncher('helper', createLogger({ format: 'json', target: sink }), '/nonexistent/hookd-spawner'), (error) => {
      assert.ok(error instanceof HookdError);
      assert.equal(error.code, 'E_CONFIG');
      assert.match(error.message, /^spawner: helper, but hookd-spawner cannot run: hookd-spawner ENOENT/);
      return true;
    });
  });
});
