// Event ids when the event has none: time-ordered (they sort by arrival, which
// makes logs and the queue easy to read) and unique (random tail), like ULIDs.
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RANDOM_CHARS = 16;
// Random bytes for this many ids, drawn at once: a call per id was a third of
// the cost of an event that matches no hook.
const POOL_IDS = 256;
const pool = Buffer.alloc(RANDOM_CHARS * POOL_IDS);
let poolOffset = pool.length;

// The time part of the last id, reused within the same millisecond.
let lastTime = -1;
let lastTimeText = '';

export function newEventId(now = Date.now()): string {
  if (now !== lastTime) {
    let time = '';
    let rest = now;
    for (let i = 0; i < 10; i++) {
      time = (ALPHABET[rest % 32] as string) + time;
      rest = Math.floor(rest / 32);
    }
    lastTime = now;
    lastTimeText = time;
  }
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let random = '';
  for (let i = poolOffset; i < poolOffset + RANDOM_CHARS; i++) random += ALPHABET[(pool[i] as number) % 32];
  poolOffset += RANDOM_CHARS;
  return lastTimeText + random;
}
