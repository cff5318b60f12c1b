// Dead letters stay local, and with `nats: {dead_subject}` are also published
// there, so that a fleet's dead letters can be collected in one place. The
// local copy comes first: a publish that fails is logged, never lost.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { JetStreamClient } from '@nats-io/jetstream';
import { errorText } from '../errors.js';
import { publishToStream } from '../nats/publish.js';
import type { DeadLetter, DeadLetterSink } from './dead-letter.js';
import { storedEvent } from './records.js';

export class PublishedDeadLetters implements DeadLetterSink {
  constructor(
    private readonly local: DeadLetterSink,
    private readonly js: JetStreamClient,
    // Read at each letter, so that a reload applies.
    private readonly subject: () => string | undefined,
    private readonly log: Logger,
  ) {}

  async add(letter: DeadLetter): Promise<void> {
    await this.local.add(letter);
    const subject = this.subject();
    if (subject === undefined) return;
    const body = JSON.stringify({
      hook: letter.hook,
      reason: letter.reason,
      deadAt: letter.deadAt,
      worker: hostname(),
      event: { ...storedEvent(letter.event), subject: letter.event.subject },
      attempts: letter.attempts,
    });
    try {
      // One message per delivery: a letter stored again after a crash is dropped by the stream.
      await publishToStream(this.js, { subject, body, msgId: `dead:${letter.hook}:${letter.event.id}` });
    } catch (error) {
      this.log.warn({ hook: letter.hook, id: letter.event.id, subject, error: errorText(error) }, 'dead letter kept here, but not published');
    }
  }
}
