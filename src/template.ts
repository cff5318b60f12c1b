// `args` templates: "{{dotted.path}}" is filled from the event; a missing
// field gives "". The result is one argv entry each, never seen by a shell.
import { getPath, scalarText, type JsonValue } from './json.js';

type Part = { readonly text: string } | { readonly path: string };
export type Template = readonly Part[];

const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

// Throws an Error with a plain message for a malformed template.
export function compileTemplate(source: string): Template {
  const parts: Part[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ text: source.slice(last, match.index) });
    parts.push({ path: match[1] as string });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ text: source.slice(last) });
  const rest = parts.filter((part): part is { text: string } => 'text' in part).map((part) => part.text).join('');
  if (rest.includes('{{') || rest.includes('}}')) {
    throw new Error(`unbalanced "{{" or "}}" in ${JSON.stringify(source)}; write a field as {{path.to.field}}`);
  }
  return parts;
}

export function renderTemplate(template: Template, fields: JsonValue): string {
  let out = '';
  for (const part of template) {
    if ('text' in part) out += part.text;
    else {
      const value = getPath(fields, part.path);
      if (value !== undefined) out += scalarText(value);
    }
  }
  return out;
}

// The first field a template fills with text holding a NUL byte, which no
// argv entry can carry; undefined when there is none.
export function nulField(template: Template, fields: JsonValue): string | undefined {
  for (const part of template) {
    if (!('path' in part)) continue;
    const value = getPath(fields, part.path);
    if (value !== undefined && scalarText(value).includes('\0')) return part.path;
  }
  return undefined;
}
