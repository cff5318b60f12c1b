// What the kernel lets through execve(): Linux refuses (E2BIG) an argv and
// environment whose strings and pointers together pass ARG_MAX (a quarter of
// the stack limit: 2 MiB under the usual 8 MiB stack), or any one string
// ("NAME=value" and its NUL) over MAX_ARG_STRLEN (32 pages: 128 KiB). The
// event's variables get a budget well inside both, counted the way the
// kernel counts.
export const MAX_ARG_STRLEN = 128 * 1024;
// Bytes of the pointer to each string in the array execve() copies.
export const POINTER_BYTES = 8;
// One field variable's value at most: half of MAX_ARG_STRLEN leaves room for any name.
export const MAX_VALUE_BYTES = 64 * 1024;
// All field variables together, pointers included: half of a 2 MiB ARG_MAX,
// leaving the other half to hookd's own environment, the hook's and argv.
export const MAX_FIELDS_BYTES = 1024 * 1024;
// HOOKD_OMITTED at most: the first names, then "…and N more".
export const MAX_OMITTED_BYTES = 4 * 1024;

// What "NAME=value" costs in execve()'s budget ("=", the NUL, the pointer).
export function variableCost(name: string, valueBytes: number): number {
  return Buffer.byteLength(name) + valueBytes + 2 + POINTER_BYTES;
}

// The names joined with ",", cut to `maxBytes` at a name boundary with
// ",…and N more" (within `maxBytes` too). Linear in the number of names.
export function cappedNameList(names: readonly string[], maxBytes = MAX_OMITTED_BYTES): string {
  // Room for the longest possible tail: ",…and <count> more".
  const tailRoom = Buffer.byteLength(`,…and ${names.length} more`);
  let text = '';
  let bytes = 0;
  let listed = 0;
  for (const name of names) {
    const cost = Buffer.byteLength(name) + (listed > 0 ? 1 : 0);
    const rest = names.length - listed - 1;
    if (bytes + cost + (rest > 0 ? tailRoom : 0) > maxBytes) break;
    text += listed > 0 ? `,${name}` : name;
    bytes += cost;
    listed++;
  }
  if (listed === names.length) return text;
  const tail = `…and ${names.length - listed} more`;
  return listed > 0 ? `${text},${tail}` : tail;
}
