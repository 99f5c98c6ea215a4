/**
 * The composition root: everything is wired here (and in platforms.ts) and nowhere else.
 * `createApp` builds a running bot from a Config (main.ts passes the environment's; tests
 * pass their own), and `stop` is the one shutdown path: stop taking updates, finish what
 * was taken, stop the workers, close the database.
 */
import { createHash } from "node:crypto";
import type { Server } from "node:http";
import { hostname } from "node:os";
import type { AddressInfo } from "node:net";
import type { Config } from "./config.js";
import { isPicture, type Inbound, type Locale } from "./core/model.js";
import type { ChartRenderer, ChatAdmins, Clock, DocumentWriter, Logger, SpreadsheetWriter, Store } from "./core/ports.js";
import { BotEngine } from "./core/bot/engine.js";
import { chartReplies } from "./infra/chart-replies.js";
import { lazyChartRenderer } from "./infra/lazy-chart-renderer.js";
import { openDatabase, type Database } from "./infra/db/open.js";
import { downloadReader, fileReader, purgeFiles } from "./infra/files.js";
import { createTranslator, type Translator } from "./infra/i18n.js";
import { Inbox, purgeDelivered, purgeHandled } from "./infra/inbox.js";
import { Limiter } from "./infra/limiter.js";
import { createLogger } from "./infra/log.js";
import { OutboxWorker } from "./infra/outbox/worker.js";
import { TELEGRAM_PACING, zaloPacing, type PlatformPacing } from "./infra/outbox/pacing.js";
import { Scheduler } from "./infra/scheduler.js";
import { finishBroadcast } from "./core/usecases/announce.js";
import { systemEnv } from "./core/usecases/env.js";
import { randomId } from "./core/codes.js";
import { createStore } from "./infra/store/index.js";
import { HttpError, Router, sendJson, startHttp } from "./http/server.js";
import { hostGuard } from "./http/host-guard.js";
import { platformOf, type Channel } from "./adapters/channel.js";
import { replyDelivery } from "./adapters/replies.js";
import { sandboxChannel } from "./adapters/sandbox/channel.js";
import { Sandbox } from "./adapters/sandbox/server.js";
import { Transcript } from "./adapters/sandbox/transcript.js";
import type { TelegramAdapter } from "./adapters/telegram/adapter.js";
import type { ZaloAdapter } from "./adapters/zalo/adapter.js";
import { createPlatforms } from "./platforms.js";
import { loadTemplate } from "./seed/load.js";
import { demoPersonas, seedDemo, seedReference } from "./seed/seed.js";
import { FILE_KEEP_DAYS, HANDLED_KEEP_HOURS, OUTBOX_KEEP_DAYS } from "./core/limits.js";

export interface App {
  readonly config: Config;
  readonly db: Database;
  readonly store: Store;
  readonly engine: BotEngine;
  readonly translator: Translator;
  readonly sandbox: Sandbox | null;
  readonly telegram: TelegramAdapter | null;
  readonly zalo: ZaloAdapter | null;
  readonly inbox: Inbox;
  readonly outbox: OutboxWorker;
  readonly scheduler: Scheduler;
  readonly log: Logger;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** Resolves when every update taken so far has been handled. */
  idle(): Promise<void>;
  /** Delete handled updates past their keeping time (HANDLED_KEEP_HOURS), delivered outbox rows past OUTBOX_KEEP_DAYS and files past FILE_KEEP_DAYS; the scheduler runs it hourly. */
  housekeeping(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  /** Draws /tiendo's picture; default the PNG renderer with the shipped fonts (checked at start-up, ECharts loaded at the first picture). */
  chartRenderer?: ChartRenderer;
}

/** The docx package is large: load it when the first document is made, not at start-up. */
function lazyDocxWriter(): DocumentWriter {
  return {
    extension: "docx",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    write: async (doc) => (await import("./infra/docx.js")).docxWriter().write(doc),
  };
}

/** exceljs too (about 20 MB resident): loaded at the first spreadsheet. */
function lazyXlsxWriter(): SpreadsheetWriter {
  return {
    extension: "xlsx",
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    write: async (sheets) => (await import("./infra/spreadsheet.js")).xlsxWriter().write(sheets),
  };
}

const systemClock: Clock = { now: () => new Date() };

/** The rate budget a platform's messages spend; the key names the bot, never its token. */
function pacingOf(platform: string, config: Config): { pacing: PlatformPacing | null; budgetKey: string } {
  if (platform === "tg") return { pacing: TELEGRAM_PACING, budgetKey: `tg:bot:${config.telegram!.token.split(":")[0]}` };
  if (platform === "zalo") return { pacing: zaloPacing(config.delivery.zaloPerSecond), budgetKey: `zalo:bot:${createHash("sha256").update(config.zalo!.token).digest("hex").slice(0, 16)}` };
  return { pacing: null, budgetKey: `${platform}:local` };
}
/** Connections per instance to a PostgreSQL server. */
const POOL_SIZE = 10;

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const secrets = [config.telegram?.token, config.zalo?.token, config.telegram?.webhookSecret, config.zalo?.webhookSecret].filter((s): s is string => Boolean(s));
  const log = opts.log ?? createLogger(config.logLevel, undefined, secrets);
  const clock = opts.clock ?? systemClock;
  const db = await openDatabase(config.database.kind === "postgres" ? { ...config.database, poolSize: POOL_SIZE } : config.database);
  if (db.applied.length) log.info("database migrated", { applied: db.applied.length, kind: db.kind });
  const store = createStore(db);
  const translator = createTranslator(config.defaultLocale);
  const seedDeps = { store, translate: translator.translate, defaultLocale: config.defaultLocale, timeZone: config.timeZone, now: clock.now() };
  await seedReference(seedDeps);
  if (config.demoSeed) await seedDemo(seedDeps);

