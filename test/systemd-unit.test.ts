// The example systemd unit (hooks.example/hookd.service) and its /etc config:
// what the unit promises, checked statically, and `systemd-analyze verify`
// where the tool is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { EXIT } from '../src/exit-codes.ts';
import { parseDuration } from '../src/config/duration.ts';
import { loadConfig } from '../src/config/load.ts';
import { DEFAULTS } from '../src/config/types.ts';
import { BIN, ROOT, runHookd, tempDir } from './helpers.ts';

const UNIT = path.join(ROOT, 'hooks.example', 'hookd.service');
const SYSTEM_CONFIG = path.join(ROOT, 'hooks.example', 'hookd-system.yaml');

// Every directive of the [Service] section, in order, with repeats.
function serviceDirectives(): [string, string][] {
  const directives: [string, string][] = [];
  let section = '';
  for (const line of readFileSync(UNIT, 'utf8').split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1] as string;
    else if (section === 'Service' && /^[A-Za-z]+=/.test(line)) {
      const at = line.indexOf('=');
      directives.push([line.slice(0, at), line.slice(at + 1)]);
    }
  }
  return directives;
}

function values(name: string): string[] {
  return serviceDirectives().filter(([key]) => key === name).map(([, value]) => value);
}

test('the unit runs hookd as user hookd with its state and runtime directories, checked before start and reload', () => {
  assert.deepEqual(values('User'), ['hookd']);
  assert.deepEqual(values('StateDirectory'), ['hookd']);
  assert.deepEqual(values('RuntimeDirectory'), ['hookd']);
  assert.deepEqual(values('ExecStartPre'), ['hookd validate -c /etc/hookd/hookd.yaml']);
  assert.deepEqual(values('ExecStart'), ['hookd run -c /etc/hookd/hookd.yaml']);
  assert.deepEqual(values('ExecReload'), ['hookd validate -c /etc/hookd/hookd.yaml', 'kill -HUP $MAINPID']);
});

test('the unit waits for READY=1 from any of its processes (systemd-notify is a child of hookd)', () => {
  assert.deepEqual(values('Type'), ['notify']);
  assert.deepEqual(values('NotifyAccess'), ['all']);
});

test('the unit restarts on failure but not on an invalid config, and waits longer than the shutdown timeout', () => {
  assert.deepEqual(values('Restart'), ['on-failure']);
  assert.deepEqual(values('RestartPreventExitStatus'), [String(EXIT.CONFIG)]);
  assert.deepEqual(values('KillMode'), ['mixed']);
  const stopMs = parseDuration(values('TimeoutStopSec')[0] as string);
  assert.ok(stopMs !== undefined && stopMs > DEFAULTS.shutdownTimeoutMs + DEFAULTS.killAfterMs, `TimeoutStopSec ${stopMs} ms`);
});

test('the unit is hardened, and every directive has a comment above its group', () => {
  for (const [name, value] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes']]) {
    assert.deepEqual(values(name as string), [value], name);
  }
  assert.deepEqual(values('MemoryDenyWriteExecute'), [], 'Node.js cannot run with MemoryDenyWriteExecute=');
  assert.deepEqual(values('ReadWritePaths'), [], 'write access is for the operator to add');
  const lines = readFileSync(UNIT, 'utf8').split('\n');
  lines.forEach((line, index) => {
    if (!/^[A-Za-z]+=/.test(line)) return;
    let above = index - 1;
    while (above >= 0 && /^[A-Za-z]+=/.test(lines[above] as string)) above--;
    assert.match(lines[above] ?? '', /^#|^\[/, `no comment above line ${index + 1}: ${line}`);
  });
});

test('the unit passes systemd-analyze verify', (t) => {
  if (spawnSync('systemd-analyze', ['--version']).error !== undefined) {
    t.skip('systemd-analyze is not installed (Debian package systemd): the unit was not verified');
    return;
  }
  // verify wants every command to exist: point "hookd" at this checkout's bin.
  const unit = path.join(tempDir(t), 'hookd.service');
  writeFileSync(unit, readFileSync(UNIT, 'utf8').replace(/^(Exec\w+=)hookd /gm, `$1${BIN} `));
  const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(`${result.stdout}${result.stderr}`, '', 'systemd-analyze verify printed warnings');
});

test('the example /etc config is valid and listens on the socket in the unit\'s runtime directory', async () => {
  const result = await runHookd(['validate', '-c', SYSTEM_CONFIG]);
  assert.equal(result.code, 0, result.stderr);
  const config = await loadConfig({ path: SYSTEM_CONFIG });
  assert.deepEqual(config.sources, [{ kind: 'socket', path: '/run/hookd/hookd.sock', mode: 0o660 }]);
  assert.ok(config.shutdownTimeoutMs + DEFAULTS.killAfterMs < (parseDuration(values('TimeoutStopSec')[0] as string) ?? 0));
});

test('the systemd recipe of docs/operations.md copies files the package ships, to the paths the unit reads', () => {
  const operations = readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8');
  const recipe = /## Run it under systemd[\s\S]*?```sh\n([\s\S]*?)```/.exec(operations)?.[1] ?? '';
  const copied = [...recipe.matchAll(/\$EX\/([\w.-]+)/g)].map((match) => match[1] as string);
  assert.deepEqual([...new Set(copied)].sort(), ['hookd-system.yaml', 'hookd.service', 'hooks']);
  for (const name of copied) assert.ok(existsSync(path.join(ROOT, 'hooks.example', name)), name);
  assert.match(recipe, /\$EX\/hookd-system\.yaml \/etc\/hookd\/hookd\.yaml/);
  assert.match(recipe, /useradd --system .*hookd$/m);
  assert.match(recipe, /systemctl enable --now hookd/);
  assert.ok(values('ExecStart')[0]?.endsWith('-c /etc/hookd/hookd.yaml'));
});
