// The layout is the architecture: each folder of src/ is a layer, and a module
// imports only from its own folder or from layers below it. Read from the
// sources themselves, so a new upward import or import cycle fails here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

// Lowest first. Folders of one rank are siblings and may not import each other.
const LAYERS: Record<string, number> = {
  '.': 0,
  log: 1,
  lightningd: 1,
  // The NATS connection and JetStream calls, shared by a source and an action.
  nats: 1,
  config: 2,
  run: 3,
  store: 3,
  dispatch: 4,
  sources: 4,
  daemon: 5,
  cln: 6,
  cli: 7,
};

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return modules(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

// Relative imports of a module (static, type-only and dynamic), as .ts paths.
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)];
  return found.map((match) => path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts')));
}

// The layer of a module: its top folder under src/ ('.' for src/ itself).
function layerOf(file: string): string {
  const relative = path.relative(SRC, file);
  return relative.includes(path.sep) ? relative.split(path.sep)[0]! : '.';
}

const graph = new Map(modules(SRC).map((file) => [file, importsOf(file)]));

test('every folder of src/ has a place in the layer order', () => {
  const unknown = [...new Set([...graph.keys()].map(layerOf))].filter((layer) => !(layer in LAYERS));
  assert.deepEqual(unknown, []);
});

test('no module imports from a layer above or beside its own', () => {
  const wrong: string[] = [];
  for (const [file, imports] of graph) {
    const from = layerOf(file);
    for (const target of imports) {
      const to = layerOf(target);
      if (to !== from && !(LAYERS[to]! < LAYERS[from]!)) wrong.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('there is no import cycle among the modules', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push(stack.slice(stack.indexOf(target)).map((f) => path.relative(SRC, f)).join(' -> '));
      else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

test('every import names a module that exists', () => {
  const missing = [...graph].flatMap(([file, imports]) => imports.filter((target) => !graph.has(target)).map((target) => `${path.relative(SRC, file)} -> ${target}`));
  assert.deepEqual(missing, []);
});
