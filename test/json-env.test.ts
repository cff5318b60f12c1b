// Events as hooks see them: numbers exactly as written (on stdin and in the
// variables), one EVENT_* variable per scalar leaf, HOOKD_* metadata that no
// event field can touch, and what is left out (HOOKD_OMITTED).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { buildHookEnv, flattenEvent, MAX_VALUE_BYTES } from '../src/run/env.ts';
import { parseEvent, type HookEvent } from '../src/event.ts';
import { parseJson, stringifyJson } from '../src/json.ts';
import { FIXTURES, runHookd, tempDir, writeConfig } from './helpers.ts';

const event = (line: string): HookEvent => parseEvent(line, { typePath: 'type', idPath: 'id' }, 'stdin', new Date('2026-01-02T03:04:05.678Z'));
const vars = (line: string, prefix = 'EVENT_'): Record<string, string> => Object.fromEntries(flattenEvent(event(line).fields, prefix).vars);

// Reads an `env -0` dump.
function readEnvDump(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of readFileSync(file, 'utf8').split('\0')) {
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

const only = (env: Record<string, string>, pattern: RegExp): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter(([name]) => pattern.test(name)).sort(([a], [b]) => a.localeCompare(b)));

describe('exact JSON', () => {
  test('numbers keep the digits they were written with', () => {
    const text = '{"u64":18446744073709551615,"one":1.0,"k":1e3,"neg":-0,"small":42,"frac":0.1,"deep":[{"x":1.50}]}';
    assert.equal(stringifyJson(parseJson(text)), text);
    assert.deepEqual(vars(`{"type":"t","u64":18446744073709551615,"one":1.0,"k":1e3,"neg":-0,"frac":0.1}`), {
      EVENT_TYPE: 't', EVENT_U64: '18446744073709551615', EVENT_ONE: '1.0', EVENT_K: '1e3', EVENT_NEG: '-0', EVENT_FRAC: '0.1',
    });
  });

  test('the event keeps the line exactly as received', () => {
    const line = '{ "type" : "t",  "msat": 18446744073709551615, "s": "\\u00e9" }';
    assert.equal(event(line).raw, line);
  });
});