  // Group-admin lookups go to the platform that knows them (Telegram); others cannot tell.
  const adminsByPlatform = new Map<string, ChatAdmins>();
  const chatAdmins: ChatAdmins = { isAdmin: async (chat, user) => (await adminsByPlatform.get(platformOf(chat))?.isAdmin(chat, user)) ?? null };
  const engine = new BotEngine(
    { clock, translate: translator.translate, log, timeZone: config.timeZone, defaultLocale: config.defaultLocale, spreadsheet: lazyXlsxWriter(), documents: lazyDocxWriter(), chatAdmins, templates: loadTemplate },
    store,
  );

  // Updates handled at once: PGlite runs one transaction at a time on the main thread;
  // PostgreSQL gets one per pooled connection.
  const limiter = new Limiter(db.kind === "pglite" ? 2 : POOL_SIZE);
  const handle = (inbound: Inbound) => limiter.run(() => engine.handle(inbound));

  const finishOne = (id: number) =>
    store.transaction((tx) => finishBroadcast(systemEnv("system", { tx, now: clock.now(), translate: translator.translate, defaultLocale: config.defaultLocale, timeZone: config.timeZone }), id));
  const channels: Channel[] = [];
  const outbox = new OutboxWorker({
    prisma: db.prisma,
    channel: (p) => channels.find((c) => c.platform === p),
    platforms: () => channels.map((c) => ({ platform: c.platform, ...pacingOf(c.platform, config) })),
    log,
    instance: `${hostname()}:${process.pid}:${randomId(4)}`,
    rateScale: config.delivery.rateScale,
    staleClaimMs: config.delivery.staleClaimMs,
    onChatGone: (chatKey) => engine.chatEvent({ kind: "bot_removed", chatKey }),
    onBroadcastDone: (id) => finishOne(id),
  });
  const finishBroadcasts = async () => {
    // A process that stopped between a broadcast's last send and its look at the broadcast
    // (the worker looks once a second) leaves it open: its author is told here instead.
    // (A broadcast that found nobody to reach was answered so at once: it has no last word.)
    const open = await db.prisma.broadcast.findMany({ where: { completedAt: null, total: { gt: 0 } }, select: { id: true } });
    for (const b of open) await finishOne(b.id);
  };
  const housekeeping = async (now: Date) => {
    await finishBroadcasts();
    const purged = await purgeHandled(db.prisma, now, HANDLED_KEEP_HOURS);
    if (purged.inbound || purged.processed) log.info("handled updates purged", purged);
    const outbox = await purgeDelivered(db.prisma, now, OUTBOX_KEEP_DAYS);
    if (outbox) log.info("delivered outbox rows purged", { outbox });
    const purgedFiles = await purgeFiles(db.prisma, FILE_KEEP_DAYS);
    if (purgedFiles) log.info("files past their keeping time deleted", { files: purgedFiles });
  };
  const scheduler = new Scheduler({
    store,
    clock,
    translate: translator.translate,
    defaultLocale: config.defaultLocale,
    timeZone: config.timeZone,
    log,
    graceMs: config.scheduler.graceMs,
    onQueued: () => outbox.poke(),
    housekeeping,
  });
  // Pictures the core described are drawn here, after the update's transaction and before
  // the replies leave (platforms through the inbox, the sandbox through its transcript).
  const withCharts = chartReplies({ renderer: opts.chartRenderer ?? lazyChartRenderer(), store, log });
  const delivery = replyDelivery({ channels: () => channels, store, log, onQueued: () => outbox.poke(), onRateLimited: (p, ms) => outbox.rateLimited(p, ms) });
  const inbox = new Inbox({
    prisma: db.prisma,
    sql: db.sql,
    handle,
    deliver: async (chatKey, replies, updateId) => delivery(chatKey, await withCharts(replies), updateId),
    log,
    clock,
  });
  const files = fileReader(db.prisma);
  // What a download link serves: nothing past FILE_KEEP_DAYS, even before the housekeeping deletes it.
  const downloads = downloadReader(db.prisma, FILE_KEEP_DAYS);

