// hookd as a Core Lightning plugin: JSON-RPC 2.0 with lightningd over
// stdin/stdout. Notifications become events of a `Daemon` (queue, dispatcher,
// retries as in `hookd run`); hook requests are answered by decision scripts;
// hookd's logs go to lightningd's log. Reading stdin never waits for hooks.
import { errorText } from '../errors.js';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { HookdConfig } from '../config/types.js';
import { Daemon } from '../daemon/daemon.js';
import { makeEvent } from '../event.js';
import { isJsonObject, JsonSyntaxError, parseJson, type JsonObject, type JsonValue } from '../json.js';
import { createLogger } from '../log/logger.js';
import { hookMatches } from '../match.js';
import { DecisionRunner } from './decision.js';
import { MessageReader, type FramedItem } from '../lightningd/framing.js';
import { CONTINUE, hookDefinition, type HookDefinition } from '../lightningd/hook-catalog.js';
import { logNotifier } from './log-bridge.js';
import { buildManifest, type PluginNeeds } from './manifest.js';
import { unwrapHookRequest, unwrapNotification } from '../lightningd/notification.js';
import { ProtocolOutput, type MessageWriter } from './protocol-output.js';
import { findManifestConfig, manifestNeeds, nodeRpcPath, readInit, rpcEnv, type ManifestConfig } from './setup.js';
import { ShutdownPlan } from './shutdown.js';
import { ClnSource } from './notification-source.js';
import { LOG_TOPIC } from '../lightningd/topics.js';
import type { HookStats } from '../dispatch/hook-stats.js';
import { answerRpc, isRpcMethod, rpcTarget } from './rpc-methods.js';
import { unknownTopicWarnings } from '../config/cln-names.js';

export interface PluginIo {
  readonly input: Readable;
  readonly write: MessageWriter;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  // lightningd's name for this plugin (the file's basename): its own log
  // lines come back as log/warning notifications and must not feed hooks.
  readonly name: string;
}

export const SOURCE_NAME = 'cln';
// JSON-RPC "method not found".
const METHOD_NOT_FOUND = -32601;
// Notifications kept while init is being answered (lightningd sends none then).
const MAX_EARLY_NOTIFICATIONS = 10_000;

export class ClnPlugin {
  readonly log: Logger;
  private readonly output: ProtocolOutput;
  private readonly source = new ClnSource();
  private readonly reader = new MessageReader();
  private manifestConfig: ManifestConfig | undefined;
  private registered: PluginNeeds | undefined;
  private daemon: Daemon | undefined;
  private decisions: DecisionRunner | undefined;
  private shutdown: ShutdownPlan | undefined;
  private readyResolve!: (ready: boolean) => void;
  // Resolves true once init has started the daemon, false when disabled.
  private readonly ready = new Promise<boolean>((resolve) => (this.readyResolve = resolve));
  private exitResolve!: (code: number) => void;
  private readonly exited = new Promise<number>((resolve) => (this.exitResolve = resolve));
  // getmanifest and init being answered.
  private readonly inflight = new Set<Promise<void>>();
  // Notifications that came before init was answered.
  private readonly early: JsonObject[] = [];

  constructor(private readonly io: PluginIo) {
    this.output = new ProtocolOutput(io.write);
    this.log = createLogger({ target: logNotifier((message) => this.output.notify(message)), format: 'json' });
  }

  // Serves lightningd until shutdown (or stdin's end); resolves with the exit code.
  async run(): Promise<number> {
    void this.read();
    return this.exited;
  }

  // A signal asks hookd to stop as lightningd's shutdown would.
  requestStop(reason: string): void {
    this.beginShutdown(reason);
  }

  private async read(): Promise<void> {
    try {
      for await (const chunk of this.io.input) {
        for (const item of this.reader.push(chunk as Buffer)) this.handleItem(item);
      }
      for (const item of this.reader.end()) this.handleItem(item);
    } catch (error) {
      this.log.error({ error: errorText(error) }, 'cannot read from lightningd');
    }
    // Answer what was asked before stdin closed (a replayed or piped session).
    await Promise.allSettled([...this.inflight]);
    this.beginShutdown('lightningd closed our stdin');
  }

  private handleItem(item: FramedItem): void {
    if (item.kind === 'oversize') return void this.log.error({ bytes: item.size }, 'message from lightningd over the size limit: skipped');
    if (item.kind === 'garbage') return void this.log.warn(`skipped bytes from lightningd that are not a JSON message: ${item.text.slice(0, 80)}`);
    let message: JsonValue;
    try {
      message = parseJson(item.text);
    } catch (error) {
      this.log.warn(`skipped a message from lightningd that is not JSON: ${error instanceof JsonSyntaxError ? error.message : String(error)}`);
      return;
    }
    if (!isJsonObject(message) || typeof message.method !== 'string') return; // a response: hookd asks nothing
    const { method } = message;
    if (!('id' in message)) return this.handleNotification(method, message);
    const id = message.id as JsonValue;
    if (method === 'getmanifest') this.track(this.getManifest(id));
    else if (method === 'init') this.track(this.init(id, message.params));
    else {
      const hook = hookDefinition(method);
      if (hook !== undefined) void this.answerHook(id, hook, message.params);
      else if (isRpcMethod(method)) void this.answerRpc(id, method, message.params);
      else this.output.error(id, METHOD_NOT_FOUND, `hookd has no method ${method}`);
    }
  }

  private async getManifest(id: JsonValue): Promise<void> {
    this.manifestConfig = await findManifestConfig(this.io);
    this.registered = manifestNeeds(this.manifestConfig);
    this.output.reply(id, buildManifest(this.registered));
    this.output.release();
    if ('problem' in this.manifestConfig) this.log.info(`no config for the manifest (${this.manifestConfig.problem}): subscribing to every notification; the hookd-config option decides at init`);
  }

