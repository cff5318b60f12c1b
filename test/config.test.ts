// The config: where it is found (-c, HOOKD_CONFIG, cosmiconfig's search),
// how it resolves (paths against its folder, defaults), and every problem as
// one line `file:LINE: key.path: message`, all reported at once.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { HookdError } from '../src/errors.ts';
import { runHookd, tempDir, writeConfig, writeFile, writeScript } from './helpers.ts';

// The HookdError a config is refused with.
async function refusal(file: string): Promise<HookdError> {
  try {
    await loadConfig({ path: file });
  } catch (error) {
    if (error instanceof HookdError) return error;
    throw error;
  }
  assert.fail(`${file} was accepted`);
}

const HOOK = 'hooks: [{name: h, on: t, run: "true"}]\n';

// A home folder (HOME and XDG_CONFIG_HOME inside it) with a project two
// levels down, so that the search never leaves the temp folder.
function searchWorld(t: TestContext): { home: string; project: string; middle: string; sub: string; env: Record<string, string> } {
  const home = tempDir(t, 'hookd-home-');
  const project = path.join(home, 'project');
  const middle = path.join(project, 'middle');
  const sub = path.join(middle, 'sub');
  mkdirSync(sub, { recursive: true });
  return { home, project, middle, sub, env: { HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg') } };
}

async function validateIn(cwd: string, env: Record<string, string>, args: string[] = []) {
  return runHookd(['validate', ...args], { cwd, env });
}

describe('finding the config', { concurrency: true }, () => {
  test('hookd.config.yaml in the working folder is found', async (t) => {
    const world = searchWorld(t);
    const file = writeConfig(world.sub, HOOK, 'hookd.config.yaml');
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stdout, `${file}: OK (1 hook; sources: stdin)\n`);
    assert.equal(result.code, 0);
  });

  test('a .hookdrc (YAML) in a folder above the working folder is found', async (t) => {
    const world = searchWorld(t);
    const file = writeConfig(world.project, HOOK, '.hookdrc');
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stdout, `${file}: OK (1 hook; sources: stdin)\n`);
  });

  test('hookd.config.json is found and read as JSON', async (t) => {
    const world = searchWorld(t);
    const file = writeConfig(world.sub, JSON.stringify({ hooks: [{ name: 'h', on: 't', run: 'true' }] }), 'hookd.config.json');
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stdout, `${file}: OK (1 hook; sources: stdin)\n`);
  });

  test('the "hookd" key of package.json is found, and its problems name their line', async (t) => {
    const world = searchWorld(t);
    const file = writeFile(world.project, 'package.json', `{
  "name": "shop",
  "hookd": {
    "hooks": [
      { "name": "h", "on": "t", "run": "true", "timeout": "soon" }
    ]
  }
}
`);
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stderr, `hookd: ${file}:5: hooks[0].timeout: expected a duration such as 30s, 250ms, 5m or a number of seconds, got "soon" (string)\n`);
    assert.equal(result.code, 78);
  });

  test('a package.json without a "hookd" key is passed over', async (t) => {
    const world = searchWorld(t);
    // Neither a world-writable one nor a broken one stops the search: they are not configs.
    writeFile(world.sub, 'package.json', '{"name": "other"}\n', 0o666);
    writeFile(world.middle, 'package.json', '{"name": \n');
    const file = writeConfig(world.project, HOOK, 'hookd.config.yml');
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stdout, `${file}: OK (1 hook; sources: stdin)\n`);
  });

  test('$import, which would merge other files in unchecked, is refused with its line', async (t) => {
    const world = searchWorld(t);
    writeConfig(world.sub, HOOK, 'base.yaml');
    const file = writeConfig(world.sub, `sources: [stdin]\n$import: ./base.yaml\n`, 'hookd.config.yaml');
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stderr, `hookd: ${file}:2: $import: not supported; keep the whole config in one file\n`);
    assert.equal(result.code, 78);
  });

  test('the nearest config wins over one further up', async (t) => {
    const world = searchWorld(t);
    writeConfig(world.project, HOOK, 'hookd.config.yaml');
    const near = writeConfig(world.sub, HOOK, '.hookdrc.yaml');
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stdout, `${near}: OK (1 hook; sources: stdin)\n`);
  });

  test('the user config folder is the last place searched', async (t) => {
    const world = searchWorld(t);
    const file = writeConfig(path.join(world.env.XDG_CONFIG_HOME!, 'hookd'), HOOK, 'config.yaml');
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stdout, `${file}: OK (1 hook; sources: stdin)\n`);
  });

  test('HOOKD_CONFIG replaces the search, and -c wins over both', async (t) => {
    const world = searchWorld(t);
    writeConfig(world.sub, HOOK, 'hookd.config.yaml');
    const fromEnv = writeConfig(world.home, HOOK, 'env.yaml');
    const fromFlag = writeConfig(world.home, HOOK, 'flag.yaml');
    const env = { ...world.env, HOOKD_CONFIG: fromEnv };
    assert.equal((await validateIn(world.sub, env)).stdout, `${fromEnv}: OK (1 hook; sources: stdin)\n`);
    assert.equal((await validateIn(world.sub, env, ['-c', fromFlag])).stdout, `${fromFlag}: OK (1 hook; sources: stdin)\n`);
    assert.equal((await validateIn(world.sub, env, ['--config', '../../../flag.yaml'])).stdout, `${fromFlag}: OK (1 hook; sources: stdin)\n`);
  });

  test('without any config hookd says where it looked and exits 78', async (t) => {
    const world = searchWorld(t);
    const result = await validateIn(world.sub, world.env);
    assert.equal(result.stderr, `hookd: no config found: looked for hookd.config.yaml (and .hookdrc*, package.json#hookd) from ${world.sub} upward; pass -c PATH\n`);
    assert.equal(result.code, 78);
  });

  test('-c naming a missing file exits 78 with one line', async (t) => {
    const world = searchWorld(t);
    const result = await validateIn(world.sub, world.env, ['-c', 'nope.yaml']);
    assert.equal(result.stderr, `hookd: no config file at ${path.join(world.sub, 'nope.yaml')}\n`);
    assert.equal(result.code, 78);
  });
});

