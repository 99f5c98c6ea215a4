/**
 * Invite codes, account links and rights checked at every step, through the sandbox API
 * on each database: what a prober tried and must no longer get away with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text } from "../support/sandbox-client.js";
import { createInvite } from "../../src/core/usecases/invites.js";
import type { Env } from "../../src/core/usecases/env.js";
import type { Actor, Unit, UnitInviteKind } from "../../src/core/model.js";
import type { Tx } from "../../src/core/ports.js";

const giang = { userId: "demo-giang", userName: "Ngô Thị Giang" };
const prober = { userId: "khach-do", userName: "Người dò mã" };

describe.each(backends())("invites and rights on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    for (const who of [giang, prober]) {
      await t.client.say(who, dm(who.userId), "/start");
      await t.client.pick(who, dm(who.userId), "Tôi đồng ý");
    }
  });
  afterAll(async () => t?.stop());

  const say = (...a: Parameters<TestApp["client"]["say"]>) => t.client.say(...a);
  const person = async (userId: string) => (await t.app.store.findPersonByIdentity(`web:${userId}`))!;
  const unit = async (code: string) => (await t.app.store.getUnitByCode(code))!;

  function systemEnv(tx: Tx): Env {
    const actor: Actor = { kind: "system", tag: "cli" };
    return { tx, actor, now: t.clock.now(), today: "2026-11-24", translate: t.app.translator.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh", roles: async () => [] };
  }

  /** A code made by the CLI (the system), for tests that only need one to exist. */
  async function cliCode(u: Unit, kind: UnitInviteKind): Promise<string> {
    return (await t.app.store.transaction((tx) => createInvite(systemEnv(tx), u, kind))).code;
  }

  async function dialogOf(userId: string, chatId: string) {
    return t.app.db.prisma.dialogState.findUnique({ where: { key: `web:${chatId}|web:${userId}` } });
  }

  describe("authority at every step", () => {
    it("refuses a /caidat toggle pressed after the officer's role was revoked, and changes nothing", async () => {
      const where = group("grp-pinaq-officers");
      const opened = (await say(giang, where, "/caidat")).at(-1)!;
      const toggle = opened.choices!.find((c) => c.label.endsWith("Ngày kỷ niệm"))!;
      const pinaq = await unit("DEMO-PINAQ");
      const g = await person(giang.userId);
      const prefsBefore = (await t.app.db.prisma.chat.findUniqueOrThrow({ where: { key: "web:grp-pinaq-officers" } })).prefs;
      await t.app.store.transaction((tx) => tx.revokeRole(g.id, pinaq.id, "OFFICER", null, t.clock.now()));
      try {
        const refused = text(await say(giang, where, { choice: toggle.id }));
        expect(refused).toBe("Bạn không phải cán bộ của Công đoàn Công ty CP Pin Ắc quy Phương Nam nên không thể thao tác cho đơn vị này.");
        expect((await t.app.db.prisma.chat.findUniqueOrThrow({ where: { key: "web:grp-pinaq-officers" } })).prefs).toEqual(prefsBefore);
        expect(await dialogOf(giang.userId, "grp-pinaq-officers")).toBeNull();
        expect(await t.app.db.prisma.auditEvent.count({ where: { action: "chat.notices" } })).toBe(0);
      } finally {
        await t.app.store.transaction((tx) => tx.grantRole(g.id, pinaq.id, "OFFICER", null));
      }
    });

    it("counts failed code attempts per person, across chats: five groups of one's own give no more guesses", async () => {
      const detmay = await unit("DEMO-DETMAY");
      const right = await cliCode(detmay, "GROUP_MEMBERS");
      for (let i = 0; i < 5; i++) {
        expect(text(await say(prober, group(`grp-do-${i}`, `Nhóm dò ${i}`), `/lienket AAAA-BBBB-CC${i}${i}`))).toContain("Mã không đúng");
      }
      // A sixth group of the same person: refused, even with a right code.
      expect(text(await say(prober, group("grp-do-5", "Nhóm dò 5"), `/lienket ${right}`))).toBe("Đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau một giờ.");
      // And in private too.
      expect(text(await say(prober, dm(prober.userId), "/lienket AAAA-BBBB-CCDD"))).toBe("Đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau một giờ.");
      expect(await t.app.db.prisma.chat.count({ where: { key: "web:grp-do-5", unitId: { not: null } } })).toBe(0);
    });
  });
});
