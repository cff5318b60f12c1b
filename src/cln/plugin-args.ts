// The command line lightningd gives a plugin. It adds arguments of its own
// (lightningd/plugin.c): `--developer` when it runs with --developer, and
// `--dev-debug-self` when that plugin is being debugged; `plugin start` of
// older releases passed its extra parameters on too. A plugin that exits on
// one of them stops lightningd from starting, so none is ever refused.

// Arguments lightningd is known to pass; hookd has nothing to do with them.
export const LIGHTNINGD_ARGUMENTS: readonly string[] = ['--developer', '--dev-debug-self'];

export interface PluginArguments {
  // Arguments lightningd is known to pass.
  readonly known: readonly string[];
  // Anything else: ignored, and said so in one log line.
  readonly ignored: readonly string[];
}

export function readPluginArguments(argv: readonly string[]): PluginArguments {
  return {
    known: argv.filter((arg) => LIGHTNINGD_ARGUMENTS.includes(arg)),
    ignored: argv.filter((arg) => !LIGHTNINGD_ARGUMENTS.includes(arg)),
  };
}

// The log line for ignored arguments, or undefined when there are none.
export function ignoredArgumentsLine(args: PluginArguments): string | undefined {
  if (args.ignored.length === 0) return undefined;
  return `ignoring command-line arguments hookd does not know (lightningd passes plugin options at init): ${args.ignored.join(' ')}`;
}