describe('resolving the config', () => {
  test('relative paths are relative to the config file, not the working folder', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'conf/hooks/paid.sh', 'exit 0');
    mkdirSync(path.join(dir, 'conf/work'));
    const file = writeConfig(dir, `
state: ./state
hooks:
  - name: paid
    on: invoice_payment
    run: ./hooks/paid.sh
    cwd: work
`, 'conf/hookd.yaml');
    const config = await loadConfig({ path: 'conf/hookd.yaml', cwd: dir });
    assert.equal(config.file, file);
    assert.equal(config.dir, path.join(dir, 'conf'));
    assert.equal(config.state, path.join(dir, 'conf/state'));
    assert.equal(config.hooks[0]!.command, path.join(dir, 'conf/hooks/paid.sh'));
    assert.equal(config.hooks[0]!.cwd, path.join(dir, 'conf/work'));
  });

  test('a bare program name is looked up in PATH, and run may be an argv list', async (t) => {
    const dir = tempDir(t);
    const file = writeConfig(dir, 'hooks: [{name: h, on: t, run: [sh, -c, "exit 0"]}]\n');
    const hook = (await loadConfig({ path: file })).hooks[0]!;
    assert.match(hook.command, /^\/.*\/sh$/);
    assert.deepEqual(hook.fixedArgs, ['-c', 'exit 0']);
  });

  test('every setting left out takes its documented default', async (t) => {
    const config = await loadConfig({ path: writeConfig(tempDir(t), HOOK) });
    const { file, dir, hooks, ...top } = config;
    assert.deepEqual(top, {
      sources: [{ kind: 'stdin' }],
      // The default state directory ($XDG_STATE_HOME is set by the test helpers).
      state: path.join(process.env.XDG_STATE_HOME as string, 'hookd'),
      typePath: 'type',
      idPath: undefined,
      envPrefix: 'EVENT_',
      concurrency: 8,
      maxEventBytes: 1024 * 1024,
      shutdownTimeoutMs: 30_000,
      rpcEnv: false,
      spawner: 'auto',
      metrics: undefined,
      nats: undefined,
    });
    const { matchType, command, ...hook } = hooks[0]!;
    assert.deepEqual(hook, {
      name: 'h',
      on: ['t'],
      where: [],
      fixedArgs: [],
      args: [],
      cwd: undefined,
      env: {},
      timeoutMs: 60_000,
      killAfterMs: 5_000,
      concurrency: 1,
      retries: 0,
      retryOn: 'any',
      backoffMs: 1_000,
      maxBackoffMs: 600_000,
      decide: false,
      coalesce: undefined,
      runAs: undefined,
      fallback: undefined,
      publish: undefined,
    });
    assert.ok(Object.isFrozen(config) && Object.isFrozen(hooks[0]));
  });

  test('defaults apply where a hook omits a key; env is merged, the hook winning', async (t) => {
    const file = writeConfig(tempDir(t), `
defaults:
  timeout: 10s
  retries: 2
  env: { A: "1", B: "1" }
hooks:
  - { name: one, on: t, run: "true" }
  - { name: two, on: t, run: "true", timeout: 250ms, env: { B: "2", C: "2" } }
`);
    const [one, two] = (await loadConfig({ path: file })).hooks;
    assert.deepEqual([one!.timeoutMs, one!.retries, one!.env], [10_000, 2, { A: '1', B: '1' }]);
    assert.deepEqual([two!.timeoutMs, two!.retries, two!.env], [250, 2, { A: '1', B: '2', C: '2' }]);
  });

  test('durations are seconds as numbers, or ms, s, m and h', async (t) => {
    const file = writeConfig(tempDir(t), `
shutdown_timeout: 1h
hooks:
  - { name: h, on: t, run: "true", timeout: 1.5, kill_after: 250ms, backoff: 30s, max_backoff: 5m }
`);
    const config = await loadConfig({ path: file });
    const hook = config.hooks[0]!;
    assert.deepEqual([config.shutdownTimeoutMs, hook.timeoutMs, hook.killAfterMs, hook.backoffMs, hook.maxBackoffMs], [3_600_000, 1_500, 250, 30_000, 300_000]);
  });
});

