// Every link between the README, the changelog and docs/ leads somewhere:
// the file exists, and a #anchor names a heading of that file (GitHub's rule:
// lowercase, punctuation other than - and _ dropped, spaces turned into -).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.ts';

const DOCS = ['README.md', 'CHANGELOG.md', ...readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of readFileSync(path.join(ROOT, file), 'utf8').split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] as string).trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replaceAll(' ', '-');
    const repeats = seen.get(slug) ?? 0;
    seen.set(slug, repeats + 1);
    // A repeated heading gets -1, -2, ... on GitHub.
    anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`);
  }
  return anchors;
}

test('every relative link of the README, the changelog and docs/ names an existing file and heading', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of DOCS) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] as string;
      if (/^[a-z]+:/.test(target)) continue;
      checked += 1;
      const [name = '', anchor] = target.split('#');
      const resolved = name === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), name));
      if (!existsSync(path.join(ROOT, resolved))) broken.push(`${file}: ${target}: no file ${resolved}`);
      else if (anchor !== undefined && !anchorsOf(resolved).has(anchor)) broken.push(`${file}: ${target}: no heading #${anchor} in ${resolved}`);
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked > 30, `only ${checked} links found: the link pattern no longer matches`);
});

test('the README links every file of docs/', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const unlinked = DOCS.filter((file) => file.startsWith('docs/') && !readme.includes(`](${file})`));
  assert.deepEqual(unlinked, []);
});
