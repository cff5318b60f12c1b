// The plain-YAML reader of `hookd emit` answers as the `yaml` package does, or
// not at all (NOT_PLAIN): held to `yaml` on hand-picked documents and on
// generated ones, and made to read the configs people write without it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { NOT_PLAIN, readPlainSection, topLevelSections } from '../src/config/plain-yaml.ts';
import { readTopLevelKeys } from '../src/config/top-level-keys.ts';
import { ROOT } from './helpers.ts';

// Each top-level key the reader answers for, with its answer and its lines.
function plainAnswers(text: string): Map<string, { value: unknown; first: number; end: number }> {
  const lines = text.split('\n');
  const answers = new Map<string, { value: unknown; first: number; end: number }>();
  for (const [key, places] of topLevelSections(lines) ?? []) {
    const [place] = places;
    if (places.length !== 1 || place === undefined) continue;
    const value = readPlainSection(lines, place.first, place.end);
    if (value !== NOT_PLAIN) answers.set(key, { value, ...place });
  }
  return answers;
}

// For each key the reader answers for, yaml reads that key's lines alone
// (or the whole document) to the same value; the reader answers for no key
// whose lines yaml refuses.
function assertAgrees(text: string): boolean {
  const answers = plainAnswers(text);
  const lines = text.split('\n');
  for (const [key, { value, first, end }] of answers) {
    const alone = lines.map((line, index) => (index >= first && index < end ? line : '')).join('\n');
    let expected: Record<string, unknown>;
    try {
      expected = parse(alone, { logLevel: 'error' }) as Record<string, unknown>;
    } catch (error) {
      assert.fail(`read ${key} of ${JSON.stringify(text)}, which yaml refuses: ${(error as Error).message.split('\n')[0]}`);
    }
    assert.deepStrictEqual(value, expected[key], `${key} of ${JSON.stringify(text)}`);
  }
  let whole: Record<string, unknown> | undefined;
  try {
    whole = parse(text, { logLevel: 'error' }) as Record<string, unknown>;
  } catch {
    whole = undefined;
  }
  if (whole !== undefined) for (const [key, { value }] of answers) assert.deepStrictEqual(value, whole[key], `${key} of ${JSON.stringify(text)}`);
  return answers.size > 0;
}

const READ_PLAINLY = [
  'sources: [stdin]\nhooks: []\n',
  'state: false\nsources: [{ socket: /tmp/x/hookd.sock }]\nhooks: []\n',
  'sources:\n  - socket: ./hookd.sock\nevent:\n  type: meta.kind\nhooks:\n  - name: dump\n    on: block\n    run: ./dump.sh\n',
  'sources:\n- socket: ./a\n  mode: "0660"\n- inbox: /var/spool/hookd/inbox # emit queues here\n- stdin\n',
  'sources:\n  - socket: /run/hookd/hookd.sock   # for status\n    mode: 0660\n  - bitcoind:\n      url: http://127.0.0.1:8332\n      wallets: [a, "b c"]\n',
  '---\n# hookd\nevent: { type: kind, id: "id" }\n',
  "event:\n  type: 'it''s'\n  id: \"a\\tb\"\n",
  'sources: {a:b}\n', 'sources: [a:b]\n', 'sources: {a: b, c}\n', 'sources: [a, b,]\n', 'sources: [ ]\n', 'sources: {}\n',
  'sources: [{socket: "/x y"}, {inbox: \'/z\'}]\n', 'sources: [{"socket":"/x"}]\n', 'sources: [{socket:/x}]\n',
  'sources: 12\n', 'sources: 0o17\n', 'sources: 0x1F\n', 'sources: -.5\n', 'sources: 1e3\n', 'sources: .inf\n', 'sources: .NaN\n',
  'sources: ~\n', 'sources: Null\n', 'sources: TRUE\n', 'sources: yes\n', 'sources: 007\n', 'sources: 1_000\n', 'sources: 12:30\n',
  'sources: a#b\n', 'sources: a #b\n', 'sources: "a" #b\n', 'sources: [a] #b\n', 'sources: -a\n', 'sources: [-a, -1, ?x, :y]\n',
  'sources:\n  -\n    socket: x\n', 'sources:\n  - \n  - a\n', 'sources:\n  - a:\n    - b\n', 'sources:\n  - a:\n      b: 1\n    c: 2\n',
  'sources:\n  __proto__: 1\n', 'sources: [a b, c  d ]\n', 'sources: [[a], {b: [c]}]\n', 'sources: {a: , b: 1}\n',
  'sources: {url: http://a:1/b}\n', 'sources: a, b\n', 'sources: a [b]\n', 'sources:\n\n  - a\n\n  # c\n  - b\n',
  'sources:\n  - socket: x\n  -   inbox: y\n      mode: 1\n', 'event:\n  type:\n', "sources: ''\n",
];

// Not plain (the reader leaves them to yaml), valid or not.
const LEFT_TO_YAML = [
  'sources: a: b\n', 'sources: "a"#b\n', 'sources: [a]#b\n', 'sources:\n  - - a\n', 'sources:\n  a: 1\n  a: 2\n',
  'sources:\n  null: 1\n', 'sources:\n  - socket: x\n     mode: 1\n', 'sources:\n  - socket: x\n   mode: 1\n',
  'sources: "a\\x41"\n', 'sources: "a\n  b"\n', 'sources: a\n  b\n', 'sources: |\n  a\n', 'sources: &x [a]\n', 'sources: *x\n',
  'sources: !!str 1\n', 'sources: @a\n', 'sources: - a\n', 'sources: [a, [b]\n', 'sources: [a, , b]\n', 'sources: [a:]\n',
  'sources:\n\t- a\n', 'sources: [a]\r\n',
];

