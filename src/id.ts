// Event ids when the event has none: time-ordered (they sort by arrival, which
// makes logs and the queue easy to read) and unique (random tail), like ULIDs.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newEventId(now = Date.now()): string {
  let time = '';
  let rest = now;
  for (let i = 0; i < 10; i++) {
    time = (ALPHABET[rest % 32] as string) + time;
    rest = Math.floor(rest / 32);
  }
  let random = '';
  for (const byte of randomBytes(16)) {
    random += ALPHABET[byte % 32];
  }
  return time + random;
}
