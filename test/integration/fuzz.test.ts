/**
 * Hostile input, all doors at once: one bot with the sandbox, a Telegram webhook and a Zalo
 * webhook (against the fake platform servers), fed well over a hundred distinct hostile
 * inputs — wrong types, missing fields, huge and deeply nested bodies, NUL bytes, lone
 * surrogates, direction overrides, invisible-only text, impossible dates and numbers,
 * SQL-, formula- and markup-looking text. Each is answered cleanly (the right HTTP status;
 * in chat a translated refusal or answer, never the internal-error apology) and changes
 * nothing: the business tables hash the same before and after. A Zalo poller is fed
 * malformed events too: each is counted and logged, and the next event is answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { createLogger } from "../../src/infra/log.js";
import { backends, createTestDatabase, type TestDatabase } from "../support/database.js";
import { DEFAULT_NOW, testConfig } from "../support/app.js";
import { FakeClock } from "../support/clock.js";
import { dm, SandboxClient, type Msg } from "../support/sandbox-client.js";
import { FakeTelegram, type TgUser } from "../fakes/telegram-server.js";
import { FakeZalo, type ZaloChat, type ZaloUser } from "../fakes/zalo-server.js";
import { freePort } from "../contract/doors.js";

/** Tables that hold the movement's data (not the inbox, transcript, outbox or dialog bookkeeping). */
const BUSINESS_TABLES = [
  "Unit",
  "UnitParentHistory",
  "Person",
  "Identity",
  "Role",
  "InviteCode",
  "InviteRedemption",
  "Chat",
  "Campaign",
  "ContentArea",
  "Phase",
  "CampaignDate",
  "Commemoration",
  "ThemeRegistration",
  "Theme",
  "ThemeTarget",
  "TargetResult",
  "PhaseReport",
  "ReportFigure",
  "CommendationForm",
  "Nomination",
  "PlaqueWork",
  "ReviewDecision",
  "AuditEvent",
  "Consent",
  "DataRequest",
  "Broadcast",
  "StoredFile",
];

/** A marker inside hostile texts: it must never reach the logs. */
const MARK = "FUZZMARK";
const INTERNAL = "Xin lỗi, đã có lỗi khi xử lý";
const TG_SECRET = "tg_fuzz_secret-0123456";
const ZALO_SECRET = "zalo-fuzz-secret-0123";

/** Every distinct hostile input the suite sends, counted per door (the README quotes the total). */
const tally = { telegram: 0, zalo: 0, sandbox: 0, chat: 0, zaloPolling: 0 };

/** Texts that must never crash anything, sent as chat messages through every platform door. */
const HOSTILE_TEXTS: [string, string][] = [
  ["only a NUL", "\u0000"],
  ["NUL inside", `xin\u0000chào ${MARK}`],
  ["lone high surrogate", `\uD800 ${MARK}`],
  ["lone low surrogate", `\uDFFF${MARK}`],
  ["reversed surrogate pair", `\uDC00\uD800${MARK}`],
  ["emoji cut in half", `👍${"👍".slice(0, 1)}${MARK}`],
  ["right-to-left override", `\u202E${MARK} nội dung`],
  ["zero-width only", "\u200B\u200C\u200D\u2060"],
  ["SQL", `'; DROP TABLE "Person"; -- ${MARK}`],
  ["formula", `=HYPERLINK("http://evil.invalid","${MARK}")`],
  ["HTML", `<script>alert("${MARK}")</script><b>x</b>`],
  ["markdown", `*${MARK}* _x_ [a](tg://user?id=1) \`code\``],
  ["format specifiers", `%s%s%n%x {{constructor}} \${process.env} ${MARK}`],
  ["unknown command with NUL", `/xinchao\u0000${MARK}`],
  ["bidi before a command", `\u202E/help ${MARK}`],
];

