// The daemon's NATS side: the one connection, opened at start before anything
// runs (publish hooks and nats sources need it); the reload check that keeps
// out a config whose stream is missing or whose credentials are refused; and
// the close, once the nats sources have acked or handed back what they hold.
// The NATS client is loaded only for a config with a nats: section.
import type { Logger } from 'pino';
import type { NatsConfig } from '../config/nats.js';
import type { HookdConfig, NatsSourceSpec, SourceSpec } from '../config/types.js';
import type { NatsLink } from '../nats/connection.js';
import { natsError } from '../nats/nats-errors.js';
import type { Source } from '../sources/source.js';
import type { DeadLetterSink } from '../store/dead-letter.js';
import { PublishedDeadLetters } from '../store/published-dead-letters.js';

// How long acks and hand-backs may take to reach the server at stop.
const FLUSH_MS = 2_000;

type NatsModules = Awaited<ReturnType<typeof loadNatsModules>>;

async function loadNatsModules() {
  const [connection, consumer, source] = await Promise.all([import('../nats/connection.js'), import('../sources/nats/consumer.js'), import('../sources/nats/nats-source.js')]);
  return { openNats: connection.openNats, requireStream: consumer.requireStream, consumerSettings: consumer.consumerSettings, JetStreamSource: source.JetStreamSource };
}

export class DaemonNats {
  link: NatsLink | undefined;
  private modules: NatsModules | undefined;
  private settings: NatsConfig | undefined;
  private readonly started: { settled(): Promise<void> }[] = [];

  // Connects when the config has a nats: section; throws E_NATS (exit 78).
  async open(config: HookdConfig, log: Logger): Promise<void> {
    if (config.nats === undefined) return;
    this.modules = await loadNatsModules();
    this.settings = config.nats;
    this.link = await this.modules.openNats(config.nats, log);
  }

  // Makes nats sources on the connection (undefined without one).
  sourceFactory(concurrency: () => number): ((spec: NatsSourceSpec) => Source) | undefined {
    const { link, modules } = this;
    if (link === undefined || modules === undefined) return undefined;
    return (spec) => {
      const source = new modules.JetStreamSource(link, modules.consumerSettings(spec, concurrency()));
      this.started.push(source);
      return source;
    };
  }

  // The dead-letter sink, also publishing to `dead_subject:` when set.
  deadLetters(local: DeadLetterSink, config: () => HookdConfig, log: Logger): DeadLetterSink {
    if (this.link === undefined) return local;
    return new PublishedDeadLetters(local, this.link.js, () => config().nats?.deadSubject, log);
  }

  // Throws when `next` cannot apply: the running config then stays.
  async checkReload(next: HookdConfig, starting: readonly SourceSpec[], log: Logger): Promise<void> {
    if (next.nats === undefined) return;
    const { link, modules } = this;
    if (link === undefined || modules === undefined) throw natsError('nats: is read at start; restart hookd to connect to NATS');
    if (connectionOf(next.nats) !== connectionOf(this.settings)) {
      // New credentials must work before they are accepted; they apply at the next start.
      const trial = await modules.openNats(next.nats, log.child({}, { level: 'silent' }));
      await trial.close();
      log.warn('nats: the new connection settings work; they take effect at the next restart');
    }
    for (const spec of starting) if (spec.kind === 'nats') await modules.requireStream(link.jsm, spec.stream);
  }

  // After the dispatcher stopped: every held message acked or handed back, then closed.
  async close(): Promise<void> {
    if (this.link === undefined) return;
    await Promise.all(this.started.map((source) => source.settled()));
    const { nc } = this.link;
    await Promise.race([nc.flush().catch(() => {}), new Promise((resolve) => setTimeout(resolve, FLUSH_MS).unref())]);
    await this.link.close();
  }
}

// The settings that make the connection, without dead_subject (which applies at once).
function connectionOf(settings: NatsConfig | undefined): string {
  if (settings === undefined) return '';
  const { deadSubject: _applied, ...connection } = settings;
  return JSON.stringify(connection);
}