  private async init(id: JsonValue, params: JsonValue | undefined): Promise<void> {
    const found = this.manifestConfig ?? (await findManifestConfig(this.io));
    const settings = await readInit(params, found, this.registered ?? manifestNeeds(found), this.io);
    if ('disable' in settings) return this.disable(id, settings.disable);
    this.log.level = settings.logLevel;
    const extraEnv = rpcEnv(settings);
    // lightningd kills a plugin 30 s after shutdown: the daemon's grace fits in that.
    const config: HookdConfig = Object.freeze({ ...settings.config, shutdownTimeoutMs: Math.min(settings.config.shutdownTimeoutMs, ShutdownPlan.MAX_PHASE_MS) });
    // No live reload: lightningd fixed the subscriptions and decision hooks at
    // the manifest, and the shutdown grace above must stay clamped.
    const outsideStats = (): ReadonlyMap<string, HookStats> => this.decisions?.stats.all() ?? new Map();
    const daemon = new Daemon({ config, log: this.log, handleSignals: false, watchConfig: false, protocolSource: this.source, extraEnv, outsideStats, clnRpc: nodeRpcPath(settings) });
    try {
      await daemon.start();
    } catch (error) {
      return this.disable(id, `cannot start: ${(error as Error).message}`);
    }
    this.daemon = daemon;
    this.decisions = new DecisionRunner({ config: () => daemon.config, log: this.log, extraEnv, replies: daemon.metrics });
    void daemon.exited.then((code) => this.finish(code));
    this.output.reply(id, {});
    this.readyResolve(true);
    for (const early of this.early.splice(0)) this.handleNotification(early.method as string, early);
    this.log.info({ config: config.file, rpcEnv: config.rpcEnv, subscriptions: this.registered?.subscriptions, hooks: this.registered?.hooks }, 'hookd plugin ready');
    for (const warning of unknownTopicWarnings(config)) this.log.warn(warning);
  }

  private disable(id: JsonValue, reason: string): void {
    this.log.error(`disabled: ${reason}`);
    this.output.reply(id, { disable: reason });
    this.readyResolve(false);
    // lightningd ends the plugin after reading this; leave by ourselves if it does not.
    setTimeout(() => this.finish(0), 5000).unref();
  }

  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private handleNotification(method: string, message: JsonObject): void {
    const payload = unwrapNotification(method, message.params, message.origin);
    if ((method === 'log' || method === 'warning') && payload.fields.source === `plugin-${this.io.name}`) return; // our own log lines
    const event = makeEvent({ type: method, fields: payload.fields, raw: payload.raw, source: SOURCE_NAME });
    const config = this.daemon?.config;
    if (config === undefined) {
      // lightningd sends none before init is answered; a piped session might.
      if (this.early.length < MAX_EARLY_NOTIFICATIONS) this.early.push(message);
      return;
    }
    if (method === LOG_TOPIC) {
      // As in lightningd, "*" does not include log: only hooks naming it get it.
      const hooks = config.hooks.filter((hook) => !hook.decide && hook.on.includes(LOG_TOPIC) && hookMatches(hook, method, payload.fields));
      if (hooks.length > 0) this.source.push(event, hooks.map((hook) => hook.name));
    } else if (config.hooks.some((hook) => !hook.decide && hook.matchType(method))) {
      // Others are not queued (with a provisional "*" subscription most would not match).
      this.source.push(event);
    }
    if (method === 'shutdown') this.beginShutdown('lightningd sent shutdown (lightning-cli plugin stop, or lightningd stopping)');
  }

  private async answerHook(id: JsonValue, hook: HookDefinition, params: JsonValue | undefined): Promise<void> {
    const payload = unwrapHookRequest(hook.name, params);
    let reply: JsonObject = CONTINUE;
    if ((await this.ready) && this.decisions !== undefined) {
      const event = makeEvent({ type: hook.name, fields: payload.fields, raw: payload.raw, source: SOURCE_NAME, id: typeof id === 'string' ? id : String(id) });
      reply = await this.decisions.decide(hook, event);
    }
    this.output.reply(id, reply);
  }

  // hookd-status, hookd-dead: asked through lightningd (lightning-cli).
  private async answerRpc(id: JsonValue, method: string, params: JsonValue | undefined): Promise<void> {
    const answer = await answerRpc(method, params, rpcTarget(this.daemon));
    if ('result' in answer) this.output.reply(id, answer.result);
    else this.output.error(id, answer.error.code, answer.error.message);
  }

  private beginShutdown(reason: string): void {
    if (this.shutdown !== undefined) return;
    this.source.finish();
    const daemon = this.daemon;
    if (daemon === undefined) {
      this.readyResolve(false);
      this.finish(0);
      return;
    }
    this.log.info({ reason }, 'hookd plugin stopping');
    this.shutdown = new ShutdownPlan({
      stop: async () => {
        await this.decisions?.stop();
        await daemon.stop(reason);
      },
      busy: () => this.source.pendingCount > 0 || daemon.dispatcher.heldCount > 0 || daemon.dispatcher.runningCount > 0,
      giveUp: () => {
        this.log.error('hookd did not stop within lightningd\'s grace period: exiting now');
        this.finish(1);
      },
    }, daemon.config.shutdownTimeoutMs);
    this.shutdown.begin();
  }

  private finish(code: number): void {
    this.shutdown?.cancel();
    this.exitResolve(code);
  }
}

// lightningd's name for the plugin: the basename of the program it started.
export function pluginName(argv1: string | undefined): string {
  return path.basename(argv1 ?? 'hookd');
}
