// /metrics in Core Lightning plugin mode: decision replies counted by whose
// they were (the script's own, or the fallback), notifications as events of
// the cln source.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parseJson, type JsonObject } from '../src/json.ts';
import { ClnDriver } from './cln-driver.ts';
import { FIXTURES, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';
import { httpRequest } from './http-client.ts';
import { parseScrape, sampleValue, type Scrape } from './prometheus-text.ts';

const HOOKS = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'hooks.json'), 'utf8')) as Record<string, JsonObject>;

test('plugin mode serves /metrics: decision replies by outcome (own, fallback) and notifications received from cln', async (t) => {
  const dir = tempDir(t, 'hookd-cln-metrics-');
  const replyFile = path.join(dir, 'reply');
  const decide = writeScript(dir, 'decide.sh', `cat "${replyFile}"`);
  const record = writeScript(dir, 'record.sh', 'exit 0');
  const socket = path.join(dir, 'metrics.sock');
  const config = writeConfig(
    dir,
    `metrics: ${socket}\nhooks:\n  - {name: gate, on: htlc_accepted, decide: true, run: ${decide}, timeout: 30s}\n  - {name: warned, on: warning, run: ${record}}\n`,
    'hookd.config.yaml',
  );
  const driver = new ClnDriver(t, { lightningDir: dir, env: { HOOKD_CONFIG: config } });
  await driver.start();
  const scrape = async (): Promise<Scrape> => parseScrape((await httpRequest({ socketPath: socket }, 'GET', '/metrics')).text);

  const request = HOOKS.htlc_accepted!.request as JsonObject;
  writeFileSync(replyFile, '{"result":"continue"}');
  assert.deepEqual(await driver.hook('htlc_accepted', request), { result: 'continue' });
  writeFileSync(replyFile, 'not json');
  assert.deepEqual(await driver.hook('htlc_accepted', request), { result: 'continue' });
  writeFileSync(replyFile, '{"result":"fail","failure_message":"2002"}');
  assert.deepEqual(await driver.hook('htlc_accepted', request), { result: 'fail', failure_message: '2002' });
  driver.notify('warning', { warning: { level: 'warn', time: '1.0', timestamp: '2026-01-01T00:00:00.000Z', source: 'lightningd', log: 'x' } });

  const scraped = await waitFor(async () => {
    const current = await scrape();
    // A notification is counted once stored, which may be after its hook ran
    // (the run starts while the queue syncs): wait for both.
    const done = sampleValue(current, 'hookd_runs_total', { hook: 'warned', outcome: 'ok' }) === 1 && sampleValue(current, 'hookd_events_received_total', { source: 'cln' }) === 1;
    return done ? current : undefined;
  }, 'the warning to be counted and its hook to run');
  assert.equal(sampleValue(scraped, 'hookd_decision_replies_total', { hook: 'gate', outcome: 'own' }), 2);
  assert.equal(sampleValue(scraped, 'hookd_decision_replies_total', { hook: 'gate', outcome: 'fallback' }), 1);
  driver.assertCleanStdout();
  assert.deepEqual(await driver.shutdown({}), { code: 0, signal: null });
});
