// What a NATS connection attempt logs and throws, for tests that check a
// refusal is one line and that no secret reaches a message or a log line.
import assert from 'node:assert/strict';
import pino from 'pino';
import { openNats, type NatsSettings } from '../src/nats/connection.ts';

export function captureLog() {
  const lines: string[] = [];
  return { log: pino({ level: 'debug' }, { write: (line: string) => lines.push(line) }), text: () => lines.join('') };
}

// The one-line E_NATS message openNats gives for these settings (it fails
// if they connect); `assertClean` checks the message and the log together.
export async function connectError(settings: NatsSettings, assertClean: (text: string) => void): Promise<string> {
  const logs = captureLog();
  const error = await openNats(settings, logs.log).then(
    async (link) => {
      await link.close();
      assert.fail('connected');
    },
    (error: Error & { code?: string }) => error,
  );
  assert.equal(error.code, 'E_NATS', error.stack);
  assert.equal(error.message.split('\n').length, 1, error.message);
  assertClean(error.message + logs.text());
  return error.message;
}
