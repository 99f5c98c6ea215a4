/**
 * The five doors of the contract suite, each a real bot (createApp) on a fresh database,
 * reached through its platform: the sandbox API, or a fake platform server speaking the
 * real Telegram or Zalo Bot API.
 */
import { createServer } from "node:net";
import { createApp, type App } from "../../src/app.js";
import type { Config } from "../../src/config.js";
import { createLogger } from "../../src/infra/log.js";
import { testConfig } from "../support/app.js";
import { FakeClock } from "../support/clock.js";
import { createTestDatabase, type Backend, type TestDatabase } from "../support/database.js";
import { SandboxClient } from "../support/sandbox-client.js";
import { FakeZalo, type ZaloChat, type ZaloUser } from "../fakes/zalo-server.js";
import { FakeTelegram, type SentMessage, type TgChat, type TgUser } from "../fakes/telegram-server.js";
import { matches, settle, type Door, type Reply } from "./door.js";
import { buildWorld, people, type Persona, type Place } from "./world.js";

export const NOW = "2026-11-24T03:00:00.000Z";
export type DoorName = "sandbox" | "telegram-polling" | "telegram-webhook" | "zalo-polling" | "zalo-webhook";
export const DOORS: DoorName[] = ["sandbox", "telegram-polling", "telegram-webhook", "zalo-polling", "zalo-webhook"];

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Deliver every notice due now, waiting out the platform's pacing between sends. */
async function drainOutbox(app: App): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    await app.outbox.tick();
    const [left] = await app.db.prisma.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "OutboxMessage" WHERE "status" IN ('PENDING', 'SENDING') AND "notBefore" < now() + interval '1 minute'`,
    );
    if (!Number(left?.n) || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Started {
  app: App;
  db: TestDatabase;
  logs: string[];
  clock: FakeClock;
}

export async function startBot(backend: Backend, over: Partial<Config>): Promise<Started> {
  const db = await createTestDatabase(backend);
  const logs: string[] = [];
  const secrets = [over.telegram?.token, over.zalo?.token, over.telegram?.webhookSecret, over.zalo?.webhookSecret].filter((s): s is string => Boolean(s));
  const clock = new FakeClock(NOW);
  // A year of notices to one group outruns Telegram's 20 a minute: the platform doors'
  // pacing runs 60 times faster here (the rules themselves are tested in delivery tests).
  const app = await createApp(testConfig({ database: db.config, demoSeed: false, delivery: { zaloPerSecond: 5, rateScale: 60, staleClaimMs: 120_000 }, ...over }), {
    clock,
    log: createLogger("info", (l) => logs.push(l), secrets),
  });
  return { app, db, logs, clock };
}

// ---------------------------------------------------------------- sandbox

export async function sandboxDoor(backend: Backend): Promise<Door> {
  const { app, db, clock } = await startBot(backend, { sandbox: true });
  const client = new SandboxClient(app.url, () => app.idle(), () => app.outbox.tick().then(() => undefined));
  const where = (place: Place) => ({ chatId: place.id, chatKind: place.kind, chatTitle: place.title });
  const toReply = (m: { text: string; choices?: { label: string }[]; file?: { name: string } }): Reply => ({ text: m.text, choices: m.choices?.map((c) => c.label) ?? [], file: m.file });
  const door: Door = {
    name: "sandbox",
    app,
    clock,
    demo: true,
    userKey: (p) => `web:${p.id}`,
    chatKey: (place) => `web:${place.id}`,
    async prepareGroup() {},
    async say(who, place, text) {
      return (await client.say({ userId: who.id, userName: who.name }, where(place), text)).map(toReply);
    },
    async pick(who, place, label) {
      return (await client.pick({ userId: who.id, userName: who.name }, where(place), label)).map(toReply);
    },
    async pressAgain(who, place, back, label) {
      const bots = (await client.messages(place.id)).filter((m) => m.from === "bot" && m.choices?.length);
      const target = bots[bots.length - 1 - back]!;
      const c = target.choices!.find((x) => matches(x.label, label))!;
      return (await client.say({ userId: who.id, userName: who.name }, where(place), { choice: c.id })).map(toReply);
    },
    async replies(place) {
      return (await client.messages(place.id)).filter((m) => m.from === "bot").map(toReply);
    },
    deliverOutbox: () => client.deliverOutbox(),
    async stop() {
      await app.stop();
      await db.drop();
    },
  };
  await buildWorld(app, door, new Date(NOW));
  return door;
}

// ---------------------------------------------------------------- zalo

/** Choices come back as numbered lines after a blank line: split them off the text. */
export function parseNumbered(text: string): Reply {
  const at = text.lastIndexOf("\n\n");
  const tail = at >= 0 ? text.slice(at + 2).split("\n") : [];
  if (tail.length && tail.every((l, i) => l.startsWith(`${i + 1}. `))) return { text: text.slice(0, at), choices: tail.map((l) => l.replace(/^\d+\. /, "")) };
  return { text, choices: [] };
}

/** `publicUrl`: give the bot its own address as PUBLIC_URL, so files (exports, pictures) go by link. */
export async function zaloDoor(
  backend: Backend,
  mode: "polling" | "webhook",
  opts: { publicUrl?: boolean } = {},
): Promise<Door & { zl: FakeZalo; user(p: Persona): ZaloUser; chat(place: Place, owner?: Persona): ZaloChat }> {
  const zl = await FakeZalo.start();
  const secret = "zalo-webhook-secret-0123";
  const port = opts.publicUrl ? await freePort() : null;
  const { app, db, clock } = await startBot(backend, {
    sandbox: false,
    ...(port && { http: { port, host: "127.0.0.1" }, publicUrl: `http://127.0.0.1:${port}` }),
    zalo: { token: zl.token, apiRoot: zl.apiRoot, mode, webhookSecret: mode === "webhook" ? secret : undefined },
  });
  if (mode === "webhook") {
    // The operator sets Zalo's webhook (the bot never does it implicitly).
    const r = await fetch(`${zl.apiRoot}/bot${zl.token}/setWebhook`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ url: `${app.url}/webhooks/zalo`, secret_token: secret }) });
    if (!((await r.json()) as { ok: boolean }).ok) throw new Error("setWebhook refused");
  }
  const users = new Map<string, ZaloUser>();
  const chats = new Map<string, ZaloChat>();
  let next = 1;
  const user = (p: Persona) => {
    let u = users.get(p.id);
    if (!u) users.set(p.id, (u = zl.user({ id: `70000000000000${String(next++).padStart(5, "0")}`, displayName: p.name })));
    return u;
  };
  const chat = (place: Place, owner?: Persona): ZaloChat => {
    const key = place.kind === "private" ? `dm:${owner!.id}` : place.id;
    let c = chats.get(key);
    if (!c) chats.set(key, (c = place.kind === "private" ? zl.privateChat(user(owner!)) : zl.group({ id: `80000000000000${String(next++).padStart(5, "0")}`, name: place.title })));
    return c;
  };
  const ownerOf = (place: Place) => (place.kind === "private" ? Object.values(people).find((p) => `dm-${p.id}` === place.id) : undefined);
  const settled = async (c: ZaloChat) => {
    await settle(
      () => zl.sent(c.id).length + zl.pending,
      async () => {
        if (zl.pending) return false;
        if (mode === "webhook") await zl.settled();
        await app.idle();
        return true;
      },
    );
  };
  const door: Door & { zl: FakeZalo; user(p: Persona): ZaloUser; chat(place: Place, owner?: Persona): ZaloChat } = {
    name: `zalo-${mode}`,
    zl,
    user,
    chat,
    app,
    clock,
    demo: false,
    userKey: (p) => `zalo:${user(p).id}`,
    chatKey: (place, owner) => `zalo:${chat(place, owner ?? ownerOf(place)).id}`,
    async prepareGroup(place, admins) {
      // Zalo knows a chat once someone has written in it: the admin says hello (the bot keeps quiet).
      const c = chat(place);
      zl.sendText(user(admins[0]!), c, "Chào mọi người");
      await settled(c);
    },
    async say(who, place, text) {
      const c = chat(place, place.kind === "private" ? who : undefined);
      const before = zl.sent(c.id).length;
      zl.sendText(user(who), c, text);
      await settled(c);
      return zl.sent(c.id).slice(before).map((m) => parseNumbered(m.text));
    },
    async pick(who, place, label) {
      const all = await door.replies(place);
      for (let i = all.length - 1; i >= 0; i--) {
        const n = all[i]!.choices.findIndex((c) => matches(c, label));
        if (n >= 0) return door.say(who, place, String(n + 1));
      }
      throw new Error(`no choice ${String(label)} in ${place.id}`);
    },
    async replies(place) {
      const c = chat(place, ownerOf(place));
      return zl.sent(c.id).map((m) => parseNumbered(m.text));
    },
    deliverOutbox: () => drainOutbox(app),
    async stop() {
      await app.stop();
      await zl.stop();
      await db.drop();
    },
  };
  await buildWorld(app, door, new Date(NOW));
  return door;
}


