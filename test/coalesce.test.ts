// `coalesce:` with the real binary: events of one key within the window make
// one run with the last event and HOOKD_COALESCED; no key is one group; a
// later event opens a new window; concurrency still bounds the runs; and the
// merge is durable: a kill -9 during the window or the merged run runs it after the restart,
// once, and a settled merge never runs again.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import pino from 'pino';
import type { HookSpec } from '../src/config/types.ts';
import { Coalescer } from '../src/dispatch/coalescer.ts';
import type { Delivery } from '../src/dispatch/delivery.ts';
import { makeEvent } from '../src/event.ts';
import { DiskDeadLetters } from '../src/store/disk-dead-letters.ts';
import { NO_JOURNAL } from '../src/store/queue.ts';
import { compileTemplate } from '../src/template.ts';
import { assertRefused, configWithHook } from './config-problems.ts';
import { exitWithin, runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

// The hook appends one line per run: "COALESCED PEER N STDIN".
function setup(t: TestContext, hook: string): { dir: string; config: (within: string) => string; runs: () => string[] } {
  const dir = tempDir(t);
  writeScript(dir, 'hook.sh', `echo "$HOOKD_COALESCED \${EVENT_PEER:-} $EVENT_N $(cat)" >> "${dir}/runs.txt"`);
  const config = (within: string): string => writeConfig(dir, `state: ./state
event: { id: n }
hooks:
${hook.replaceAll('WITHIN', within)}
`);
  const runs = (): string[] => {
    const file = path.join(dir, 'runs.txt');
    return existsSync(file) ? readFileSync(file, 'utf8').replace(/\n$/, '').split('\n').sort() : [];
  };
  return { dir, config, runs };
}

const event = (n: number, peer: string): string => `{"type":"chan","n":${n},"peer":"${peer}"}`;
const PER_PEER = '  - { name: latest, on: chan, run: ./hook.sh, coalesce: { key: "{{peer}}", within: WITHIN } }';

describe('Coalescer', () => {
  const spec = { name: 'h', coalesce: { key: compileTemplate('{{peer}}'), withinMs: 60_000 } } as unknown as HookSpec;
  const delivery = (seq: number, peer: string): Delivery => {
    const fields = { type: 'chan', peer };
    return { seq, journal: NO_JOURNAL, spec, attempts: 0, history: [], event: makeEvent({ type: 'chan', fields, raw: JSON.stringify(fields), source: 'test' }) };
  };

  test('past its limit the oldest window closes early with its last event and the others\' sequence numbers', (t) => {
    const released: Delivery[] = [];
    const coalescer = new Coalescer((merged) => released.push(merged), pino({ enabled: false }), 3);
    t.after(() => coalescer.stop());
    coalescer.add(delivery(1, 'a'));
    coalescer.add(delivery(2, 'b'));
    coalescer.add(delivery(3, 'a'));
    assert.deepEqual(released.map((merged) => [merged.seq, merged.merged]), [[3, [1]]]);
    assert.equal(coalescer.size, 1);
    coalescer.stop();
    assert.equal(coalescer.size, 0);
  });
});

describe('coalesce', { concurrency: true }, () => {
  test('events with the same key within the window run once, with the last event and HOOKD_COALESCED', async (t) => {
    const { config, runs } = setup(t, PER_PEER);
    const input = [event(1, 'a'), event(2, 'b'), event(3, 'a'), event(4, 'a'), event(5, 'b')].join('\n') + '\n';
    const result = await runHookd(['-c', config('2s')], { input });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(runs(), [`2 b 5 ${event(5, 'b')}`, `3 a 4 ${event(4, 'a')}`]);
    const ended = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'hook ok');
    assert.deepEqual(ended.map((entry) => [entry.id, entry.coalesced]).sort(), [['4', 3], ['5', 2]]);
  });

  test('without a key every event of the window is one group; a hook without coalesce runs for each', async (t) => {
    const { config, runs } = setup(t, `  - { name: latest, on: chan, run: ./hook.sh, coalesce: { within: WITHIN } }
  - { name: each, on: chan, run: ./hook.sh }`);
    const input = [event(1, 'a'), event(2, 'b'), event(3, 'c')].join('\n') + '\n';
    const result = await runHookd(['-c', config('1s')], { input });
    assert.equal(result.code, 0, result.stderr);
    // `each` does not coalesce: no HOOKD_COALESCED, one run per event.
    assert.deepEqual(runs(), [` a 1 ${event(1, 'a')}`, ` b 2 ${event(2, 'b')}`, ` c 3 ${event(3, 'c')}`, `3 c 3 ${event(3, 'c')}`]);
  });

  test('an event after the window has closed opens a new one', async (t) => {
    const { config, runs } = setup(t, PER_PEER);
    const hookd = startHookd(t, ['-c', config('300ms')]);
    hookd.child.stdin!.write(`${event(1, 'a')}\n${event(2, 'a')}\n`);
    await waitFor(() => runs().length === 1, 'the first merged run', 60_000);
    hookd.child.stdin!.end(`${event(3, 'a')}\n`);
    assert.equal((await exitWithin(hookd)).code, 0, hookd.stderr());
    assert.deepEqual(runs(), [`1 a 3 ${event(3, 'a')}`, `2 a 2 ${event(2, 'a')}`]);
  });

  test('the hook\'s concurrency still bounds merged runs of different keys', async (t) => {
    const dir = tempDir(t);
    // mkdir is atomic: a second run at the same time finds the lock taken.
    writeScript(dir, 'hook.sh', `mkdir "${dir}/lock" || echo overlap >> "${dir}/overlaps"
echo "$HOOKD_COALESCED" >> "${dir}/runs.txt"
sleep 0.3
rmdir "${dir}/lock"`);
    const config = writeConfig(dir, `state: ./state
hooks:
  - { name: one, on: chan, run: ./hook.sh, concurrency: 1, coalesce: { key: "{{peer}}", within: 200ms } }
`);
    const input = [event(1, 'a'), event(2, 'b'), event(3, 'c'), event(4, 'a')].join('\n') + '\n';
    const result = await runHookd(['-c', config], { input });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(readFileSync(path.join(dir, 'runs.txt'), 'utf8').trim().split('\n').sort(), ['1', '1', '2']);
    assert.equal(existsSync(path.join(dir, 'overlaps')), false, 'two runs of a concurrency-1 hook overlapped');
  });

  test('a kill -9 during the window: the merge runs once after the restart, and never again', async (t) => {
    const { config, runs } = setup(t, PER_PEER);
    const first = startHookd(t, ['-c', config('10m'), '--log-level', 'debug']);
    first.child.stdin!.write([event(1, 'a'), event(2, 'a'), event(3, 'a')].join('\n') + '\n');
    await waitFor(() => first.logs().some((entry) => entry.msg === 'coalescing' && entry.merged === 3), 'three events in the window', 60_000);
    first.child.kill('SIGKILL');
    await exitWithin(first);
    assert.deepEqual(runs(), [], 'the window had not closed');

    const second = await runHookd(['-c', config('100ms')]);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(runs(), [`3 a 3 ${event(3, 'a')}`]);

    const third = await runHookd(['-c', config('100ms')]);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(runs(), [`3 a 3 ${event(3, 'a')}`], 'a settled merge ran again');
  });

  test('a kill -9 during the merged run: the merged events were not acknowledged, and the merge runs again after the restart', async (t) => {
    const dir = tempDir(t);
    const armed = path.join(dir, 'armed');
    writeScript(dir, 'hook.sh', `if [ -e "${armed}" ]; then echo $$ > "${dir}/pid"; exec sleep 60; fi
echo "$HOOKD_COALESCED $HOOKD_ATTEMPT $EVENT_N" >> "${dir}/runs.txt"`);
    writeFileSync(armed, '');
    const config = writeConfig(dir, `state: ./state
hooks:
  - { name: latest, on: chan, run: ./hook.sh, coalesce: { within: 100ms } }
`);
    const first = startHookd(t, ['-c', config]);
    first.child.stdin!.write([event(1, 'a'), event(2, 'a'), event(3, 'a')].join('\n') + '\n');
    const pidFile = path.join(dir, 'pid');
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 'the merged run started', 60_000);
    first.child.kill('SIGKILL');
    await exitWithin(first);
    unlinkSync(armed);
    try {
      process.kill(-Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
    const second = await runHookd(['-c', config]);
    assert.equal(second.code, 0, second.stderr);
    // All three events again, merged, as the second attempt of the merged run.
    assert.deepEqual(readFileSync(path.join(dir, 'runs.txt'), 'utf8').trim().split('\n'), ['3 2 3']);
  });

  test('a merged run that fails for good is one dead letter of the last event, and it is settled with the others', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'hook.sh', `echo run >> "${dir}/runs.txt"\nexit 4`);
    const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: latest, on: chan, run: ./hook.sh, coalesce: { within: 200ms } }
`);
    const first = await runHookd(['-c', config], { input: [event(1, 'a'), event(2, 'a'), event(3, 'a')].join('\n') + '\n' });
    assert.equal(first.code, 0, first.stderr);
    const letters = [...new DiskDeadLetters(path.join(dir, 'state', 'dead')).list()];
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.event.id, '3');
    assert.equal(letters[0]!.reason, 'exit 4; the last of 3 coalesced events');
    const again = await runHookd(['-c', config]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(readFileSync(path.join(dir, 'runs.txt'), 'utf8').trim().split('\n'), ['run']);
  });

  test('hookd validate checks coalesce with file, line and key', async (t) => {
    const config = configWithHook(t, `hooks:
  - name: a
    on: chan
    run: ./hook.sh
    coalesce: { key: "{{peer", within: 1s }
  - name: b
    on: chan
    run: ./hook.sh
    coalesce: { within: soon, by: peer }
  - name: c
    on: chan
    run: ./hook.sh
    coalesce: 10s
  - name: d
    on: chan
    run: ./hook.sh
    coalesce: { key: "{{peer}}" }
  - name: e
    on: invoice_payment
    run: ./hook.sh
    decide: true
    coalesce: { within: 1s }
`);
    await assertRefused(config, [
      `${config}:5: hooks[0].coalesce.key: unbalanced "{{" or "}}" in "{{peer"; write a field as {{path.to.field}}`,
      `${config}:9: hooks[1].coalesce.by: unknown key (did you mean "key"?)`,
      `${config}:9: hooks[1].coalesce.within: expected a duration such as 30s, 250ms, 5m or a number of seconds, got "soon" (string)`,
      `${config}:13: hooks[2].coalesce: expected a mapping, got "10s" (string)`,
      `${config}:17: hooks[3].coalesce.within: missing: how long to gather events, e.g. within: 10s`,
      `${config}:22: hooks[4].coalesce: a decision hook answers every event itself; it cannot coalesce`,
    ]);
  });
});
