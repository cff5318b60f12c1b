// Memory stays bounded while a backlog fills and drains after a restart:
// 10^5 events of ~1 KB (100 MB on disk), each phase in a process of its own
// on the built dist/, peak RSS at most 100 MiB. (`npm run bench` does 10^6.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillAndDrain } from './bench/backlog-run.ts';
import { tempDir } from './helpers.ts';

const LIMIT_KIB = 100 * 1024;

test('filling 10^5 events and draining them after a restart each stay under 100 MiB of RSS', { timeout: 600_000 }, async (t) => {
  const dir = tempDir(t);
  const { fill, drain } = await fillAndDrain(dir, 100_000);
  assert.equal(fill.events, 100_000);
  assert.equal(drain.events, 100_000, 'every event is delivered after the restart');
  t.diagnostic(`peak RSS: filling ${Math.round(fill.peakRssKiB / 1024)} MiB, draining ${Math.round(drain.peakRssKiB / 1024)} MiB`);
  assert.ok(fill.peakRssKiB <= LIMIT_KIB, `filling peaked at ${Math.round(fill.peakRssKiB / 1024)} MiB`);
  assert.ok(drain.peakRssKiB <= LIMIT_KIB, `draining peaked at ${Math.round(drain.peakRssKiB / 1024)} MiB`);
});
