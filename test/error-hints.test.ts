// Errors that say what to do: a YAML slip in plain words with file, line and
// column; a script that lost its x bit; a socket or config the user may not
// open (as another user: needs root to switch to `nobody`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { startDaemon, talk } from './daemon-helpers.ts';
import { BIN, cleanEnv, runHookd, tempDir, waitFor, writeConfig, writeFile, writeScript } from './helpers.ts';

const NOBODY = 65534;

// Runs the built bin as user nobody; undefined (skipped) when we cannot switch users.
function asNobody(t: TestContext, args: string[]): { status: number | null; stderr: string } | undefined {
  if (process.getuid?.() !== 0) {
    t.skip('needs root, to run hookd as another user');
    return undefined;
  }
  const run = spawnSync(process.execPath, [BIN, ...args], { uid: NOBODY, gid: NOBODY, cwd: '/', env: cleanEnv({ HOME: '/' }), encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stderr: run.stderr };
}

test('a YAML syntax error names the file, line and column and says what is wrong in plain words', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'hooks:\n\t- name: a\n    run: /bin/true\n');
  const result = await runHookd(['validate', '-c', config]);
  assert.equal(result.code, 78);
  assert.equal(result.stderr, `hookd: ${config}:2:1: YAML syntax error: a tab indents a line: YAML indents with spaces only (Tabs are not allowed as indentation)\n`);
});

test('a script that stopped being executable after the config was loaded fails saying chmod +x', async (t) => {
  const dir = tempDir(t);
  const script = writeScript(dir, 'hook.sh', 'exit 0');
  const { hookd } = await startDaemon(t, dir, `sources:\n  - socket: ./hookd.sock\nhooks:\n  - name: h\n    on: x\n    run: ${script}\n`);
  chmodSync(script, 0o644);
  await talk(path.join(dir, 'hookd.sock'), [JSON.stringify({ type: 'x' })]);
  const failed = await waitFor(() => hookd.logs().find((entry) => JSON.stringify(entry).includes('chmod +x')), 'a failure naming chmod +x');
  assert.match(JSON.stringify(failed), new RegExp(`EACCES: cannot start ${script}: not executable \\(chmod \\+x ${script}\\)`));
});

test("emit refused by the socket's permissions names the group to join", async (t) => {
  const dir = tempDir(t);
  await startDaemon(t, dir, 'sources:\n  - socket: ./hookd.sock\n    mode: "0660"\nhooks: []\n');
  chmodSync(dir, 0o711); // nobody may reach the socket, whose mode then refuses it
  const emit = asNobody(t, ['emit', '--socket', path.join(dir, 'hookd.sock'), 'block']);
  if (emit === undefined) return;
  assert.equal(emit.status, 69);
  assert.match(emit.stderr, /^hookd: cannot reach hookd: permission denied on \S+hookd\.sock: join group root \(sudo usermod -aG root USER, then log in again; restart a service, such as bitcoind, that runs as USER\)\n$/);
});

test('a config the user may not read says permission denied, not "no config file"', (t) => {
  const dir = tempDir(t);
  const config = writeFile(dir, 'hookd.yaml', 'hooks: []\n', 0o600);
  chmodSync(dir, 0o711);
  assert.ok(existsSync(config));
  const validate = asNobody(t, ['validate', '-c', config]);
  if (validate === undefined) return;
  assert.equal(validate.status, 78);
  assert.match(validate.stderr, new RegExp(`^hookd: ${config}: permission denied: the user hookd runs as \\(uid ${NOBODY}\\) cannot read the config or a folder above it\\n$`));
});
