// A wide event (120,000 keys, 1 MB) still runs its hook: the environment
// stays under the kernel's limits (ARG_MAX in all, MAX_ARG_STRLEN per
// string), HOOKD_OMITTED is capped, and the whole event is on stdin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

const KEYS = 120_000;

function wideEvent(): string {
  const fields: Record<string, unknown> = { type: 'wide' };
  for (let i = 0; i < KEYS; i++) fields[i.toString(36)] = i % 10;
  return JSON.stringify(fields);
}

test('an event with 120,000 keys runs its hook, with a capped HOOKD_OMITTED and the whole event on stdin', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out');
  writeScript(dir, 'wide.sh', `printf '%s' "$HOOKD_OMITTED" > '${out}.omitted'\nwc -c > '${out}.stdin'\necho ran > '${out}'`);
  const config = writeConfig(dir, `state: false\nmax_event_bytes: 2MiB\nhooks:\n  - name: wide\n    on: wide\n    run: ./wide.sh\n    retries: 0\n`);
  const event = wideEvent();
  const result = await runHookd(['-c', config, '--log-format', 'json'], { cwd: dir, input: `${event}\n`, timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /E2BIG/);
  assert.equal(readFileSync(out, 'utf8'), 'ran\n', `the hook did not run: ${result.stdout.slice(0, 500)}`);
  // The event and its newline, exactly.
  assert.equal(Number(readFileSync(`${out}.stdin`, 'utf8').trim()), Buffer.byteLength(event) + 1);
  const omitted = readFileSync(`${out}.omitted`, 'utf8');
  assert.ok(omitted.length > 0, 'some fields must have been left out');
  assert.ok(Buffer.byteLength(omitted) < 8 * 1024, `HOOKD_OMITTED is ${Buffer.byteLength(omitted)} bytes`);
  assert.match(omitted, /…and \d+ more$/);
});