describe.each(backends())("hostile input on %s", (backend) => {
  let app: App;
  let db: TestDatabase;
  let tg: FakeTelegram;
  let zl: FakeZalo;
  let client: SandboxClient;
  const logs: string[] = [];
  let tgUser: TgUser;
  let zUser: ZaloUser;
  let zChat: ZaloChat;

  beforeAll(async () => {
    db = await createTestDatabase(backend);
    tg = await FakeTelegram.start();
    zl = await FakeZalo.start();
    const port = await freePort();
    app = await createApp(
      testConfig({
        database: db.config,
        sandbox: true,
        http: { port, host: "127.0.0.1" },
        publicUrl: `http://127.0.0.1:${port}`,
        telegram: { token: tg.token, apiRoot: tg.apiRoot, mode: "webhook", webhookSecret: TG_SECRET },
        zalo: { token: zl.token, apiRoot: zl.apiRoot, mode: "webhook", webhookSecret: ZALO_SECRET },
      }),
      { clock: new FakeClock(DEFAULT_NOW), log: createLogger("info", (l) => logs.push(l), [tg.token, zl.token, TG_SECRET, ZALO_SECRET]) },
    );
    client = new SandboxClient(app.url, () => app.idle(), () => app.outbox.tick().then(() => undefined));
    // People who have written before: a hostile message of theirs must change nothing.
    tgUser = tg.user({ firstName: "Giang", lastName: "Ngô Thị", languageCode: "vi" });
    tg.sendText(tgUser, tg.privateChat(tgUser), "/help");
    zUser = zl.user({ displayName: "Ngô Thị Giang" });
    zChat = zl.privateChat(zUser);
    await fetch(`${zl.apiRoot}/bot${zl.token}/setWebhook`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: `${app.url}/webhooks/zalo`, secret_token: ZALO_SECRET }),
    });
    zl.sendText(zUser, zChat, "/help");
    await until(async () => tg.sent(tg.privateChat(tgUser)).length > 0 && zl.sent(zChat.id).length > 0, "the first answers");
    for (const who of ["demo-giang"]) {
      await client.say({ userId: who, userName: "Ngô Thị Giang" }, dm(who), "/start");
      await client.pick({ userId: who, userName: "Ngô Thị Giang" }, dm(who), "Tôi đồng ý");
    }
  });
  afterAll(async () => {
    await app?.stop();
    await tg?.stop();
    await zl?.stop();
    await db?.drop();
  });

  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await app.idle();
  }

  /** One hash per business table: any change to any row shows. */
  async function snapshot(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const table of BUSINESS_TABLES) {
      const [row] = await app.db.prisma.$queryRawUnsafe<{ h: string }[]>(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${table}" t`);
      out[table] = row!.h;
    }
    return out;
  }

  const inboxCount = () => app.db.prisma.inboundEvent.count();

  // ------------------------------------------------------------------ Telegram webhook

  const tgPost = (body: string, secret: string | null = TG_SECRET) =>
    fetch(`${app.url}/webhooks/telegram`, { method: "POST", headers: { "content-type": "application/json", ...(secret !== null && { "x-telegram-bot-api-secret-token": secret }) }, body });
  let nextUpdate = 900_000_000;
  const tgMessage = (over: Record<string, unknown> = {}) => ({
    message_id: nextUpdate,
    date: 1_764_000_000,
    chat: { id: tgUser.id, type: "private", first_name: tgUser.first_name },
    from: { ...tgUser },
    text: "chào",
    ...over,
  });

  it("drops malformed but authenticated Telegram updates with 200 and one line each, and refuses what is not an update", async () => {
    const before = await snapshot();
    const inboxBefore = await inboxCount();
    const droppedBefore = app.telegram!.malformed;
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    const malformed: [string, Record<string, unknown>][] = [
      ["message without chat", { message: { message_id: 1, date: 1, from: { ...tgUser }, text: `hi ${MARK}` } }],
      ["chat is a string", { message: tgMessage({ chat: "private" }) }],
      ["chat id is a string", { message: tgMessage({ chat: { id: String(tgUser.id), type: "private" } }) }],
      ["chat id is a fraction", { message: tgMessage({ chat: { id: 1.5, type: "private" } }) }],
      ["chat id beyond 2^53", { message: tgMessage({ chat: { id: 2 ** 60, type: "private" } }) }],
      ["chat without id", { message: tgMessage({ chat: { type: "private" } }) }],
      ["chat without type", { message: tgMessage({ chat: { id: tgUser.id } }) }],
      ["sender without is_bot and name", { message: tgMessage({ from: { id: tgUser.id } }) }],
      ["sender id is null", { message: tgMessage({ from: { ...tgUser, id: null } }) }],
      ["text is a number", { message: tgMessage({ text: 42 }) }],
      ["text is an object", { message: tgMessage({ text: { $gt: "" } }) }],
      ["text is an array", { message: tgMessage({ text: [MARK] }) }],
      ["message is a string", { message: `hello ${MARK}` }],
      ["message is an array", { message: [tgMessage()] }],
      ["message is null", { message: null }],
      ["message without message_id", { message: { ...tgMessage(), message_id: undefined } }],
      ["migrate_to_chat_id is a string", { message: tgMessage({ migrate_to_chat_id: "-100" }) }],
      ["my_chat_member without statuses", { my_chat_member: { chat: { id: -42, type: "group", title: "Nhóm" }, from: { ...tgUser }, date: 1, old_chat_member: {}, new_chat_member: {} } }],
      ["my_chat_member without members", { my_chat_member: { chat: { id: -42, type: "group", title: "Nhóm" }, from: { ...tgUser }, date: 1 } }],
      ["my_chat_member without chat", { my_chat_member: { from: { ...tgUser }, date: 1, old_chat_member: { status: "left" }, new_chat_member: { status: "member" } } }],
      ["my_chat_member status is a number", { my_chat_member: { chat: { id: -42, type: "group" }, from: { ...tgUser }, date: 1, old_chat_member: { status: 0 }, new_chat_member: { status: 1 } } }],
      ["callback_query without sender", { callback_query: { id: "1", message: tgMessage(), data: "x", chat_instance: "1" } }],
      ["callback_query data is a number", { callback_query: { id: "1", from: { ...tgUser }, message: tgMessage(), data: 5, chat_instance: "1" } }],
      ["callback_query message without chat", { callback_query: { id: "1", from: { ...tgUser }, message: { message_id: 1, date: 1 }, data: "x", chat_instance: "1" } }],
      ["callback_query is a string", { callback_query: MARK }],
    ];
    for (const [what, content] of malformed) {
      tally.telegram++;
      const res = await tgPost(JSON.stringify({ update_id: nextUpdate++, ...content }));
      expect(res.status, what).toBe(200);
    }
    tally.telegram++;
    expect((await tgPost(`{"update_id": ${nextUpdate++}, "message": ${deep(5000)}}`)).status, "deeply nested message").toBe(200);
    expect(app.telegram!.malformed - droppedBefore).toBe(malformed.length + 1);
    // Well formed but of no concern to the bot: taken and ignored.
    for (const [what, content] of [
      ["an edited message", { edited_message: tgMessage() }],
      ["a poll", { poll: { id: "1", question: MARK } }],
      ["a negative update id and nothing else", {}],
    ] as [string, Record<string, unknown>][]) {
      tally.telegram++;
      const res = await tgPost(JSON.stringify({ update_id: what.startsWith("a negative") ? -1 : nextUpdate++, ...content }));
      expect(res.status, what).toBe(200);
    }
    const refused: [string, string, number, string | null][] = [
      ["not JSON", `{"update_id": 1, ${MARK}`, 400, TG_SECRET],
      ["an array", `[{"update_id": 1}]`, 400, TG_SECRET],
      ["null", "null", 400, TG_SECRET],
      ["a number", "42", 400, TG_SECRET],
      ["a string", `"${MARK}"`, 400, TG_SECRET],
      ["empty body", "", 400, TG_SECRET],
      ["update_id is a string", `{"update_id": "1"}`, 400, TG_SECRET],
      ["update_id is a fraction", `{"update_id": 1.5}`, 400, TG_SECRET],
      ["update_id beyond 2^53", `{"update_id": 1e20}`, 400, TG_SECRET],
      ["update_id is null", `{"update_id": null}`, 400, TG_SECRET],
      ["deeply nested array", deep(200_000), 400, TG_SECRET],
      ["Latin-1 signs before a brace", "\xff\xfe{", 400, TG_SECRET],
      ["over a megabyte", JSON.stringify({ update_id: 1, message: tgMessage({ text: "x".repeat(1_100_000) }) }), 413, TG_SECRET],
      ["no secret", JSON.stringify({ update_id: 1, message: tgMessage() }), 401, null],
      ["a longer secret", JSON.stringify({ update_id: 1, message: tgMessage() }), 401, `${TG_SECRET}x`],
    ];
    for (const [what, body, status, secret] of refused) {
      tally.telegram++;
      const res = await tgPost(body, secret);
      expect(res.status, what).toBe(status);
    }
    await app.idle();
    expect(await inboxCount()).toBe(inboxBefore);
    expect(await snapshot()).toEqual(before);
    const lines = logs.filter((l) => l.includes("telegram update malformed, dropped"));
    expect(lines.length).toBeGreaterThanOrEqual(malformed.length);
    expect(logs.join("\n")).not.toContain(MARK);
  });

  it("answers hostile text from Telegram with a translated reply, storing it without NUL or lone surrogates", async () => {
    const chat = tg.privateChat(tgUser);
    const before = await snapshot();
    for (const [what, text] of [...HOSTILE_TEXTS, ["100,000 characters", "x".repeat(100_000)] as [string, string]]) {
      tally.telegram++;
      const sent = tg.sent(chat).length;
      const id = nextUpdate++;
      const res = await tgPost(JSON.stringify({ update_id: id, message: tgMessage({ message_id: id, text }) }));
      expect(res.status, what).toBe(200);
      await until(async () => tg.sent(chat).length > sent, `the answer to ${what}`);
      const answers = tg.sent(chat).slice(sent);
      for (const a of answers) expect(a.text, what).not.toContain(INTERNAL);
      const stored = await app.db.prisma.inboundEvent.findUniqueOrThrow({ where: { key: `tg:${id}` } });
      expect(stored.handledAt, what).not.toBeNull();
    }
    expect(await snapshot()).toEqual(before);
    expect(logs.join("\n")).not.toContain(MARK);
  });

  // ------------------------------------------------------------------ Zalo webhook

  const zPost = (body: string, secret: string | null = ZALO_SECRET) =>
    fetch(`${app.url}/webhooks/zalo`, { method: "POST", headers: { "content-type": "application/json", ...(secret !== null && { "x-bot-api-secret-token": secret }) }, body });
  let nextMessage = 1;
  const zMessage = (over: Record<string, unknown> = {}) => ({ message_id: `fz${nextMessage++}`, date: Date.parse(DEFAULT_NOW), from: { ...zUser }, chat: { ...zChat }, text: "chào", ...over });
  const zEvent = (message: unknown, event_name: unknown = "message.text.received") => JSON.stringify({ ok: true, result: { event_name, message } });

  it("drops malformed but authenticated Zalo events with 200, counted and logged, and refuses what is not an event", async () => {
    const before = await snapshot();
    const inboxBefore = await inboxCount();
    const droppedBefore = app.zalo!.malformed;
    const malformed: [string, string][] = [
      ["result is empty", JSON.stringify({ ok: true, result: {} })],
      ["result is null", JSON.stringify({ ok: true, result: null })],
      ["result is a string", JSON.stringify({ ok: true, result: MARK })],
      ["result is an array", JSON.stringify({ ok: true, result: [zMessage()] })],
      ["event_name is empty", zEvent(zMessage(), "")],
      ["event_name is a number", zEvent(zMessage(), 5)],
      ["event_name of 1,000 characters", zEvent(zMessage(), "x".repeat(1000))],
      ["text event without message", zEvent(undefined)],
      ["message is a string", zEvent(MARK)],
      ["message without chat", zEvent({ ...zMessage(), chat: undefined })],
      ["message without sender", zEvent({ ...zMessage(), from: undefined })],
      ["sender id is empty", zEvent(zMessage({ from: { ...zUser, id: "" } }))],
      ["chat id with a NUL", zEvent(zMessage({ chat: { ...zChat, id: `${zChat.id}\u0000` } }))],
      ["chat id of 500 characters", zEvent(zMessage({ chat: { ...zChat, id: "9".repeat(500) } }))],
      ["chat id is an object", zEvent(zMessage({ chat: { id: { $ne: null } } }))],
      ["message id is an object", zEvent(zMessage({ message_id: { a: 1 } }))],
      ["message id is negative", zEvent(zMessage({ message_id: -1 }))],
      ["message id is a fraction", zEvent(zMessage({ message_id: 1.5 }))],
      ["text is a number", zEvent(zMessage({ text: 5 }))],
      ["is_bot is a string", zEvent(zMessage({ from: { ...zUser, is_bot: "no" } }))],
      ["image event without message", zEvent(null, "message.image.received")],
    ];
    for (const [what, body] of malformed) {
      tally.zalo++;
      expect((await zPost(body)).status, what).toBe(200);
    }
    expect(app.zalo!.malformed - droppedBefore).toBe(malformed.length);
    tally.zalo++;
    expect((await zPost(zEvent(zMessage({ text: MARK }), "message.link.received"))).status, "an unknown event").toBe(200);
    const refused: [string, string, number, string | null][] = [
      ["not JSON", `{"result": ${MARK}`, 400, ZALO_SECRET],
      ["no result", JSON.stringify({ ok: true }), 400, ZALO_SECRET],
      ["an array", JSON.stringify([{ result: {} }]), 400, ZALO_SECRET],
      ["null", "null", 400, ZALO_SECRET],
      ["a number", "7", 400, ZALO_SECRET],
      ["empty body", "", 400, ZALO_SECRET],
      ["deeply nested", "[".repeat(100_000) + "]".repeat(100_000), 400, ZALO_SECRET],
      ["over 256 KB", zEvent(zMessage({ text: "x".repeat(300_000) })), 413, ZALO_SECRET],
      ["no secret", zEvent(zMessage()), 401, null],
      ["a wrong secret", zEvent(zMessage()), 401, "wrong-secret-0000"],
    ];
    for (const [what, body, status, secret] of refused) {
      tally.zalo++;
      expect((await zPost(body, secret)).status, what).toBe(status);
    }
    await app.idle();
    expect(await inboxCount()).toBe(inboxBefore);
    expect(await snapshot()).toEqual(before);
    expect(logs.filter((l) => l.includes("zalo event malformed, dropped")).length).toBeGreaterThanOrEqual(malformed.length);
    expect(logs.join("\n")).not.toContain(MARK);
  });

  it("answers hostile text from Zalo with a translated reply", async () => {
    const before = await snapshot();
    for (const [what, text] of [...HOSTILE_TEXTS, ["10,000 characters", "x".repeat(10_000)] as [string, string]]) {
      tally.zalo++;
      const sent = zl.sent(zChat.id).length;
      const message = zMessage({ text });
      expect((await zPost(zEvent(message))).status, what).toBe(200);
      await until(async () => zl.sent(zChat.id).length > sent, `the answer to ${what}`);
      for (const a of zl.sent(zChat.id).slice(sent)) expect(a.text, what).not.toContain(INTERNAL);
      const stored = await app.db.prisma.inboundEvent.findUniqueOrThrow({ where: { key: `zalo:message.text.received:${message.message_id}` } });
      expect(stored.handledAt, what).not.toBeNull();
    }
    expect(await snapshot()).toEqual(before);
    expect(logs.join("\n")).not.toContain(MARK);
  });

  // ------------------------------------------------------------------ sandbox API

  it("refuses hostile sandbox requests with a 4xx and a JSON error, storing nothing", async () => {
    const before = await snapshot();
    const transcript = () => app.db.prisma.sandboxMessage.count();
    const stored = await transcript();
    const base = { chatId: "dm-fuzz", chatKind: "private", userId: "fuzz", userName: "Khách" };
    const bodies: [string, unknown, number][] = [
      ["text with a NUL", { ...base, text: `a\u0000${MARK}` }, 400],
      ["text only a NUL", { ...base, text: "\u0000" }, 400],
      ["text with a lone high surrogate", { ...base, text: `\uD800${MARK}` }, 400],
      ["text with a lone low surrogate", { ...base, text: `\uDC00${MARK}` }, 400],
      ["userName with a NUL", { ...base, userName: "Kh\u0000ách", text: "a" }, 400],
      ["userName of zero-width spaces", { ...base, userName: "\u200B\u200B\u200B", text: "a" }, 400],
      ["userName of direction marks", { ...base, userName: "\u202E\u200F\u2066", text: "a" }, 400],
      ["userName of fillers and a BOM", { ...base, userName: "\uFEFF \u3164\u115F", text: "a" }, 400],
      ["userName of control characters", { ...base, userName: "\u0001\u0002\u001F", text: "a" }, 400],
      ["userName with a lone surrogate", { ...base, userName: "\uD83D", text: "a" }, 400],
      ["chatTitle with a NUL", { ...base, chatKind: "group", chatId: "grp-fuzz", chatTitle: "Nhóm\u0000", text: "a" }, 400],
      ["choice with a lone surrogate", { ...base, choice: "\uDBFF" }, 400],
      ["text is a number", { ...base, text: 123 }, 400],
      ["text is null", { ...base, text: null }, 400],
      ["text is an array", { ...base, text: [MARK] }, 400],
      ["text is an operator object", { ...base, text: { $ne: "" } }, 400],
      ["text is true", { ...base, text: true }, 400],
      ["text is empty", { ...base, text: "" }, 400],
      ["choice is a number", { ...base, choice: 1 }, 400],
      ["userId walks up paths", { ...base, userId: "../../etc/passwd", text: "a" }, 400],
      ["userId is SQL", { ...base, userId: "x' OR '1'='1", text: "a" }, 400],
      ["userId is a number", { ...base, userId: 42, text: "a" }, 400],
      ["chatId is empty", { ...base, chatId: "", text: "a" }, 400],
      ["chatId of 65 characters", { ...base, chatId: "x".repeat(65), text: "a" }, 400],
      ["chatId with a NUL", { ...base, chatId: "dm\u0000x", text: "a" }, 400],
      ["chatKind supergroup", { ...base, chatKind: "supergroup", text: "a" }, 400],
      ["chatKind is null", { ...base, chatKind: null, text: "a" }, 400],
      ["userName of 101 characters", { ...base, userName: "x".repeat(101), text: "a" }, 400],
      ["chatTitle of 201 characters", { ...base, chatTitle: "x".repeat(201), text: "a" }, 400],
      ["choice of 65 characters", { ...base, choice: "x".repeat(65) }, 400],
      ["__proto__ key", JSON.parse(`{"__proto__": {"admin": true}, "chatId": "dm-fuzz", "chatKind": "private", "userId": "fuzz", "userName": "K", "text": "a"}`), 400],
      ["constructor key", { ...base, text: "a", constructor: { prototype: { admin: true } } }, 400],
      ["both text and choice", { ...base, text: "a", choice: "b" }, 400],
      ["neither text nor choice", { ...base }, 400],
      ["10,001 characters", { ...base, text: "x".repeat(10_001) }, 400],
      ["a body over 64 KB", { ...base, text: "x".repeat(70_000) }, 413],
    ];
    for (const [what, body, status] of bodies) {
      tally.sandbox++;
      const res = await client.post(body);
      expect(res.status, what).toBe(status);
      expect(((await res.json()) as { error: string }).error, what).toBeTruthy();
    }
    const raw: [string, string, string, number][] = [
      ["not JSON", `{"text": ${MARK}`, "application/json", 400],
      ["null", "null", "application/json", 400],
      ["a number", "12", "application/json", 400],
      ["a string", `"${MARK}"`, "application/json", 400],
      ["empty body", "", "application/json", 400],
      ["deeply nested", "[".repeat(30_000) + "]".repeat(30_000), "application/json", 400],
      ["text/plain", JSON.stringify({ ...base, text: "a" }), "text/plain", 415],
      ["text/html", JSON.stringify({ ...base, text: "a" }), "text/html", 415],
    ];
    for (const [what, body, type, status] of raw) {
      tally.sandbox++;
      const res = await client.post(body, type);
      expect(res.status, what).toBe(status);
    }
    for (const [what, query, status] of [
      ["after is negative", "chatId=dm-fuzz&after=-1", 400],
      ["after is NaN", "chatId=dm-fuzz&after=NaN", 400],
      ["after is huge", "chatId=dm-fuzz&after=1e400", 400],
      ["after has 16 digits", "chatId=dm-fuzz&after=1234567890123456", 400],
      ["no chatId", "after=0", 400],
      ["chatId with a NUL", "chatId=dm%00x", 400],
      ["chatId with SQL", "chatId=x%27%20OR%201%3D1", 400],
    ] as [string, string, number][]) {
      tally.sandbox++;
      expect((await fetch(`${app.url}/sandbox/api/messages?${query}`)).status, what).toBe(status);
    }
    for (const [what, path, status] of [
      ["a stream without chatId", "/sandbox/api/stream", 400],
      ["a file path walking up", "/sandbox/files/..%2F..%2Fetc%2Fpasswd", 404],
      ["a file id with a NUL", "/sandbox/files/abcdefghij%00", 404],
    ] as [string, string, number][]) {
      tally.sandbox++;
      expect((await fetch(`${app.url}${path}`)).status, what).toBe(status);
    }
    expect(await transcript()).toBe(stored);
    expect(await snapshot()).toEqual(before);
    expect(logs.join("\n")).not.toContain(MARK);
  });

  // ------------------------------------------------------------------ chat texts in dialogs

  const giang = { userId: "demo-giang", userName: "Ngô Thị Giang" };
  const say = async (text: string) => (await client.say(giang, dm(giang.userId), text)).map((m: Msg) => m.text).join("\n");
  const dialog = async () => {
    const d = await app.db.prisma.dialogState.findUnique({ where: { key: `web:dm-${giang.userId}|web:${giang.userId}` } });
    return d ? { name: d.name, step: d.step, data: d.data } : null;
  };

  it("refuses invisible-only names, impossible dates and non-numbers in dialogs, keeping the dialog's place", async () => {
    await say("/congtrinh");
    await client.pick(giang, dm(giang.userId), "Đăng ký công trình mới");
    const atName = await dialog();
    expect(atName?.step).toBe("name");
    const before = await snapshot();
    const blanks = [
      "\u200B\u200B\u200B\u200B",
      "\u200E\u200F\u202E\u202D",
      "\u2066\u2067\u2068\u2069",
      "   \u3164\u3164  ",
      "\uFEFF\uFEFF\uFEFF",
      "\u2060\u2061\u2062\u2063",
      "\u00AD\u00AD\u00AD\u00AD",
      "\u2800\u2800\u2800",
      "\u115F\u1160\u034F",
      "\u200B \u200C \u200D \t \u00A0",
      "\u0001\u0002\u0003\u0007",
      "\u180E\uFE0F\uFE0F",
    ];
    for (const b of blanks) {
      tally.chat++;
      expect(await say(b), JSON.stringify(b)).toContain("Nội dung không có chữ nào đọc được. Vui lòng nhập lại.");
    }
    expect(await dialog()).toEqual(atName);

    await say("Nhà xưởng pin số 3");
    await say("Dây chuyền pin lithium công suất 2 triệu sản phẩm mỗi năm.");
    await client.pick(giang, dm(giang.userId), "Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc");
    const atDate = await dialog();
    expect(atDate?.step).toBe("completion");
    const outOfRange: [string, string][] = [
      ["01/01/1000", "1000"],
      ["31/12/9999", "9999"],
      ["31/12/1999", "1999"],
      ["01/01/2101", "2101"],
      ["1000-01-01", "1000"],
      ["9999-12-31", "9999"],
      ["15.06.1945", "1945"],
      ["01-01-0001", "0001"],
      ["00/00/0000", "0"],
    ];
    for (const [d, year] of outOfRange) {
      tally.chat++;
      expect(await say(d), d).toContain(`Năm ${Number(year)} không hợp lệ: bot chỉ nhận ngày trong các năm từ 2000 đến 2100.`);
    }
    const notDates = [
      "29/02/2100",
      "32/01/2027",
      "01/13/2027",
      "-1/01/2027",
      "1e3/01/2027",
      "01/01/20270",
      "NaN",
      "Infinity",
      "2027-02-30",
      "=TODAY()",
      `'; DROP TABLE "PlaqueWork"; --`,
      "<script>alert(1)</script>",
      "**01/01/2027**",
      "٠١/٠١/٢٠٢٧",
      "０１/０１/２０２７",
    ];
    for (const d of notDates) {
      tally.chat++;
      expect(await say(d), d).toContain("Ngày không hợp lệ");
    }
    expect(await dialog()).toEqual(atDate);
    expect(await snapshot()).toEqual(before);
    expect(await say("/huy")).toBe("Đã hủy.");

    await say("/baocao");
    await client.pick(giang, dm(giang.userId), "Đợt 2");
    const atFigure = await dialog();
    expect(atFigure?.step).toBe("figure");
    const notCounts = [
      "NaN",
      "Infinity",
      "-Infinity",
      "1e309",
      "-1",
      "-0",
      "0x1F",
      "1_000",
      "１２３",
      "٣",
      "99999999999999999999999",
      "1.5e3",
      "=1+1",
      "+1",
      "1 OR 1=1",
      "<b>1</b>",
      "\u202E12",
      "1,5",
    ];
    for (const n of notCounts) {
      tally.chat++;
      expect(await say(n), n).toMatch(/Vui lòng nhập (một số nguyên|số nguyên)|không được âm|Số quá lớn/);
    }
    expect(await dialog()).toEqual(atFigure);
    expect(await snapshot()).toEqual(before);
    expect(await say("/huy")).toBe("Đã hủy.");
  });

  it("keeps names and titles free of direction overrides, so they cannot flip what others see", async () => {
    await say("/congtrinh");
    await client.pick(giang, dm(giang.userId), "Đăng ký công trình mới");
    await say("\u202ENhà xưởng\u202C số \u20665\u2069");
    await say("Dây chuyền pin lithium công suất 2 triệu sản phẩm mỗi năm.");
    await client.pick(giang, dm(giang.userId), "Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc");
    expect(await say("30/04/2027")).toContain("Nhà xưởng số 5");
    expect((await dialog())?.data).toMatchObject({ name: "Nhà xưởng số 5" });
    await say("/huy");

    // A person's shown name, from the sandbox and from Telegram.
    await client.say({ userId: "fuzz-rlo", userName: "\u202Eơàc ớớN" }, dm("fuzz-rlo"), "chào");
    expect((await app.store.findPersonByIdentity("web:fuzz-rlo"))?.displayName).toBe("ơàc ớớN");
    const rlo = tg.user({ firstName: "\u202EGiang\u200F", lastName: "\u2067Ngô" });
    const chat = tg.privateChat(rlo);
    tg.sendText(rlo, chat, "/help");
    await until(async () => tg.sent(chat).length > 0, "the answer to a user with overrides in the name");
    expect((await app.store.findPersonByIdentity(`tg:${rlo.id}`))?.displayName).toBe("Giang Ngô");
    // A name made only of invisible characters falls back to the id rather than showing nothing.
    const blank = zl.user({ displayName: "\u200B\u200B" });
    const bChat = zl.privateChat(blank);
    zl.sendText(blank, bChat, "/help");
    await until(async () => zl.sent(bChat.id).length > 0, "the answer to a user with an invisible name");
    expect((await app.store.findPersonByIdentity(`zalo:${blank.id}`))?.displayName).toBe(`zalo:${blank.id}`);
  });

  it("counts at least a hundred distinct hostile inputs", () => {
    const total = Object.values(tally).reduce((a, b) => a + b, 0);
    // The README's robustness line quotes this figure.
    console.log(`hostile inputs: ${JSON.stringify(tally)} total ${total}`);
    expect(total).toBeGreaterThanOrEqual(100);
  });
});

