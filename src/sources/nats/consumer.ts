// The durable pull consumer is hookd's own: created when missing, brought to
// the config's settings (one log line saying what changed) when it differs,
// so that a fleet of workers sharing one config agrees. The stream is the
// operator's: hookd never creates one, and a missing stream is an error.
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { millis, nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { NatsSourceSpec } from '../../config/types.js';
import { errorText } from '../../errors.js';
import { natsError } from '../../nats/nats-errors.js';

export interface ConsumerSettings {
  readonly stream: string;
  readonly consumer: string;
  // The consumer's filter subject; undefined takes the whole stream.
  readonly subjects?: string | undefined;
  // Redelivery after this long without an ack or a progress signal.
  readonly ackWaitMs: number;
  // Messages delivered and not yet acknowledged, for the whole consumer.
  readonly maxAckPending: number;
}

// max_ack_pending bounds unacknowledged messages across the whole fleet,
// while each worker holds at most its `concurrency`: by default, room for
// this many workers of the same config.
export const DEFAULT_FLEET_SIZE = 16;

export function consumerSettings(spec: NatsSourceSpec, concurrency: number): ConsumerSettings {
  return {
    stream: spec.stream,
    consumer: spec.consumer,
    subjects: spec.subjects,
    ackWaitMs: spec.ackWaitMs,
    maxAckPending: spec.maxAckPending ?? concurrency * DEFAULT_FLEET_SIZE,
  };
}

// What hookd sets on its consumer, as the server reports it.
interface Wanted {
  readonly ack_wait: number;
  readonly filter_subject: string;
  readonly max_ack_pending: number;
}

function wantedConfig(settings: ConsumerSettings): Wanted {
  return { ack_wait: nanos(settings.ackWaitMs), filter_subject: settings.subjects ?? '', max_ack_pending: settings.maxAckPending };
}

// Checks the stream, then creates or updates the consumer; resolves with its info.
export async function ensureConsumer(jsm: JetStreamManager, settings: ConsumerSettings, log: Logger): Promise<ConsumerInfo> {
  const { stream, consumer } = settings;
  await requireStream(jsm, stream);
  const wanted = wantedConfig(settings);
  // The API's form: no filter is no key (an empty one would make a bad request subject).
  const settable = { ack_wait: wanted.ack_wait, max_ack_pending: wanted.max_ack_pending, filter_subject: settings.subjects };
  const existing = await consumerInfo(jsm, stream, consumer);
  if (existing === undefined) {
    const config: Partial<ConsumerConfig> = {
      durable_name: consumer,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...settable,
    };
    const created = await guard(jsm.consumers.add(stream, config), `cannot create consumer "${consumer}" on stream "${stream}"`);
    log.info({ source: 'nats', stream, consumer, ...describe(wanted) }, 'created the JetStream consumer');
    return created;
  }
  if (existing.config.deliver_subject !== undefined && existing.config.deliver_subject !== '') {
    throw natsError(`consumer "${consumer}" on stream "${stream}" is a push consumer; hookd needs a pull consumer: name another one`);
  }
  if (existing.config.ack_policy !== AckPolicy.Explicit) {
    throw natsError(`consumer "${consumer}" on stream "${stream}" acknowledges "${existing.config.ack_policy}"; hookd needs explicit acks: name another consumer`);
  }
  const changed = differences(existing.config, wanted);
  if (changed.length === 0) return existing;
  const updated = await guard(jsm.consumers.update(stream, consumer, settable), `cannot update consumer "${consumer}" on stream "${stream}"`);
  log.info({ source: 'nats', stream, consumer, changed }, `updated the JetStream consumer to this config: ${changed.join(', ')}`);
  return updated;
}

export async function requireStream(jsm: JetStreamManager, stream: string): Promise<void> {
  try {
    await jsm.streams.info(stream);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.StreamNotFound)) {
      throw natsError(`stream "${stream}" does not exist on the NATS server; hookd never creates streams: ask its operator to add it`);
    }
    throw natsError(`cannot read stream "${stream}": ${errorText(error)}`);
  }
}

async function consumerInfo(jsm: JetStreamManager, stream: string, consumer: string): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, consumer);
  } catch (error) {
    if (isApiError(error, JetStreamApiCodes.ConsumerNotFound)) return undefined;
    throw natsError(`cannot read consumer "${consumer}" on stream "${stream}": ${errorText(error)}`);
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

async function guard<T>(request: Promise<T>, what: string): Promise<T> {
  try {
    return await request;
  } catch (error) {
    throw natsError(`${what}: ${errorText(error)}`);
  }
}

// "ack_wait 30s → 60s" for each setting the consumer has otherwise.
function differences(current: ConsumerConfig, wanted: Wanted): string[] {
  // Servers from 2.10 on may report several filters instead of one.
  const filter = current.filter_subject ?? current.filter_subjects?.join(', ') ?? '';
  const now = describe({ ack_wait: current.ack_wait ?? 0, filter_subject: filter, max_ack_pending: current.max_ack_pending ?? -1 });
  const then = describe(wanted);
  return (Object.keys(then) as (keyof typeof then)[]).filter((key) => now[key] !== then[key]).map((key) => `${key} ${now[key]} → ${then[key]}`);
}

function describe(config: Wanted): { ack_wait: string; filter_subject: string; max_ack_pending: string } {
  return {
    ack_wait: `${millis(config.ack_wait) / 1000}s`,
    filter_subject: config.filter_subject === '' ? '(none)' : config.filter_subject,
    max_ack_pending: String(config.max_ack_pending),
  };
}