  const router = new Router();
  router.on("GET", "/healthz", (_req, res) => sendJson(res, 200, { ok: true }));

  let sandbox: Sandbox | null = null;
  if (config.sandbox) {
    const transcript = new Transcript(db.prisma);
    channels.push(sandboxChannel(transcript));
    sandbox = new Sandbox({
      handle: async (inbound) => {
        const result = await handle(inbound);
        return { ...result, replies: await withCharts(result.replies) };
      },
      transcript,
      files: downloads,
      pollMs: db.kind === "postgres" ? 2000 : null,
      streams: config.sandboxStreams,
      allowHost: hostGuard({ host: config.http.host, publicUrl: config.publicUrl }),
      log,
      personas: (locale: Locale) => demoPersonas(store, translator.translate, locale),
      catalogue: (locale: Locale) => translator.catalogue(locale, "sandbox"),
    });
    sandbox.register(router);
  }

  const { telegram, zalo } = createPlatforms({ config, engine, inbox, files, translate: translator.translate, log });
  if (telegram) {
    channels.push(telegram);
    adminsByPlatform.set("tg", telegram);
  }
  if (zalo) {
    channels.push(zalo);
    // Zalo cannot carry documents: exports are offered as an unguessable link instead, and
    // pictures (/tiendo's chart) are sent by that link, which Zalo fetches.
    router.onPrefix("GET", "/files/", async (_req, res, url) => {
      const id = url.pathname.slice("/files/".length);
      const file = /^[A-Za-z0-9_-]{20,64}$/.test(id) ? await downloads(id) : null;
      if (!file) throw new HttpError(404, "no such file");
      const disposition = isPicture(file.name) ? "inline" : "attachment";
      res.writeHead(200, { "content-type": file.mime, "content-disposition": `${disposition}; filename*=UTF-8''${encodeURIComponent(file.name)}`, "x-content-type-options": "nosniff" });
      res.end(file.data);
    });
  }
  // Ready: the database answers and every configured door reaches its platform; the body names what is down.
  router.on("GET", "/readyz", async (_req, res) => {
    const databaseUp = await db.ping().catch(() => false);
    const doors = Object.fromEntries([telegram, zalo].flatMap((d) => (d ? [[d.reach.door, d.reach.status] as const] : [])));
    const down = [...(databaseUp ? [] : ["database"]), ...Object.entries(doors).flatMap(([name, s]) => (s.up ? [] : [name]))];
    sendJson(res, down.length ? 503 : 200, { ok: !down.length, database: db.kind, doors, down });
  });
  if (!sandbox && !telegram && !zalo) log.warn("no door is open: set TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN, or SANDBOX=on");

  let server: Server | null = null;
  try {
    server = await startHttp(router, config.http, log);
    // What was received but not answered before the last stop is answered first.
    const recovered = (await inbox.recover()) + (sandbox ? await sandbox.recover() : 0);
    if (recovered) log.info("updates answered after restart", { count: recovered });
    await telegram?.start(router);
    await zalo?.start(router);
    if (config.workers) {
      outbox.start();
      scheduler.start();
    }
  } catch (e) {
    await telegram?.stop().catch(() => undefined);
    await zalo?.stop().catch(() => undefined);
    server?.close();
    await db.close();
    throw e;
  }
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  log.info("listening", { url, sandbox: Boolean(sandbox), telegram: telegram ? config.telegram!.mode : "off", zalo: zalo ? config.zalo!.mode : "off", database: db.kind });

  let stopping: Promise<void> | null = null;
  const idle = async () => {
    await telegram?.idle();
    await inbox.idle();
    await sandbox?.idle();
  };
  return {
    config,
    db,
    store,
    engine,
    translator,
    sandbox,
    telegram,
    zalo,
    inbox,
    outbox,
    scheduler,
    log,
    url,
    idle,
    housekeeping: () => housekeeping(clock.now()),
    stop() {
      stopping ??= (async () => {
        await telegram?.stop();
        await zalo?.stop();
        await new Promise<void>((resolve) => {
          server!.close(() => resolve());
          server!.closeAllConnections();
        });
        await idle();
        await scheduler.stop();
        await outbox.stop();
        await db.close();
      })();
      return stopping;
    },
  };
}
