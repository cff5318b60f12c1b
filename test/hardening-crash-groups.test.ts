// After a kill -9, a hook that hookd was running lives on in its own process
// group. The restarted hookd ends that group (and logs it) before it runs the
// same delivery again: never two runs of one delivery at once.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { linesOf, startDaemon, stopHookd, talk, waitForLines, waitForLog } from './daemon-helpers.ts';
import { tempDir, waitFor, writeScript } from './helpers.ts';
import { isRunning } from './processes.ts';

test('a hook left running by a killed hookd is ended before its delivery runs again', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  const running = path.join(dir, 'running.pid');
  const gate = path.join(dir, 'go');
  writeScript(dir, 'slow.sh', [
    // The last run still going (a zombie, which a PID 1 that never reaps leaves, has ended).
    `p=$(cat '${running}' 2>/dev/null); if [ -n "$p" ] && [ -r /proc/$p/stat ] && ! grep -q ') [ZX] ' /proc/$p/stat; then echo overlap >> '${out}'; fi`,
    `echo $$ > '${running}'`,
    `echo "start $$" >> '${out}'`,
    `trap 'exit 143' TERM`,
    `while [ ! -e '${gate}' ]; do sleep 0.05; done`,
    `echo "end $$" >> '${out}'`,
  ].join('\n'));
  const yaml = `state: ./state\nsources:\n  - socket: ./hookd.sock\nhooks:\n  - name: slow\n    on: tick\n    run: ./slow.sh\n    kill_after: 1s\n`;
  const first = await startDaemon(t, dir, yaml);
  assert.equal((await talk(path.join(dir, 'hookd.sock'), [JSON.stringify({ type: 'tick', n: 1 })]))[0]?.ok, true);
  const [started] = await waitForLines(out, 1);
  const orphan = Number(started?.split(' ')[1]);
  t.after(() => {
    try {
      process.kill(-orphan, 'SIGKILL');
    } catch {
      // ended, as it should be
    }
  });
  first.hookd.child.kill('SIGKILL');
  await first.hookd.exited;
  assert.ok(isRunning(orphan), 'the hook outlives a kill -9 of hookd (its own process group)');

  const second = await startDaemon(t, dir, yaml);
  const lines = await waitForLines(out, 2);
  assert.ok(!lines.includes('overlap'), `the delivery ran twice at once: ${lines.join(' | ')}`);
  await waitFor(() => !isRunning(orphan), 'the orphaned hook to be gone');
  const logged = await waitForLog(second.hookd, 'left running');
  assert.equal(logged.pid, orphan);
  writeFileSync(gate, '');
  await waitFor(() => linesOf(out).some((line) => line.startsWith('end ')), 'the second run to end');
  assert.equal(await stopHookd(second.hookd), 0);
});