test('the reader reads the usual ways of writing sources and event, and agrees with yaml on them', () => {
  for (const text of READ_PLAINLY) assert.ok(assertAgrees(text), `left to yaml: ${JSON.stringify(text)}`);
});

test('the reader leaves anything else to yaml', () => {
  for (const text of LEFT_TO_YAML) assert.deepEqual([...plainAnswers(text).keys()], [], JSON.stringify(text));
});

test('the reader reads the example configs without yaml', () => {
  for (const file of ['hooks.example/hookd.yaml', 'hooks.example/hookd-system.yaml']) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const answers = plainAnswers(text);
    assert.ok(answers.has('sources'), `${file}: sources left to yaml`);
    assert.ok(assertAgrees(text));
  }
});

// A small deterministic generator (xorshift) of documents near the subset:
// each must get yaml's answer or none.
test('on generated documents the reader gives yaml\'s answer or none', () => {
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const atoms = ['a', 'b c', '/x/y.sock', 'http://h:1/p', 'x:y', 'a#b', '1', '0o7', '0x1f', '-1', '.5', '1e3', 'null', '~', 'true', '"q"', "'s'", '"a\\"b"', "'i''t'", '""', '-a', '?a', 'a]', 'a,b', '[a]', '{a: b}', '[a, b]', '{a: [b]}', '[]', '{a}', '{a:}', '{a:b}', '[a:b]', '*x', '&x a', '|', '@a', '#c', 'a #c', '"a" #c', 'a: b', '- a', '', '[a, , b]', '[a', '{a: b', '"a', '[a,]', '{"a":1}', '{a : b}', '[- a]'];
  const keys = ['socket', 'inbox', 'mode', 'a', 'null', 'x-y', '"k"', 'k k'];
  const block = (depth: number, indent: number): string[] => {
    const lines: string[] = [];
    const sequence = next() < 0.5;
    for (let count = 1 + Math.floor(next() * 3); count > 0; count--) {
      const pad = ' '.repeat(Math.max(0, indent + (next() < 0.08 ? pick([-1, 1, 2]) : 0)));
      if (next() < 0.1) lines.push(pad + pick(['# c', '']));
      const nest = depth < 2 && next() < 0.3;
      if (sequence && nest) lines.push(`${pad}-`, ...block(depth + 1, indent + pick([1, 2, 4])));
      else if (sequence) lines.push(next() < 0.5 ? `${pad}- ${pick(atoms)}` : `${pad}- ${pick(keys)}: ${pick(atoms)}`);
      else if (nest) lines.push(`${pad}${pick(keys)}:`, ...block(depth + 1, indent + pick([0, 2, 4])));
      else lines.push(`${pad}${pick(keys)}: ${pick(atoms)}`);
    }
    return lines;
  };
  let read = 0;
  for (let run = 0; run < 3000; run++) {
    const lines = next() < 0.4 ? [`sources: ${pick(atoms)}`] : ['sources:', ...block(0, pick([0, 2, 4]))];
    if (assertAgrees(`${lines.join('\n')}\n`)) read++;
  }
  assert.ok(read > 500, `only ${read} of 3000 documents read: the generator no longer tests the reader`);
});

test('a mistake under another key does not matter; one in a key read reports yaml\'s error with its line', async () => {
  const elsewhere = 'sources:\n  - socket: ./h.sock\nhooks:\n  - name: x\n    run: "unclosed\n  - : bad: [\n';
  assert.deepEqual(await readTopLevelKeys(elsewhere, ['sources', 'event']), { sources: [{ socket: './h.sock' }] });
  // A block scalar is left to yaml, which sees only the lines of the keys read.
  const withBlock = 'hooks: nonsense: [\nsources:\n  - socket: |\n      ./h.sock\n';
  assert.deepEqual(await readTopLevelKeys(withBlock, ['sources', 'event']), { sources: [{ socket: './h.sock\n' }] });
  const broken = 'hooks: []\nsources:\n  - socket: ./h.sock\n    mode: [0660\nevent: {type: t}\n';
  await assert.rejects(readTopLevelKeys(broken, ['sources', 'event']), /at line 5, column 1/);
  // An alias of an anchor under another key: the whole file.
  assert.deepEqual(await readTopLevelKeys('all: &s [{socket: ./h.sock}]\nsources: *s\n', ['sources']), { sources: [{ socket: './h.sock' }] });
});

test('a plain config is read without loading the yaml package', () => {
  const reader = pathToFileURL(path.join(ROOT, 'dist', 'config', 'top-level-keys.js')).href;
  const script = `
    import { createRequire } from 'node:module';
    const { readTopLevelKeys } = await import(${JSON.stringify(reader)});
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/node_modules/yaml/'));
    const plain = await readTopLevelKeys('sources: [{ socket: ./s }]\\nhooks: []\\n', ['sources']);
    const before = loaded();
    await readTopLevelKeys('sources: |\\n  x\\n', ['sources']);
    console.log(JSON.stringify({ plain, before, after: loaded() }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { plain: { sources: [{ socket: './s' }] }, before: false, after: true });
});
