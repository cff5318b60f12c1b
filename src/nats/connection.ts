// The one NATS connection of a hookd (the `nats:` section), shared by the
// JetStream source and the publish actions. Credentials are read from files at
// connect time and never logged; a lost connection is one log line, its
// return another, and the client reconnects by itself in between.
import { readFileSync } from 'node:fs';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { AuthorizationError, connect, type Authenticator, credsAuthenticator, TimeoutError, UserAuthenticationExpiredError, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { errorText, HookdError } from '../errors.js';
import { natsError } from './nats-errors.js';
import { describeTlsError, natsTlsOptions, type NatsTlsFiles } from './tls.js';

// The resolved `nats:` section: every path absolute.
export interface NatsSettings {
  readonly servers: readonly string[];
  // A credentials file (JWT + NKey seed), as `nsc` writes it.
  readonly creds?: string | undefined;
  // A file holding the token.
  readonly tokenFile?: string | undefined;
  // A user, with its password in `passwordFile`.
  readonly user?: string | undefined;
  readonly passwordFile?: string | undefined;
  readonly tls?: NatsTlsFiles | undefined;
  // How long connecting may take at start (tests shorten it).
  readonly connectTimeoutMs?: number | undefined;
}

// How long connecting may take before it is an error at start.
const CONNECT_TIMEOUT_MS = 10_000;
// Between reconnect attempts; the client keeps trying for ever.
const RECONNECT_WAIT_MS = 1_000;

// The client's options for these settings, secrets read from their files.
export function natsConnectOptions(settings: NatsSettings): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: [...settings.servers],
    name: `hookd ${process.pid}`,
    timeout: settings.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: RECONNECT_WAIT_MS,
  };
  if (settings.creds !== undefined) options.authenticator = credsFileAuthenticator(settings.creds);
  if (settings.tokenFile !== undefined) options.token = readSecretText(settings.tokenFile, 'nats.token_file');
  if (settings.user !== undefined) {
    options.user = settings.user;
    if (settings.passwordFile !== undefined) options.pass = readSecretText(settings.passwordFile, 'nats.password_file');
  }
  if (settings.tls !== undefined) options.tls = natsTlsOptions(settings.tls);
  return options;
}

// The client parses a .creds file only when the server asks: try it now, so
// that a file that is not one is said as such, naming it.
function credsFileAuthenticator(file: string): Authenticator {
  const authenticator = credsAuthenticator(readSecretFile(file, 'nats.creds'));
  try {
    authenticator('check');
  } catch (error) {
    throw natsError(`nats.creds: ${file} is not a credentials file (a user JWT and its NKey seed, as nsc writes them): ${errorText(error)}`);
  }
  return authenticator;
}

function readSecretFile(file: string, key: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw natsError(`${key}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? errorText(error)}`);
  }
}

// A token or password file's text, without the newline editors add.
function readSecretText(file: string, key: string): string {
  const text = Buffer.from(readSecretFile(file, key)).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw natsError(`${key}: ${file} is empty`);
  return text;
}

// A server address as it may be logged: without user:password@.
export function loggableServer(server: string): string {
  return server.replace(/\/\/[^/@]*@/, '//');
}

// The open connection with its JetStream handles.
export interface NatsLink {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  // Whether the connection is up now (false while it reconnects).
  readonly connected: boolean;
  close(): Promise<void>;
}

// Connects (an error at start is a HookdError E_NATS, bad credentials said
// so), then follows the connection's state, logging each loss and return once.
export async function openNats(settings: NatsSettings, log: Logger): Promise<NatsLink> {
  const servers = settings.servers.map(loggableServer).join(', ');
  let nc: NatsConnection;
  try {
    nc = await connect(natsConnectOptions(settings));
  } catch (error) {
    if (error instanceof HookdError) throw error;
    throw natsError(`cannot connect to NATS (${servers}): ${describeConnectError(error, settings)}`);
  }
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
  } catch (error) {
    await nc.close();
    throw natsError(`NATS server ${loggableServer(nc.getServer())} offers no JetStream: ${errorText(error)}`);
  }
  const link = { nc, js: jetstream(nc), jsm, connected: true, close: () => nc.close() };
  log.info({ server: loggableServer(nc.getServer()) }, 'connected to NATS');
  void followStatus(nc, log, (up) => (link.connected = up));
  return link;
}

function describeConnectError(error: unknown, settings: NatsSettings): string {
  if (error instanceof AuthorizationError || error instanceof UserAuthenticationExpiredError) return `the server refused hookd's credentials (${error.message})`;
  return describeTlsError(error, settings.tls, error instanceof TimeoutError) ?? errorText(error);
}

// One line when the connection is lost, one when it is back; the client's
// repeated reconnect attempts in between are not logged.
async function followStatus(nc: NatsConnection, log: Logger, setConnected: (up: boolean) => void): Promise<void> {
  let lost = false;
  for await (const status of nc.status()) {
    if (status.type === 'disconnect' && !lost) {
      lost = true;
      setConnected(false);
      log.warn({ server: loggableServer(status.server) }, 'NATS connection lost; reconnecting');
    } else if (status.type === 'reconnect') {
      lost = false;
      setConnected(true);
      log.info({ server: loggableServer(status.server) }, 'NATS connection back');
    } else if (status.type === 'error') {
      log.debug({ error: errorText(status.error) }, 'NATS client error');
    }
  }
}
