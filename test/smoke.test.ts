import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('the built bin prints its version', () => {
  const result = spawnSync(process.execPath, ['bin/hookd.js', '--version'], { encoding: 'utf8' });
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^hookd \d+\.\d+\.\d+\n$/);
});
