// What a source acknowledged is never lost: the socket's {"ok":true}, the file
// position, the inbox file's removal all come after the event is on disk, so a
// kill -9 of hookd in the middle of a burst, and a restart, still run every
// acknowledged event (at least once).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { linesOf, startDaemon, talk } from './daemon-helpers.ts';
import { exitWithin, tempDir, waitFor, writeScript } from './helpers.ts';

const COUNT = 120;

// A slow hook (so that a backlog builds up) appending "$EVENT_N" to out.txt.
function setUp(t: TestContext, source: string): { dir: string; yaml: string; delivered: () => Set<string> } {
  const dir = tempDir(t);
  writeScript(dir, 'record.sh', `sleep 0.02\necho "$EVENT_N" >> '${dir}/out.txt'`);
  const yaml = `sources:\n  - ${source}\nstate: ./state\nevent: { id: n }\nhooks:\n  - name: record\n    on: job\n    run: ./record.sh\n    concurrency: 2\n`;
  return { dir, yaml, delivered: () => new Set(linesOf(path.join(dir, 'out.txt'))) };
}

const job = (n: number): string => JSON.stringify({ type: 'job', n });

// kill -9, and wait until the process is gone (its hooks may still finish).
async function crash(hookd: Awaited<ReturnType<typeof startDaemon>>['hookd']): Promise<void> {
  hookd.child.kill('SIGKILL');
  await exitWithin(hookd);
}

async function missingAfterRestart(t: TestContext, dir: string, yaml: string, expected: Iterable<string>, delivered: () => Set<string>): Promise<string[]> {
  await startDaemon(t, dir, yaml);
  const wanted = [...expected];
  await waitFor(() => wanted.every((n) => delivered().has(n)), 'every acknowledged event delivered', 60_000);
  return wanted.filter((n) => !delivered().has(n));
}

test('every event the socket answered ok before a kill -9 runs after the restart', async (t) => {
  const { dir, yaml, delivered } = setUp(t, 'socket: ./hookd.sock');
  const { hookd } = await startDaemon(t, dir, yaml);
  const socket = path.join(dir, 'hookd.sock');
  // Four clients at once, each with its share of the burst.
  const clients = [0, 1, 2, 3].map((client) =>
    talk(socket, Array.from({ length: COUNT / 4 }, (_, i) => job(client * (COUNT / 4) + i + 1))).catch(() => []),
  );
  await waitFor(() => delivered().size >= 10, 'some runs');
  await crash(hookd);
  const answers = (await Promise.all(clients)).flat();
  const acknowledged = answers.filter((answer) => answer.ok === true).map((answer) => String(answer.id));
  assert.ok(acknowledged.length >= 10, `some events were acknowledged (${acknowledged.length})`);
  assert.deepEqual(await missingAfterRestart(t, dir, yaml, acknowledged, delivered), []);
});

test('a followed file loses no line across a kill -9: what was read again is run again, nothing is skipped', async (t) => {
  const { dir, yaml, delivered } = setUp(t, 'file: ./events.jsonl');
  writeFileSync(path.join(dir, 'events.jsonl'), Array.from({ length: COUNT }, (_, i) => `${job(i + 1)}\n`).join(''));
  const { hookd } = await startDaemon(t, dir, yaml);
  await waitFor(() => delivered().size >= 10, 'some runs');
  await crash(hookd);
  assert.ok(delivered().size < COUNT, 'the kill came in the middle of the file');
  const all = Array.from({ length: COUNT }, (_, i) => String(i + 1));
  assert.deepEqual(await missingAfterRestart(t, dir, yaml, all, delivered), []);
});

test('an inbox file removed before a kill -9 has its event run after the restart; the others are taken then', async (t) => {
  const { dir, yaml, delivered } = setUp(t, 'inbox: ./inbox');
  const inbox = path.join(dir, 'inbox');
  const { hookd } = await startDaemon(t, dir, yaml);
  for (let n = 1; n <= COUNT; n++) writeFileSync(path.join(inbox, `${String(n).padStart(4, '0')}.json`), job(n));
  await waitFor(() => delivered().size >= 10, 'some runs');
  await crash(hookd);
  const left = existsSync(inbox) ? readdirSync(inbox).filter((name) => name.endsWith('.json')) : [];
  assert.ok(left.length < COUNT, 'some files were taken (and removed) before the kill');
  const all = Array.from({ length: COUNT }, (_, i) => String(i + 1));
  assert.deepEqual(await missingAfterRestart(t, dir, yaml, all, delivered), []);
  await waitFor(() => readdirSync(inbox).filter((name) => name.endsWith('.json')).length === 0, 'an empty inbox');
});