describe.each(backends())("a Zalo poller fed malformed events on %s", (backend) => {
  it("counts and logs each malformed event, and answers the next one", async () => {
    const db = await createTestDatabase(backend);
    const zl = await FakeZalo.start();
    const logs: string[] = [];
    const app = await createApp(
      testConfig({ database: db.config, sandbox: false, demoSeed: false, zalo: { token: zl.token, apiRoot: zl.apiRoot, mode: "polling" } }),
      { clock: new FakeClock(DEFAULT_NOW), log: createLogger("info", (l) => logs.push(l), [zl.token]) },
    );
    try {
      const user = zl.user({ displayName: "Lê Văn Cường" });
      const chat = zl.privateChat(user);
      const events: Record<string, unknown>[] = [
        {},
        { event_name: "" },
        { event_name: "message.text.received" },
        { event_name: "message.text.received", message: { message_id: "m1", text: MARK } },
        { event_name: "message.text.received", message: { message_id: "m2", from: { id: user.id }, text: MARK } },
        { event_name: "message.text.received", message: { message_id: "m3", from: { id: user.id }, chat: { id: `${chat.id}\u0000` }, text: MARK } },
        { event_name: "message.text.received", message: { message_id: { $gt: 0 }, from: { id: user.id }, chat, text: MARK } },
        { event_name: 404, message: { message_id: "m4", from: { id: user.id }, chat, text: MARK } },
      ];
      for (const e of events) zl.sendRaw(e);
      zl.sendText(user, chat, `xin\u0000chào ${MARK}`);
      const deadline = Date.now() + 20_000;
      while (zl.sent(chat.id).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await app.idle();
      expect(zl.sent(chat.id).map((m) => m.text)).toEqual(["Bot chưa hiểu tin nhắn này. Gõ /help để xem các lệnh có thể dùng."]);
      tally.zaloPolling += events.length + 1;
      expect(app.zalo!.malformed).toBe(events.length);
      expect(logs.filter((l) => l.includes("zalo event malformed, dropped"))).toHaveLength(events.length);
      expect(logs.join("\n")).not.toContain(MARK);
    } finally {
      await app.stop();
      await zl.stop();
      await db.drop();
    }
  });
});