// ---------------------------------------------------------------- telegram

export async function telegramDoor(backend: Backend, mode: "polling" | "webhook"): Promise<Door & { tg: FakeTelegram; user(p: Persona): TgUser; chat(place: Place, owner?: Persona): TgChat; secret: string }> {
  const tg = await FakeTelegram.start();
  const secret = "tg_webhook_secret-0123";
  const port = await freePort();
  const { app, db, clock } = await startBot(backend, {
    sandbox: false,
    http: { port, host: "127.0.0.1" },
    publicUrl: `http://127.0.0.1:${port}`,
    telegram: { token: tg.token, apiRoot: tg.apiRoot, mode, webhookSecret: mode === "webhook" ? secret : undefined },
  });
  const users = new Map<string, TgUser>();
  const chats = new Map<string, TgChat>();
  let next = 1;
  const user = (p: Persona) => {
    let u = users.get(p.id);
    if (!u) {
      const [first, ...rest] = p.name.split(" ").reverse();
      users.set(p.id, (u = tg.user({ id: 5_000_000 + next++, firstName: first!, lastName: rest.reverse().join(" ") || undefined, languageCode: "vi" })));
    }
    return u;
  };
  const chat = (place: Place, owner?: Persona): TgChat => {
    const key = place.kind === "private" ? `dm:${owner!.id}` : place.id;
    let c = chats.get(key);
    if (!c) chats.set(key, (c = place.kind === "private" ? tg.privateChat(user(owner!)) : tg.group({ title: place.title ?? place.id, type: "supergroup" })));
    return c;
  };
  const ownerOf = (place: Place) => (place.kind === "private" ? Object.values(people).find((p) => `dm-${p.id}` === place.id) : undefined);
  const toReply = (m: SentMessage): Reply => ({ text: m.text ?? m.caption ?? "", choices: m.buttons.map((b) => b.text), ...(m.document && { file: { name: m.document.filename } }) });
  const settled = async (c: TgChat) => {
    await settle(
      () => tg.sent(c).length + tg.pendingUpdateCount + tg.calls.length,
      async () => {
        if (tg.pendingUpdateCount) return false;
        await app.idle();
        return true;
      },
    );
  };
  const act = async (c: TgChat, doIt: () => void) => {
    const before = tg.sent(c).length;
    doIt();
    await settled(c);
    return tg.sent(c).slice(before).filter((m) => !m.edited).map(toReply);
  };
  const press = (who: Persona, place: Place, m: SentMessage, label: string | RegExp) => {
    const c = chat(place, place.kind === "private" ? who : undefined);
    const b = m.buttons.find((x) => matches(x.text, label))!;
    return act(c, () => tg.pressButton(user(who), c, m.message_id, b.data!));
  };
  const door: Door & { tg: FakeTelegram; user(p: Persona): TgUser; chat(place: Place, owner?: Persona): TgChat; secret: string } = {
    name: `telegram-${mode}`,
    tg,
    user,
    chat,
    secret,
    app,
    clock,
    demo: false,
    userKey: (p) => `tg:${user(p).id}`,
    chatKey: (place, owner) => `tg:${chat(place, owner ?? ownerOf(place)).id}`,
    async prepareGroup(place, admins) {
      const c = chat(place);
      await act(c, () => tg.addBotToGroup(c, user(admins[0]!)));
      for (const a of admins) tg.setAdmin(c, user(a), true);
    },
    async say(who, place, text) {
      const c = chat(place, place.kind === "private" ? who : undefined);
      return act(c, () => tg.sendText(user(who), c, text));
    },
    async pick(who, place, label) {
      const c = chat(place, place.kind === "private" ? who : undefined);
      const offering = tg
        .sent(c)
        .filter((m) => m.buttons.some((b) => matches(b.text, label)))
        .at(-1);
      if (!offering) throw new Error(`no button ${String(label)} in ${place.id}: ${JSON.stringify(tg.sent(c).slice(-2).map(toReply))}`);
      return press(who, place, offering, label);
    },
    async pressAgain(who, place, back, label) {
      const c = chat(place, place.kind === "private" ? who : undefined);
      const withButtons = tg.sent(c).filter((m) => m.buttons.length);
      return press(who, place, withButtons[withButtons.length - 1 - back]!, label);
    },
    async replies(place) {
      return tg
        .sent(chat(place, ownerOf(place)))
        .filter((m) => !m.edited)
        .map(toReply);
    },
    deliverOutbox: () => drainOutbox(app),
    async stop() {
      await app.stop();
      await tg.stop();
      await db.drop();
    },
  };
  await buildWorld(app, door, new Date(NOW));
  return door;
}
