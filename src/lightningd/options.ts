// A plugin option as lightningd will pass it at `init`, read before then
// (getmanifest comes first) from lightningd's own command line and config
// files, the way lightningd reads them: without --conf, <lightning-dir>/config
// then <lightning-dir>/<network>/config; with --conf=FILE, that file alone;
// `include FILE` lines relative to the including file; the command line last,
// each later value overriding an earlier one.
import { readFileSync } from 'node:fs';
import path from 'node:path';

// What a plugin can see of the lightningd that started it.
export interface LightningdView {
  // lightningd's command line (argv[0] first).
  readonly argv: readonly string[];
  // <lightning-dir>/<network>: lightningd starts its plugins there.
  readonly networkDir: string;
  // lightningd's working folder when it started ($PWD), for a relative --conf.
  readonly startDir: string | undefined;
}

export interface FoundOption {
  readonly value: string;
  // Where it was set: "lightningd's command line" or "FILE:LINE".
  readonly origin: string;
}

// lightningd stops at an include depth of 100; a loop ends far sooner here.
const MAX_INCLUDE_DEPTH = 20;

// The parent process seen as lightningd (Linux /proc); undefined where unreadable.
export function parentLightningd(networkDir: string, ppid = process.ppid): LightningdView | undefined {
  const argv = procStrings(`/proc/${ppid}/cmdline`);
  if (argv === undefined || argv.length === 0) return undefined;
  const pwd = procStrings(`/proc/${ppid}/environ`)?.find((entry) => entry.startsWith('PWD='));
  return { argv, networkDir, startDir: pwd?.slice('PWD='.length) || undefined };
}

// The last value of option `name` lightningd was given, or undefined.
export function lightningdOption(view: LightningdView, name: string): FoundOption | undefined {
  const commandLine = commandLineOptions(view.argv);
  const fromFiles = configFiles(view, commandLine).flatMap((file) => fileOptions(file, 0));
  const all = [...fromFiles, ...commandLine];
  const last = all.filter((option) => option.name === name).at(-1);
  return last && { value: last.value, origin: last.origin };
}

interface ParsedOption extends FoundOption {
  readonly name: string;
}

// `--name=value` and `--name value` (lightningd takes the next word as the
// value when it does not start with "-"), up to a lone "--".
function commandLineOptions(argv: readonly string[]): ParsedOption[] {
  const options: ParsedOption[] = [];
  for (let index = 1; index < argv.length; index++) {
    const word = argv[index] as string;
    if (word === '--') break;
    if (!word.startsWith('--')) continue;
    const equals = word.indexOf('=');
    if (equals !== -1) {
      options.push({ name: word.slice(2, equals), value: word.slice(equals + 1), origin: "lightningd's command line" });
      continue;
    }
    const next = argv[index + 1];
    if (next !== undefined && !next.startsWith('-')) {
      options.push({ name: word.slice(2), value: next, origin: "lightningd's command line" });
      index++;
    } else {
      options.push({ name: word.slice(2), value: '', origin: "lightningd's command line" });
    }
  }
  return options;
}

// The config files lightningd reads, in its order.
function configFiles(view: LightningdView, commandLine: readonly ParsedOption[]): string[] {
  const conf = commandLine.filter((option) => option.name === 'conf').at(-1)?.value;
  const lightningDir = path.dirname(view.networkDir);
  if (conf !== undefined && conf !== '') return [path.resolve(view.startDir ?? lightningDir, conf)];
  return [path.join(lightningDir, 'config'), path.join(view.networkDir, 'config')];
}

// The `name=value` lines of one config file and the files it includes; a
// file that cannot be read gives none (lightningd would have refused to start).
function fileOptions(file: string, depth: number): ParsedOption[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const options: ParsedOption[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('include ')) {
      if (depth < MAX_INCLUDE_DEPTH) options.push(...fileOptions(path.resolve(path.dirname(file), line.slice('include '.length)), depth + 1));
      continue;
    }
    const equals = line.indexOf('=');
    const name = equals === -1 ? line : line.slice(0, equals);
    options.push({ name, value: equals === -1 ? '' : line.slice(equals + 1), origin: `${file}:${index + 1}` });
  }
  return options;
}

// A NUL-separated /proc file as strings; undefined when it cannot be read.
function procStrings(file: string): string[] | undefined {
  try {
    return readFileSync(file, 'utf8').split('\0').filter((entry) => entry !== '');
  } catch {
    return undefined;
  }
}