describe('field variables', () => {
  test('one variable per scalar leaf: nested paths, arrays by index, booleans, null', () => {
    assert.deepEqual(vars('{"type":"t","payment":{"msat":5,"label":"shop 1"},"tags":["a",{"b":true}],"none":null,"no":false,"my-key.x":"v","ünï":"u"}'), {
      EVENT_TYPE: 't',
      EVENT_PAYMENT_MSAT: '5',
      EVENT_PAYMENT_LABEL: 'shop 1',
      EVENT_TAGS_0: 'a',
      EVENT_TAGS_1_B: 'true',
      EVENT_NONE: '',
      EVENT_NO: 'false',
      EVENT_MY_KEY_X: 'v',
      EVENT__N_: 'u',
    });
  });

  test('when two paths give one name, the first in document order wins', () => {
    assert.equal(vars('{"type":"t","a_b":"flat","a":{"b":"nested"}}').EVENT_A_B, 'flat');
    assert.equal(vars('{"type":"t","a":{"b":"nested"},"a_b":"flat"}').EVENT_A_B, 'nested');
    assert.equal(vars('{"type":"t","A-B":"dash","a_b":"underscore"}').EVENT_A_B, 'dash');
  });

  test('a leaf over 64 KiB or holding a NUL byte is left out and named in HOOKD_OMITTED', () => {
    const fits = 'x'.repeat(MAX_VALUE_BYTES);
    const line = JSON.stringify({ type: 't', fits, big: `${fits}y`, wide: 'é'.repeat(MAX_VALUE_BYTES / 2 + 1), nul: 'a\u0000b', after: 'kept' });
    const { vars: kept, omitted } = flattenEvent(event(line).fields, 'EVENT_');
    assert.equal(kept.get('EVENT_FITS'), fits);
    assert.equal(kept.get('EVENT_AFTER'), 'kept');
    assert.deepEqual(omitted, ['EVENT_BIG', 'EVENT_WIDE', 'EVENT_NUL']);
    const env = buildHookEnv({ base: {}, hookEnv: {}, hookName: 'h', event: event(line), attempt: 1, prefix: 'EVENT_' });
    assert.equal(env.HOOKD_OMITTED, 'EVENT_BIG,EVENT_WIDE,EVENT_NUL');
    assert.equal('EVENT_BIG' in env, false);
  });

  test('__proto__ and constructor are plain keys, and nothing leaks into Object.prototype', () => {
    const parsed = event('{"type":"t","__proto__":{"polluted":"yes"},"constructor":"c","toString":"s"}');
    assert.equal(Object.getPrototypeOf(parsed.fields), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(vars(parsed.raw), { EVENT_TYPE: 't', EVENT___PROTO___POLLUTED: 'yes', EVENT_CONSTRUCTOR: 'c', EVENT_TOSTRING: 's' });
  });
});

describe('the hook environment', () => {
  test('hookd sets HOOKD_*; event fields can neither override them nor set an unprefixed variable', () => {
    const line = '{"type":"t","id":"ev-1","PATH":"/evil","HOOKD_TYPE":"fake","hookd":{"hook":"x"},"../HOME":"h","":"empty"}';
    const env = buildHookEnv({
      base: { PATH: '/usr/bin:/bin', HOME: '/home/op', EVENT_STALE: 'inherited', HOOKD_HOOK: 'inherited', HOOKD_CONFIG: '/etc/hookd.yaml' },
      hookEnv: { CHAT: '42', PATH: '/opt/bin:/usr/bin' },
      hookName: 'paid',
      event: event(line),
      attempt: 2,
      prefix: 'EVENT_',
    });
    assert.deepEqual({ ...env }, {
      PATH: '/opt/bin:/usr/bin',
      HOME: '/home/op',
      CHAT: '42',
      EVENT_TYPE: 't',
      EVENT_ID: 'ev-1',
      EVENT_PATH: '/evil',
      EVENT_HOOKD_TYPE: 'fake',
      EVENT_HOOKD_HOOK: 'x',
      EVENT____HOME: 'h',
      EVENT_: 'empty',
      HOOKD_TYPE: 't',
      HOOKD_ID: 'ev-1',
      HOOKD_HOOK: 'paid',
      HOOKD_ATTEMPT: '2',
      HOOKD_SOURCE: 'stdin',
      HOOKD_TIME: '2026-01-02T03:04:05.678Z',
    });
  });

  test('a running hook gets the exact event on stdin and its fields as variables', async (t) => {
    const dir = tempDir(t);
    const file = writeConfig(dir, `
env: { prefix: EVT_ }
event: { id: id }
max_event_bytes: 4MiB
hooks:
  - name: show-env
    on: "*"
    run: ${path.join(FIXTURES, 'print-env.sh')}
    env: { OUT_DIR: "${dir}", CHAT: "42" }
  - name: show-stdin
    on: "*"
    run: ${path.join(FIXTURES, 'echo-stdin.sh')}
    env: { OUT_DIR: "${dir}" }
`);
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${String(i).padStart(2, '0')}`, 'w'.repeat(60 * 1024)]));
    const lines = [
      '{"type":"invoice_payment","id":"pay-1","msat":18446744073709551615,"rate":1.0,"k":1e3,"tags":["a","b"],"HOOKD_HOOK":"evil","PATH":"/evil"}',
      JSON.stringify({ type: 'wide', id: 'wide-1', ...wide }),
    ];
    const before = Date.now();
    const result = await runHookd(['-c', file], { input: `${lines.join('\n')}\n`, env: { EVT_STALE: 'inherited', HOOKD_TYPE: 'inherited' } });
    assert.equal(result.code, 0, result.stderr);
    const env = readEnvDump(path.join(dir, 'pay-1.env'));
    assert.deepEqual(only(env, /^(EVT_|HOOKD_|CHAT$)/), {
      CHAT: '42',
      EVT_HOOKD_HOOK: 'evil',
      EVT_ID: 'pay-1',
      EVT_K: '1e3',
      EVT_MSAT: '18446744073709551615',
      EVT_PATH: '/evil',
      EVT_RATE: '1.0',
      EVT_TAGS_0: 'a',
      EVT_TAGS_1: 'b',
      EVT_TYPE: 'invoice_payment',
      HOOKD_ATTEMPT: '1',
      HOOKD_HOOK: 'show-env',
      HOOKD_ID: 'pay-1',
      HOOKD_SOURCE: 'stdin',
      HOOKD_TIME: env.HOOKD_TIME!,
      HOOKD_TYPE: 'invoice_payment',
    });
    assert.notEqual(env.PATH, '/evil');
    const received = Date.parse(env.HOOKD_TIME!);
    assert.match(env.HOOKD_TIME!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(received >= before - 1000 && received <= Date.now() + 1000, env.HOOKD_TIME);
    assert.equal(readFileSync(path.join(dir, 'pay-1.stdin'), 'utf8'), `${lines[0]}\n`);
    // Field variables stay under 1 MiB together, so exec() never fails with E2BIG.
    const wideEnv = readEnvDump(path.join(dir, 'wide-1.env'));
    const omitted = wideEnv.HOOKD_OMITTED!.split(',');
    assert.ok(omitted.length >= 3, wideEnv.HOOKD_OMITTED);
    assert.deepEqual(omitted, Object.keys(wide).slice(20 - omitted.length).map((name) => `EVT_${name.toUpperCase()}`));
    assert.equal(wideEnv.EVT_F00, wide.f00);
    assert.equal(readFileSync(path.join(dir, 'wide-1.stdin'), 'utf8'), `${lines[1]}\n`);
  });
});
