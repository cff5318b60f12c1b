// Reading a plugin option before init, as lightningd will pass it: from its
// command line and config files (real files here), and from the real parent
// process's /proc entries.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { lightningdOption, type LightningdView } from '../src/lightningd/options.ts';
import { ROOT, tempDir } from './helpers.ts';

// A lightning-dir with a regtest network folder and the given config files.
function lightningDir(dir: string, files: Record<string, string>): string {
  const networkDir = path.join(dir, 'regtest');
  mkdirSync(networkDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return networkDir;
}

function view(networkDir: string, args: string[], startDir?: string): LightningdView {
  return { argv: ['lightningd', ...args], networkDir, startDir };
}

test('the network config overrides the general one, and the command line both', (t) => {
  const dir = tempDir(t);
  const networkDir = lightningDir(dir, {
    config: '# general\nnetwork=regtest\nhookd-config=/etc/hookd/general.yaml\n',
    'regtest/config': 'alias=x\nhookd-config=/etc/hookd/regtest.yaml\n',
  });
  assert.deepEqual(lightningdOption(view(networkDir, []), 'hookd-config'), {
    value: '/etc/hookd/regtest.yaml',
    origin: `${path.join(networkDir, 'config')}:2`,
  });
  for (const args of [['--hookd-config=/cli.yaml'], ['--regtest', '--hookd-config', '/cli.yaml', '--log-level=debug']]) {
    assert.equal(lightningdOption(view(networkDir, args), 'hookd-config')?.value, '/cli.yaml', args.join(' '));
    assert.equal(lightningdOption(view(networkDir, args), 'hookd-config')?.origin, "lightningd's command line");
  }
  assert.equal(lightningdOption(view(networkDir, ['--', '--hookd-config=/after-dashes.yaml']), 'hookd-config')?.value, '/etc/hookd/regtest.yaml');
});

test('include lines are followed relative to the including file, in place', (t) => {
  const dir = tempDir(t);
  const networkDir = lightningDir(dir, {
    config: 'hookd-config=/first.yaml\ninclude conf.d/plugins\n',
    'conf.d/plugins': 'plugin=/usr/bin/hookd\r\nhookd-config=/included.yaml\r\n',
  });
  const found = lightningdOption(view(networkDir, []), 'hookd-config');
  assert.equal(found?.value, '/included.yaml');
  assert.equal(found?.origin, `${path.join(dir, 'conf.d', 'plugins')}:2`);
});

test('with --conf only that file is read (a relative one from where lightningd started)', (t) => {
  const dir = tempDir(t);
  const networkDir = lightningDir(dir, {
    config: 'hookd-config=/ignored.yaml\n',
    'etc/lightningd.conf': 'hookd-config=/from-conf.yaml\n',
  });
  assert.equal(lightningdOption(view(networkDir, [`--conf=${path.join(dir, 'etc', 'lightningd.conf')}`]), 'hookd-config')?.value, '/from-conf.yaml');
  assert.equal(lightningdOption(view(networkDir, ['--conf', 'lightningd.conf'], path.join(dir, 'etc')), 'hookd-config')?.value, '/from-conf.yaml');
  assert.equal(lightningdOption(view(networkDir, ['--conf=missing.conf'], dir), 'hookd-config'), undefined);
});

test('no value anywhere gives undefined; unreadable files are passed over', (t) => {
  const dir = tempDir(t);
  const networkDir = lightningDir(dir, { config: 'alias=node\n' });
  assert.equal(lightningdOption(view(networkDir, ['--alias', 'x']), 'hookd-config'), undefined);
  assert.equal(lightningdOption(view(path.join(dir, 'nowhere', 'regtest'), []), 'hookd-config'), undefined);
});

test("the parent process's command line and PWD are read from /proc", (t) => {
  const dir = tempDir(t);
  const code = `import { parentLightningd } from ${JSON.stringify(path.join(ROOT, 'src', 'lightningd', 'options.ts'))};
process.stdout.write(JSON.stringify(parentLightningd(process.cwd())));`;
  // sh stays the parent (`; exit` keeps it from exec'ing node), with the option among its arguments.
  const child = spawnSync('sh', ['-c', '"$0" --import "$1" --input-type=module -e "$2"; exit $?', process.execPath, import.meta.resolve('tsx'), code, '--hookd-config=/etc/hookd/cln.yaml'], {
    cwd: dir,
    env: { ...process.env, PWD: dir },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const seen = JSON.parse(child.stdout) as LightningdView;
  assert.equal(seen.argv.at(-1), '--hookd-config=/etc/hookd/cln.yaml');
  assert.equal(seen.startDir, dir);
  assert.equal(lightningdOption(seen, 'hookd-config')?.value, '/etc/hookd/cln.yaml');
});
