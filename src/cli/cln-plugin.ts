// `hookd cln-plugin`: Core Lightning plugin mode (also chosen when lightningd
// starts hookd with no arguments and LIGHTNINGD_PLUGIN=1).
import { ClnPlugin, pluginName } from '../cln/plugin.js';
import { takeOverStdout } from '../cln/protocol-output.js';
import { ignoredArgumentsLine, readPluginArguments } from '../cln/plugin-args.js';
import { parseCommandLine } from './args.js';

export const HELP = `NAME
  hookd cln-plugin - run as a Core Lightning plugin

SYNOPSIS
  hookd cln-plugin
  lightningd --plugin=$(command -v hookd)    (hookd then needs no argument)
  lightning-cli plugin start $(command -v hookd)

DESCRIPTION
  Speaks lightningd's plugin protocol on stdin/stdout: every notification a
  hook can match becomes an event, hooks with decide: true answer
  lightningd's hooks (htlc_accepted, peer_connected, openchannel, ...), and
  hookd's logs go to lightningd's log. Nothing but protocol is ever written
  to stdout.

  The config is the hookd-config plugin option. lightningd asks for the
  manifest (subscriptions, decision hooks) before it passes options, so
  hookd finds the config first as: $HOOKD_CONFIG, else the hookd-config
  lightningd was given (its command line, else its config files:
  <lightning-dir>/config and <lightning-dir>/<network>/config, or --conf),
  else the search from the plugin's working folder (<lightning-dir>/<network>)
  upward. A hookd-config at init that needs more than the manifest
  registered is refused with the reason. Without state: in the config, the
  durable queue is kept in <lightning-dir>/<network>/hookd.

  lightning-cli hookd-status and hookd-dead (list, show, replay) answer
  through lightningd, without a socket source.

OPTIONS
  --developer, --dev-debug-self
                          passed by lightningd (developer mode, debugging
                          this plugin); accepted and ignored. Under
                          lightningd any other argument is ignored too, with
                          a line in its log.
  lightningd passes these plugin options at init:
  hookd-config=PATH       the config file
  hookd-log-level=LEVEL   trace, debug, info (default), warn, error, fatal,
                          silent

EXIT STATUS
  0 after lightningd's shutdown (or when it closes stdin); 2 bad command line.
  A broken config does not exit: the plugin answers init with "disable" and
  the reason, which lightningd logs.

EXAMPLES
  plugin=/usr/bin/hookd                 (in ~/.lightning/config; the path
  hookd-config=/etc/hookd/cln.yaml       command -v hookd prints)
  lightning-cli plugin start $(command -v hookd)
  lightning-cli hookd-status
`;

// A last write must reach lightningd before the process goes.
const EXIT_FLUSH_MS = 1000;

export async function command(argv: string[]): Promise<number> {
  // Started by lightningd, no argument may stop hookd; by hand, mistakes are said.
  if (process.env.LIGHTNINGD_PLUGIN !== '1') parseCommandLine('cln-plugin', argv, { developer: { type: 'boolean' }, 'dev-debug-self': { type: 'boolean' } }, false);
  const ignored = ignoredArgumentsLine(readPluginArguments(argv));
  const stdout = takeOverStdout();
  // Hooks must not believe they are plugins themselves (pyln and friends read this).
  delete process.env.LIGHTNINGD_PLUGIN;
  // Ctrl-C in lightningd's terminal reaches the plugins too; lightningd then
  // sends shutdown, which is how hookd stops.
  process.on('SIGINT', () => {});
  const plugin = new ClnPlugin({ input: process.stdin, write: stdout.write, cwd: process.cwd(), env: process.env, name: pluginName(process.argv[1]) });
  if (ignored !== undefined) plugin.log.warn(ignored);
  process.on('SIGTERM', () => plugin.requestStop('SIGTERM'));
  const code = await plugin.run();
  await Promise.race([stdout.drained(), new Promise((resolve) => setTimeout(resolve, EXIT_FLUSH_MS))]);
  // stdin may still be open (lightningd holds it): leave now.
  process.exit(code);
}
