// `run`: the program a hook starts, resolved to an absolute path and checked
// once at load time (exists, is a file, executable, not world-writable), so
// that a typo fails `hookd validate` rather than the first event.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblems, KeyPath } from './problems.js';
import { openParentFolder } from './file-mode.js';

export interface Program {
  readonly command: string;
  readonly fixedArgs: readonly string[];
}

export function resolveProgram(raw: unknown, at: KeyPath, baseDir: string, problems: ConfigProblems): Program | undefined {
  let argv: string[];
  if (typeof raw === 'string' && raw !== '') argv = [raw];
  else if (Array.isArray(raw) && raw.length > 0 && raw.every((item) => typeof item === 'string' && item !== '')) argv = raw as string[];
  else {
    problems.expected(at, 'an executable path or a non-empty list [program, arg, ...]', raw);
    return undefined;
  }
  const [name, ...fixedArgs] = argv as [string, ...string[]];
  const command = locate(name, baseDir);
  if (command === undefined) {
    const hint = typeof raw === 'string' && raw.includes(' ') ? '; to pass arguments write run as a list: ["prog", "arg"]' : '';
    problems.add(at, `script not found: ${name.includes('/') ? path.resolve(baseDir, name) : `${name} (not in PATH)`}${hint} (E_SCRIPT_MISSING)`);
    return undefined;
  }
  const problem = programProblem(command);
  if (problem !== undefined) {
    problems.add(at, problem);
    return undefined;
  }
  return { command, fixedArgs };
}

// A path with a slash is relative to the config's folder; a bare name is
// looked up in PATH, as a shell would.
function locate(name: string, baseDir: string): string | undefined {
  if (name.includes('/')) {
    const full = path.resolve(baseDir, name);
    return exists(full) ? full : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const full = path.resolve(dir, name);
    if (exists(full) && isExecutableFile(full)) return full;
  }
  return undefined;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// Why this file may not run, or undefined when it may.
export function programProblem(file: string): string | undefined {
  const stats = statSync(file);
  if (!stats.isFile()) return `not a regular file: ${file} (E_SCRIPT_PERM)`;
  if (stats.mode & 0o002) return `refusing a world-writable script: ${file}; run chmod o-w on it (E_SCRIPT_PERM)`;
  const open = openParentFolder(file);
  if (open !== undefined) return `refusing a script inside a world-writable folder without the sticky bit: ${open} (anyone could replace ${file}); run chmod o-w on it (E_SCRIPT_PERM)`;
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return `script is not executable: ${file}; run chmod +x on it (E_SCRIPT_PERM)`;
  }
  return undefined;
}
