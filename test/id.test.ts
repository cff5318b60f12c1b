// Event ids from the pooled random buffer: well-formed, unique, time-ordered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newEventId } from '../src/id.ts';

test('ids are 26 characters of the alphabet, unique across pool refills, and sort by time', () => {
  const ids = Array.from({ length: 5_000 }, (_, i) => newEventId(1_700_000_000_000 + Math.floor(i / 100)));
  for (const id of ids) assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort((a, b) => a.slice(0, 10).localeCompare(b.slice(0, 10))).map((id) => id.slice(0, 10)), ids.map((id) => id.slice(0, 10)));
  assert.equal(ids[0]?.slice(0, 10), ids[99]?.slice(0, 10));
  assert.notEqual(ids[99]?.slice(0, 10), ids[100]?.slice(0, 10));
  // The random tails differ within one millisecond.
  assert.notEqual(ids[0]?.slice(10), ids[1]?.slice(10));
});
