// Events that no hook's `on` matches when they arrive, end to end with the
// built bin: acknowledged, counted (status, /metrics), never stored; a reload
// changes what is kept at once.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startDaemon, stopHookd, talk, waitForLines, waitForLog } from './daemon-helpers.ts';
import { runHookd, tempDir, waitFor, writeScript, type HookdProcess } from './helpers.ts';
import { httpRequest } from './http-client.ts';
import { parseScrape, sampleValue } from './prometheus-text.ts';

// `hookd status --json` of the daemon behind `config`.
async function statusOf(config: string): Promise<Record<string, any>> {
  const result = await runHookd(['status', '-c', config, '--json']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, any>;
}

// hookd_events_received_total{source} of the /metrics address hookd logged.
async function received(hookd: HookdProcess, source: string): Promise<number | undefined> {
  const entry = await waitForLog(hookd, 'serving metrics');
  const port = Number(/:(\d+)$/.exec(String(entry.listen))?.[1]);
  const answer = await httpRequest({ host: '127.0.0.1', port }, 'GET', '/metrics');
  return sampleValue(parseScrape(answer.text), 'hookd_events_received_total', { source });
}

test('an event that no hook matches on arrival is acknowledged and counted in status and metrics, and never written to the durable queue', async (t) => {
  const dir = tempDir(t);
  const gate = path.join(dir, 'go');
  // Holds its run until `gate` exists: its event stays in the queue files meanwhile.
  writeScript(dir, 'hold.sh', `touch '${dir}/started'\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done`);
  const { hookd, config } = await startDaemon(t, dir, `state: ./state
metrics: 127.0.0.1:0
sources: [{socket: ./hookd.sock}]
hooks:
  - {name: hold, on: slow, run: ./hold.sh}
`);
  const socket = path.join(dir, 'hookd.sock');
  assert.deepEqual((await talk(socket, [JSON.stringify({ type: 'slow', mark: 'kept-event-1' })])).map((answer) => answer.ok), [true]);
  await waitFor(() => existsSync(path.join(dir, 'started')), 'the slow run to start');

  const unmatched = [1, 2].map((n) => JSON.stringify({ type: 'tick', n, mark: 'dropped-event-2' }));
  const answers = await talk(socket, unmatched);
  assert.deepEqual(answers.map((answer) => answer.ok), [true, true]);
  assert.ok(answers.every((answer) => typeof answer.id === 'string'), 'acknowledged with an id, as any event');

  const status = await statusOf(config);
  assert.equal(status.queue.unmatched, 2);
  assert.equal(status.sources.find((source: Record<string, unknown>) => source.kind === 'socket').accepted, 3);
  assert.equal(await received(hookd, 'socket'), 3, 'every event counts as received');
  const human = await runHookd(['status', '-c', config]);
  assert.match(human.stdout, /^queue +0 events waiting, 1 delivery in progress, 1 hook running, 2 events matched no hook$/m);

  const queueDir = path.join(dir, 'state', 'queue');
  const stored = readdirSync(queueDir).map((name) => readFileSync(path.join(queueDir, name), 'utf8')).join('');
  assert.ok(stored.includes('kept-event-1'), 'the queue files hold the matched event');
  assert.ok(!stored.includes('dropped-event-2'), 'and nothing of the unmatched ones');
  writeFileSync(gate, '');
  assert.equal(await stopHookd(hookd), 0);
});

test('a reload that adds a hook for a type runs the next events of that type at once; one that removes it drops them again', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'say.sh', `echo "$HOOKD_TYPE $EVENT_N" >> '${out}'`);
  const yaml = (on: string): string => `state: false\nsources: [{socket: ./hookd.sock}]\nhooks:\n  - {name: say, on: "${on}", run: ./say.sh}\n`;
  const { hookd, config } = await startDaemon(t, dir, yaml('mark'));
  const socket = path.join(dir, 'hookd.sock');
  const send = async (type: string, n: number): Promise<void> => {
    assert.deepEqual((await talk(socket, [JSON.stringify({ type, n })])).map((answer) => answer.ok), [true]);
  };
  // Saved by rename, as many editors do; waits for the n-th reload.
  const reload = async (on: string, n: number): Promise<void> => {
    writeFileSync(`${config}.swp`, yaml(on));
    renameSync(`${config}.swp`, config);
    await waitFor(() => hookd.logs().filter((entry) => entry.msg === 'config reloaded').length === n, `reload ${n}`);
  };

  await send('tick', 1);
  await reload('{mark,tick}', 1);
  await send('tick', 2);
  assert.deepEqual(await waitForLines(out, 1), ['tick 2']);
  await reload('mark', 2);
  await send('tick', 3);
  await send('mark', 4);
  assert.deepEqual(await waitForLines(out, 2), ['tick 2', 'mark 4']);
  assert.equal((await statusOf(config)).queue.unmatched, 2, 'ticks 1 and 3');
  assert.equal(await stopHookd(hookd), 0);
});
