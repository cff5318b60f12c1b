// What `npm pack` ships, and that the tarball installs globally with a
// working `hookd` and no dev dependency. The slowest test of the suite: it
// packs and installs from the npm registry (or npm's cache), a few seconds.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { cleanEnv, ROOT, tempDir } from './helpers.ts';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string> };

test('the package name is ours (hookd on the npm registry is an unrelated program); the command stays hookd', () => {
  assert.equal(pkg.name, 'hookd-events');
  assert.deepEqual((pkg as unknown as { bin: Record<string, string> }).bin, { hookd: 'bin/hookd' });
});

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  // npm_config_* from an enclosing `npm test` would change what these npm runs do.
  const env = Object.fromEntries(Object.entries(cleanEnv()).filter(([name]) => !name.toLowerCase().startsWith('npm_')));
  const result = spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  assert.equal(result.status, 0, `npm ${args.join(' ')}\n${result.stdout}\n${result.stderr}`);
  return result;
}

test('npm pack ships the built CLI, the docs, the examples and the unit, and no sources or tests; the tarball installs globally and runs', async (t) => {
  const dir = tempDir(t);
  // The suite built dist/ already: packing without scripts leaves it alone
  // while other test files use it.
  const packed = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT).stdout) as [{ filename: string; files: { path: string }[] }];
  const files = packed[0].files.map((file) => file.path).sort();
  for (const needed of ['bin/hookd', 'bin/hookd.js', 'dist/cli/main.js', 'dist/cli/emit.cjs', 'dist/daemon/daemon.js', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'docs/config.md', 'docs/operations.md', 'hooks.example/hookd.yaml', 'hooks.example/events.jsonl', 'hooks.example/hookd.service', 'hooks.example/hookd-system.yaml']) {
    assert.ok(files.includes(needed), `${needed} is not in the package`);
  }
  const unwanted = files.filter((file) => /^(src|test|node_modules|\.ci)\//.test(file) || /\.ts$/.test(file) || file === 'tsconfig.json');
  assert.deepEqual(unwanted, []);

  const prefix = path.join(dir, 'prefix');
  npm(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', path.join(dir, packed[0].filename)], dir);
  const installed = path.join(prefix, 'lib', 'node_modules', 'hookd-events');
  for (const dev of Object.keys(pkg.devDependencies)) {
    assert.ok(!existsSync(path.join(installed, 'node_modules', dev)), `dev dependency ${dev} was installed`);
  }
  const hookd = (args: string[]): SpawnSyncReturns<string> => spawnSync(path.join(prefix, 'bin', 'hookd'), args, { cwd: dir, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });

  // lightningd names a plugin after the file the command resolves to: `hookd`,
  // so that `lightning-cli plugin stop hookd` finds it.
  assert.equal(path.basename(realpathSync(path.join(prefix, 'bin', 'hookd'))), 'hookd');

  const version = hookd(['--version']);
  assert.equal(version.status, 0, version.stderr);
  assert.equal(version.stdout, `hookd ${pkg.version}\n`);

  const example = path.join(installed, 'hooks.example');
  const dryRun = hookd(['test', '--dry-run', '-c', path.join(example, 'hookd.yaml'), path.join(example, 'events.jsonl')]);
  assert.equal(dryRun.status, 0, dryRun.stderr);
  assert.match(dryRun.stdout, /^event 1: type=block id=block-812345\n  hook log-all\n/);
  assert.match(dryRun.stdout, new RegExp(`argv: +${path.join(example, 'hooks', 'paid.sh')} shop-order-17 250000`));

  const validate = hookd(['validate', '-c', path.join(example, 'hookd-system.yaml')]);
  assert.equal(validate.status, 0, validate.stderr);

  // emit runs its bundle, found through the command's real path (npm's link).
  mkdirSync(path.join(dir, 'inbox'));
  const emit = hookd(['emit', '--socket', path.join(dir, 'none.sock'), '--spool', path.join(dir, 'inbox'), 'block', 'hash=00ab']);
  assert.equal(emit.status, 0, emit.stderr);
  assert.match(emit.stderr, /queued/);
  assert.equal(readdirSync(path.join(dir, 'inbox')).filter((name) => name.endsWith('.json')).length, 1);
});
