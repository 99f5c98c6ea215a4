/**
 * The composition root: everything is wired here and nowhere else. `createApp` builds a
 * running bot from a Config (main.ts passes the environment's; tests pass their own), and
 * `stop` is the one shutdown path: HTTP server, workers, database, in that order.
 */
import type { Server } from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import type { Config } from "./config.js";
import type { Inbound, Locale } from "./core/model.js";
import type { Clock, Logger } from "./core/ports.js";
import { BotEngine } from "./core/bot/engine.js";
import { openDatabase, type Database } from "./infra/db/open.js";
import { createTranslator, type Translator } from "./infra/i18n.js";
import { createLogger } from "./infra/log.js";
import { OutboxWorker } from "./infra/outbox/worker.js";
import { Limiter } from "./infra/limiter.js";
import { xlsxWriter } from "./infra/spreadsheet.js";
import { createStore } from "./infra/store/index.js";
import { Router, sendJson, startHttp } from "./http/server.js";
import { sandboxChannel } from "./adapters/sandbox/channel.js";
import { Sandbox } from "./adapters/sandbox/server.js";
import { Transcript } from "./adapters/sandbox/transcript.js";
import type { Channel } from "./adapters/channel.js";
import { demoPersonas, seedDemo, seedReference } from "./seed/seed.js";
import type { Store } from "./core/ports.js";

export interface App {
  readonly config: Config;
  readonly db: Database;
  readonly store: Store;
  readonly engine: BotEngine;
  readonly translator: Translator;
  readonly sandbox: Sandbox | null;
  readonly outbox: OutboxWorker;
  readonly log: Logger;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
}

const systemClock: Clock = { now: () => new Date() };
/** Connections per instance to a PostgreSQL server. */
const POOL_SIZE = 10;

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const secrets = [config.telegram?.token, config.zalo?.token, config.telegram?.webhookSecret, config.zalo?.webhookSecret].filter((s): s is string => Boolean(s));
  const log = opts.log ?? createLogger(config.logLevel, undefined, secrets);
  const clock = opts.clock ?? systemClock;
  const db = await openDatabase(config.database.kind === "postgres" ? { ...config.database, poolSize: POOL_SIZE } : config.database);
  if (db.applied.length) log.info("database migrated", { applied: db.applied.length, kind: db.kind });
  const store = createStore(db.prisma);
  const translator = createTranslator(config.defaultLocale);
  const seedDeps = { store, translate: translator.translate, defaultLocale: config.defaultLocale, timeZone: config.timeZone, now: clock.now() };
  await seedReference(seedDeps);
  if (config.demoSeed) await seedDemo(seedDeps);

  const engine = new BotEngine(
    { clock, translate: translator.translate, log, timeZone: config.timeZone, defaultLocale: config.defaultLocale, spreadsheet: xlsxWriter() },
    store,
  );

  // Updates handled at once: PGlite runs one transaction at a time on the main thread, so
  // more in flight only starves the HTTP server; PostgreSQL gets one per pooled connection.
  const limiter = new Limiter(db.kind === "pglite" ? 2 : POOL_SIZE);
  const handle = (inbound: Inbound) => limiter.run(() => engine.handle(inbound));

  const router = new Router();
  router.on("GET", "/healthz", (_req, res) => sendJson(res, 200, { ok: true }));
  router.on("GET", "/readyz", async (_req, res) => {
    const ok = await db.ping().catch(() => false);
    sendJson(res, ok ? 200 : 503, { ok, database: db.kind });
  });

  const channels: Channel[] = [];
  let sandbox: Sandbox | null = null;
  if (config.sandbox) {
    const transcript = new Transcript(db.prisma);
    channels.push(sandboxChannel(transcript));
    sandbox = new Sandbox({
      handle,
      transcript,
      pollMs: db.kind === "postgres" ? 2000 : null,
      log,
      personas: (locale: Locale) => demoPersonas(store, translator.translate, locale),
      catalogue: (locale: Locale) => translator.catalogue(locale, "sandbox"),
    });
    sandbox.register(router);
  }

  const outbox = new OutboxWorker({ prisma: db.prisma, channels, log, instance: `${hostname()}:${process.pid}` });
  let server: Server | null = null;
  try {
    server = await startHttp(router, config.http, log);
    if (sandbox) {
      const recovered = await sandbox.recover();
      if (recovered) log.info("sandbox messages answered after restart", { count: recovered });
    }
    if (config.workers) outbox.start();
  } catch (e) {
    server?.close();
    await db.close();
    throw e;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  log.info("listening", { url, sandbox: Boolean(sandbox), database: db.kind });

  let stopping: Promise<void> | null = null;
  return {
    config,
    db,
    store,
    engine,
    translator,
    sandbox,
    outbox,
    log,
    url,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server!.close(() => resolve());
          server!.closeAllConnections();
        });
        await outbox.stop();
        await sandbox?.idle();
        await db.close();
      })();
      return stopping;
    },
  };
}
