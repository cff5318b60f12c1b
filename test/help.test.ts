// `hookd --help` and the man-style help of run, test and validate; and the
// start-up path of the bare CLI staying free of heavy modules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, runHookd } from './helpers.ts';

const MAN_SECTIONS = ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'EXIT STATUS', 'EXAMPLES'];

function sections(text: string): string[] {
  return text.split('\n').filter((line) => /^[A-Z][A-Z ]+$/.test(line));
}

test('hookd --help is a short manual page: every command, the config search, exit codes and examples', async () => {
  const result = await runHookd(['--help']);
  assert.equal(result.code, 0);
  assert.deepEqual(sections(result.stdout), ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'CONFIG', 'EXIT STATUS', 'EXAMPLES']);
  for (const command of ['run', 'test', 'validate', 'emit', 'status', 'dead', 'cln-plugin']) assert.match(result.stdout, new RegExp(`^  ${command} `, 'm'));
  for (const line of result.stdout.split('\n')) assert.ok(line.length <= 80, `longer than 80 columns: ${line}`);
});

for (const command of ['run', 'test', 'validate', 'emit', 'status', 'dead', 'cln-plugin']) {
  test(`hookd ${command} --help has NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS and EXAMPLES, and hookd help ${command} says the same`, async () => {
    const result = await runHookd([command, '--help']);
    assert.equal(result.code, 0);
    const shown = sections(result.stdout);
    assert.deepEqual(shown.filter((name) => MAN_SECTIONS.includes(name)), MAN_SECTIONS);
    assert.match(result.stdout, new RegExp(`^NAME\\n  hookd ${command} - `));
    for (const line of result.stdout.split('\n')) assert.ok(line.length <= 80, `longer than 80 columns: ${line}`);
    assert.equal((await runHookd(['help', command])).stdout, result.stdout);
  });
}

test('the first example of hookd test --help works as written from a checkout', async () => {
  const help = (await runHookd(['test', '--help'])).stdout;
  const example = /^EXAMPLES\n {2}hookd (.+)$/m.exec(help)?.[1];
  assert.equal(example, 'test --dry-run -c hooks.example/hookd.yaml hooks.example/events.jsonl');
  const result = await runHookd(example.split(' '));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /hook paid/);
});

// The modules `hookd --version` (and every command) loads before choosing a
// command: only what dist/cli/main.js imports statically.
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^import\s[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
    const specifier = (match[1] ?? match[2]) as string;
    if (specifier.startsWith('.')) staticImports(path.resolve(path.dirname(file), specifier), seen);
    else seen.add(specifier);
  }
  return seen;
}

test('the CLI entry loads no third-party module before it knows the command, so hookd --version starts as fast as Node', () => {
  const loaded = [...staticImports(path.join(ROOT, 'dist', 'cli', 'main.js'))];
  const packages = loaded.filter((name) => !name.startsWith('/') && !name.startsWith('node:'));
  assert.deepEqual(packages, []);
  assert.ok(loaded.length < 8, `main.js loads ${loaded.length} modules: ${loaded.join(', ')}`);
});
