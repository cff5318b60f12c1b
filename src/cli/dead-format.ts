// How `hookd dead list` and `hookd dead show` print dead letters.
import type { StoredDeadLetter } from '../store/disk-dead-letters.js';
export { summary, type DeadLetterSummary } from '../store/dead-summary.js';

// One aligned row per letter under a header.
export function printLetterTable(letters: readonly StoredDeadLetter[], print: (line: string) => void): void {
  const rows = [['ID', 'DIED (UTC)', 'HOOK', 'TYPE', 'EVENT ID', 'ATTEMPTS', 'LAST FAILURE']];
  for (const letter of letters) {
    rows.push([letter.id, letter.deadAt.replace('T', ' ').slice(0, 19), letter.hook, letter.event.type, letter.event.id, String(letter.attempts.length), letter.reason]);
  }
  const widths = (rows[0] as string[]).map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  for (const row of rows) print(row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] as number))).join('  '));
}

export function printLetter(letter: StoredDeadLetter, print: (line: string) => void, separate: boolean): void {
  if (separate) print('');
  print(`dead letter ${letter.id}`);
  print(`  hook:      ${letter.hook}`);
  print(`  died:      ${letter.deadAt}`);
  print(`  reason:    ${letter.reason}`);
  print(`  event:     type=${letter.event.type} id=${letter.event.id} source=${letter.event.source} received=${letter.event.receivedAt}`);
  print(`  file:      ${letter.file}`);
  print(`  stdin:     ${letter.event.raw}`);
  print(`  attempts:  ${letter.attempts.length}`);
  for (const attempt of letter.attempts) {
    const when = attempt.startedAt === '' ? 'start unknown' : attempt.startedAt;
    print(`    #${attempt.attempt}  ${when}  ${attempt.outcome}  (${attempt.durationMs} ms)`);
    for (const line of attempt.stderrTail) print(`        | ${line}`);
  }
}
