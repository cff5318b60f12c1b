// Some top-level keys of a YAML config, read without the rest of the file:
// `hookd emit` needs `sources` and `event` and nothing else. Plain YAML is
// read here; anything else by the `yaml` package (loaded only then), on the
// file with every other key's lines blanked so that errors keep their line
// numbers. A mistake elsewhere in the file is not seen (the daemon and
// `hookd validate` report it); when the document cannot be cut by its
// top-level keys, or the cut one does not parse (an alias of an anchor
// elsewhere), the whole file is parsed as before.
import { NOT_PLAIN, readPlainSection, topLevelSections } from './plain-yaml.js';

export async function readTopLevelKeys(text: string, keys: readonly string[]): Promise<Record<string, unknown>> {
  const lines = text.split('\n');
  const sections = topLevelSections(lines);
  if (sections === undefined) return pick(await parseYaml(text), keys);
  const found: Record<string, unknown> = {};
  for (const key of keys) {
    const places = sections.get(key) ?? [];
    const [place] = places;
    const value = place === undefined ? undefined : places.length === 1 ? readPlainSection(lines, place.first, place.end) : NOT_PLAIN;
    if (value === NOT_PLAIN) return readWithYaml(text, lines, keys, sections);
    if (place !== undefined) found[key] = value;
  }
  return found;
}

async function readWithYaml(text: string, lines: string[], keys: readonly string[], sections: ReturnType<typeof topLevelSections> & {}): Promise<Record<string, unknown>> {
  const kept = new Set(keys.flatMap((key) => (sections.get(key) ?? []).flatMap(({ first, end }) => Array.from({ length: end - first }, (_, offset) => first + offset))));
  try {
    return pick(await parseYaml(lines.map((line, index) => (kept.has(index) ? line : '')).join('\n')), keys);
  } catch {
    return pick(await parseYaml(text), keys);
  }
}

async function parseYaml(text: string): Promise<unknown> {
  const { parse } = await import('yaml');
  return parse(text);
}

function pick(raw: unknown, keys: readonly string[]): Record<string, unknown> {
  const top = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  return Object.fromEntries(keys.filter((key) => key in top).map((key) => [key, top[key]]));
}
