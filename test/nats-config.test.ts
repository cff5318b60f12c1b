// The nats: section, the nats source and publish: hooks in the config: every
// problem one line with file:line:key; and a reload that names a stream the
// server does not have is kept out, the running config staying.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';
import { natsAdmin, requireNatsServer, startNatsServer } from './nats-server.ts';

test('problems of the nats: section, a nats source and publish: hooks are listed with file, line and key', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'x.sh', 'exit 0');
  const config = writeConfig(
    dir,
    `nats:
  servers: nats://me:secret@10.0.0.5:4222
  user: me
sources:
  - nats: { stream: "A B", subjects: "a..b", ack_wait: soon, extra: 1 }
hooks:
  - name: both
    on: x
    run: ./x.sh
    publish: "ev.{{type}}"
  - name: wild
    on: x
    publish: "ev.>"
`,
  );
  const result = await runHookd(['validate', '-c', config]);
  assert.equal(result.code, 78);
  const lines = result.stderr.trim().split('\n').slice(1).map((line) => line.trim().replace(`${config}:`, ''));
  assert.deepEqual(lines, [
    '1: nats.password_file: missing: user: and password_file: go together',
    '2: nats.servers: a password in the URL would be logged; use user: and password_file:',
    '5: sources[0].nats.extra: unknown key',
    '5: sources[0].nats.consumer: missing: the JetStream consumer to pull from',
    '5: sources[0].nats.stream: expected a name without spaces, ".", "*", ">" or "/", got "A B" (string)',
    '5: sources[0].nats.subjects: expected a subject such as "events.paid" (tokens separated by "."), got "a..b" (string)',
    '5: sources[0].nats.ack_wait: expected a duration such as 30s, 250ms, 5m or a number of seconds, got "soon" (string)',
    '10: hooks[0].publish: a hook runs a script (run:) or publishes (publish:), not both',
    '13: hooks[1].publish: expected a subject such as "events.{{type}}" (no spaces or wildcards), got "ev.>" (string)',
  ]);
  assert.doesNotMatch(result.stderr, /secret/);
});

test('a nats source or a publish hook without the nats: section is a problem naming the key', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'sources:\n  - nats: { stream: S, consumer: c }\nhooks:\n  - name: out\n    on: "*"\n    publish: "ev.{{type}}"\n');
  const result = await runHookd(['validate', '-c', config]);
  assert.equal(result.code, 78);
  assert.match(result.stderr, /:2: sources\[0\]\.nats: a nats source needs the nats: section/);
  assert.match(result.stderr, /:6: hooks\[0\]\.publish: publish: needs the nats: section/);
});

test('a reload naming a stream the server does not have is kept out; the running config stays', async (t) => {
  if (!requireNatsServer(t)) return;
  const server = await startNatsServer(t);
  const admin = await natsAdmin(t, server);
  await admin.addStream('EVENTS', ['events.>']);
  const dir = tempDir(t);
  writeScript(dir, 'x.sh', 'exit 0');
  const text = (stream: string): string => `state: false
nats:
  servers: [${server.url}]
sources:
  - nats: { stream: ${stream}, consumer: workers, ack_wait: 5s }
  - socket: ${path.join(dir, 'hookd.sock')}
hooks:
  - name: x
    on: "*"
    run: ./x.sh
`;
  const config = writeConfig(dir, text('EVENTS'));
  const hookd = startHookd(t, ['-c', config, '--log-format', 'json']);
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd started') || hookd.child.exitCode !== null, 'hookd to start', 20_000);
  assert.equal(hookd.child.exitCode, null, hookd.stderr() + hookd.lines.join('\n'));
  writeFileSync(config, text('MISSING'));
  const refused = await waitFor(() => hookd.logs().find((entry) => String(entry.msg).startsWith('config reload failed')), 'the refused reload');
  assert.match(String(refused.error), /stream "MISSING" does not exist on the NATS server/);
  const status = await runHookd(['status', '-c', config, '--json']);
  const sources = (JSON.parse(status.stdout) as { sources: { key: string }[] }).sources.map((source) => source.key);
  assert.ok(sources.includes('nats:EVENTS/workers'), sources.join(', '));
});
