// Command-line parsing on node:util's parseArgs, with every mistake turned
// into one line and exit code 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { HookdError } from '../errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

// Options every command takes.
export const CONFIG_OPTION: OptionSpec = { config: { type: 'string', short: 'c' } };
export const HELP_OPTION: OptionSpec = { help: { type: 'boolean', short: 'h' } };

export interface Parsed {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

export function parseCommandLine(command: string, argv: readonly string[], options: OptionSpec, allowPositionals: boolean): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...options, ...HELP_OPTION }, allowPositionals, strict: true });
    return { values, positionals };
  } catch (error) {
    const message = (error as Error).message.split('\n', 1)[0]?.replace(/\. To specify a positional argument.*$/, '') ?? 'bad arguments';
    throw usageError(command, message);
  }
}

export function usageError(command: string, message: string): HookdError {
  return new HookdError('E_USAGE', `${message} (see hookd ${command === '' ? '' : `${command} `}--help)`);
}

// A string option, or undefined.
export function stringOption(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

// Checks a value against the allowed ones: "--log-format must be one of json, pretty".
export function choiceOption<T extends string>(command: string, parsed: Parsed, name: string, choices: readonly T[]): T | undefined {
  const value = stringOption(parsed, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw usageError(command, `--${name} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}