describe('config problems', () => {
  test('every problem of a YAML config is reported at once, one line each with its line and key', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'ok.sh', 'exit 0');
    writeScript(dir, 'noexec.sh', 'exit 0', 0o644);
    writeScript(dir, 'open.sh', 'exit 0', 0o757);
    const file = writeConfig(dir, `sources: [stdin]
concurrency: many
env:
  prefix: event_
hooks:
  - name: a
    on: t
    run: ./ok.sh
    tmeout: 5s
  - name: a
    on: t
    run: ./ok.sh
    timeout: soon
  - name: c
    on: t
    run: ./missing.sh
    where:
      label: { matches: "(" }
  - name: d
    on: t
    run: ./noexec.sh
  - name: e
    on: [1]
    run: ./open.sh
    concurrency: 0
bogus: 1
`);
    const error = await refusal(file);
    assert.equal(error.code, 'E_CONFIG');
    assert.equal(error.message, `${file}: 12 problems in the config`);
    assert.deepEqual(error.details, [
      `${file}:2: concurrency: expected a whole number of at least 1, got "many" (string)`,
      `${file}:4: env.prefix: expected upper-case letters, digits and "_", ending in "_" (like EVENT_), got "event_" (string)`,
      `${file}:9: hooks[0].tmeout: unknown key (did you mean "timeout"?)`,
      `${file}:10: hooks[1].name: duplicate hook name "a" (also hooks[0])`,
      `${file}:13: hooks[1].timeout: expected a duration such as 30s, 250ms, 5m or a number of seconds, got "soon" (string)`,
      `${file}:16: hooks[2].run: script not found: ${dir}/missing.sh (E_SCRIPT_MISSING)`,
      `${file}:18: hooks[2].where.label.matches: invalid regular expression "(": /(/u: Unterminated group`,
      `${file}:21: hooks[3].run: script is not executable: ${dir}/noexec.sh; run chmod +x on it (E_SCRIPT_PERM)`,
      `${file}:23: hooks[4].on: expected an event type, a glob such as "channel_*", or a list of them, got a list`,
      `${file}:24: hooks[4].run: refusing a world-writable script: ${dir}/open.sh; run chmod o-w on it (E_SCRIPT_PERM)`,
      `${file}:25: hooks[4].concurrency: expected a whole number of at least 1, got 0 (number)`,
      `${file}:26: bogus: unknown key`,
    ]);
  });

  test('a JSON config names the line of each problem too', async (t) => {
    const file = writeConfig(tempDir(t), `{
  "hooks": [
    {
      "name": "a",
      "on": "t",
      "run": "true",
      "timeout": "soon"
    }
  ],
  "concurency": 2
}
`, 'hookd.json');
    assert.deepEqual((await refusal(file)).details, [
      `${file}:7: hooks[0].timeout: expected a duration such as 30s, 250ms, 5m or a number of seconds, got "soon" (string)`,
      `${file}:10: concurency: unknown key (did you mean "concurrency"?)`,
    ]);
  });

  // Each case: the YAML of one hook's extra keys (or of the top level), and the one line expected.
  const cases: [title: string, yaml: string, expected: string][] = [
    ['an unknown hook key', '  - {name: h, on: t, run: "true", retires: 1}', 'hooks[0].retires: unknown key (did you mean "retries"?)'],
    ['a wrong type', '  - {name: h, on: t, run: "true", env: [A]}', 'hooks[0].env: expected a mapping of variable name to value, got a list'],
    ['a duration in words', '  - {name: h, on: t, run: "true", timeout: 5 minutes}', 'hooks[0].timeout: expected a duration such as 30s, 250ms, 5m or a number of seconds, got "5 minutes" (string)'],
    ['a negative duration', '  - {name: h, on: t, run: "true", backoff: -1}', 'hooks[0].backoff: expected a duration such as 30s, 250ms, 5m or a number of seconds, got -1 (number)'],
    ['a timeout of zero', '  - {name: h, on: t, run: "true", timeout: 0}', 'hooks[0].timeout: expected a duration above 0, got 0 (number)'],
    ['a duration longer than a timer can wait', '  - {name: h, on: t, run: "true", kill_after: 1000h}', 'hooks[0].kill_after: expected a duration of at most 596h, got "1000h" (string)'],
    ['a bad regex', '  - {name: h, on: t, run: "true", where: {label: {matches: "[a-"}}}', 'hooks[0].where.label.matches: invalid regular expression "[a-": /[a-/u: Unterminated character class'],
    ['an unknown where operator', '  - {name: h, on: t, run: "true", where: {msat: {gte: 1, between: 2}}}', 'hooks[0].where.msat.between: unknown operator; expected one of eq, ne, gt, gte, lt, lte, in, exists, matches'],
    ['a duplicate name', '  - {name: h, on: t, run: "true"}\n  - {name: h, on: u, run: "true"}', 'hooks[1].name: duplicate hook name "h" (also hooks[0])'],
    ['a missing name', '  - {on: t, run: "true"}', 'hooks[0].name: missing: every hook needs a unique name'],
    ['a missing run', '  - {name: h, on: t}', 'hooks[0].run: missing: the script to run'],
    ['a program not in PATH', '  - {name: h, on: t, run: no-such-program-hookd}', 'hooks[0].run: script not found: no-such-program-hookd (not in PATH) (E_SCRIPT_MISSING)'],
    ['a HOOKD_ variable in env', '  - {name: h, on: t, run: "true", env: {HOOKD_HOOK: x}}', 'hooks[0].env.HOOKD_HOOK: HOOKD_* variables are set by hookd itself'],
    ['a lower-case env prefix', '  - {name: h, on: t, run: "true"}\nenv: {prefix: event_}', 'env.prefix: expected upper-case letters, digits and "_", ending in "_" (like EVENT_), got "event_" (string)'],
    ['an env prefix without "_" at the end', '  - {name: h, on: t, run: "true"}\nenv: {prefix: EVENT}', 'env.prefix: expected upper-case letters, digits and "_", ending in "_" (like EVENT_), got "EVENT" (string)'],
    ['the HOOKD_ env prefix', '  - {name: h, on: t, run: "true"}\nenv: {prefix: HOOKD_}', 'env.prefix: HOOKD_ is reserved for the variables hookd sets'],
  ];
  for (const [title, yaml, expected] of cases) {
    test(`${title} is one line naming file, line and key`, async (t) => {
      const file = writeConfig(tempDir(t), `hooks:\n${yaml}\n`);
      const lines = (await refusal(file)).details;
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0]!, /^\/.*\.yaml:\d+: /);
      assert.equal(lines[0]!.replace(/^[^:]*:\d+: /, ''), expected);
    });
  }

  test('a missing script, a non-executable one and a world-writable one each name the script', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'hooks/plain.sh', 'exit 0', 0o644);
    writeScript(dir, 'hooks/open.sh', 'exit 0', 0o777);
    const file = writeConfig(dir, `hooks:
  - {name: gone, on: t, run: ./hooks/gone.sh}
  - {name: plain, on: t, run: ./hooks/plain.sh}
  - {name: open, on: t, run: ./hooks/open.sh}
`);
    chmodSync(path.join(dir, 'hooks/open.sh'), 0o777); // past the umask
    assert.deepEqual((await refusal(file)).details, [
      `${file}:2: hooks[0].run: script not found: ${dir}/hooks/gone.sh (E_SCRIPT_MISSING)`,
      `${file}:3: hooks[1].run: script is not executable: ${dir}/hooks/plain.sh; run chmod +x on it (E_SCRIPT_PERM)`,
      `${file}:4: hooks[2].run: refusing a world-writable script: ${dir}/hooks/open.sh; run chmod o-w on it (E_SCRIPT_PERM)`,
    ]);
  });

  test('a world-writable config is refused before it is read', async (t) => {
    const file = writeConfig(tempDir(t), HOOK);
    chmodSync(file, 0o666);
    const error = await refusal(file);
    assert.equal(error.code, 'E_CONFIG_PERM');
    assert.equal(error.message, `${file}: refusing a world-writable config; run chmod o-w on it`);
  });

  test('a YAML syntax error names its line', async (t) => {
    const file = writeConfig(tempDir(t), 'hooks:\n  - name: h\n    on: [t\n    run: "true"\n');
    const error = await refusal(file);
    assert.equal(error.code, 'E_CONFIG');
    assert.match(error.message, new RegExp(`^${file}:\\d+:\\d+: YAML syntax error: \\S`));
    assert.doesNotMatch(error.message, /\n/);
  });

  test('a config that is not a mapping, or is empty, is one clear line', async (t) => {
    const dir = tempDir(t);
    const list = writeConfig(dir, '- a\n- b\n', 'list.yaml');
    assert.deepEqual((await refusal(list)).details, [`${list}:1: (top level): expected a mapping with a hooks: list, got a list`]);
    const empty = writeConfig(dir, '\n', 'empty.yaml');
    assert.equal((await refusal(empty)).message, `${empty}: the config is empty`);
  });
});
