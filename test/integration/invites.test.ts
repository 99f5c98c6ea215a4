/**
 * Invite codes, account links and rights checked at every step, through the sandbox API
 * on each database: what a prober tried and must no longer get away with.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text } from "../support/sandbox-client.js";
import { createInvite, redeemInvite, revokeInvite, unlinkable } from "../../src/core/usecases/invites.js";
import { AppError } from "../../src/core/errors.js";
import type { Env } from "../../src/core/usecases/env.js";
import type { Actor, Unit, UnitInviteKind } from "../../src/core/model.js";
import type { Tx } from "../../src/core/ports.js";
import { an, giang, consent } from "../support/demo-people.js";

const prober = { userId: "khach-do", userName: "Người dò mã" };
const invited = { userId: "khach-moi", userName: "Người được mời" };
const second = { userId: "khach-ba", userName: "Tài khoản thứ hai" };

describe.each(backends())("invites and rights on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await consent(t, [giang, an, prober, invited, second]);
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

  /** Giang makes an officer invite for her unit through /moi; the code as she would copy it. */
  async function officerCodeByGiang(): Promise<string> {
    await say(giang, dm(giang.userId), "/moi");
    await t.client.pick(giang, dm(giang.userId), "Mã mời một cán bộ");
    const made = await t.client.pick(giang, dm(giang.userId), "Công đoàn Công ty CP Pin Ắc quy Phương Nam");
    return /^\/lienket (\S+)$/.exec(made.at(-1)!.text)![1]!;
  }

  async function dialogOf(userId: string, chatId: string) {
    return t.app.db.prisma.dialogState.findUnique({ where: { key: `web:${chatId}|web:${userId}` } });
  }

  describe("linking accounts with /ketnoi", () => {
    /** Giang asks for an account link code in her (sandbox) private chat. */
    async function linkCode(): Promise<string> {
      const got = await say(giang, dm(giang.userId), "/ketnoi");
      return /^\/ketnoi (\S+)$/.exec(got.at(-1)!.text)![1]!;
    }

    it("refuses a second account of the same platform: it does not take over the officer's roles", async () => {
      const code = await linkCode();
      const g = await person(giang.userId);
      expect(text(await say(second, dm(second.userId), `/ketnoi ${code}`))).toBe(
        "Không thể kết nối: người tạo mã này đã có một tài khoản trên cùng nền tảng. Mỗi người chỉ kết nối một tài khoản cho mỗi nền tảng (Telegram, Zalo); tài khoản này không nhận vai trò của người đó.",
      );
      const other = await person(second.userId);
      expect(other.id).not.toBe(g.id);
      expect(await t.app.store.activeRoles(other.id)).toEqual([]);
      expect((await t.app.store.identitiesOf(g.id)).map((i) => i.key)).toEqual(["web:demo-giang"]);
      expect(await t.app.db.prisma.inviteCode.count({ where: { kind: "IDENTITY", uses: { gt: 0 } } })).toBe(0);
      expect(text(await say(second, dm(second.userId), "/baocao"))).toContain("Bạn chưa là cán bộ của đơn vị nào");
    });

    it("tells the original account of a new link from another platform, and lets it undo the link", async () => {
      const code = await linkCode();
      const g = await person(giang.userId);
      // Giang's Telegram account writes to the bot (sandbox people live apart from real ones, so it is a sandbox person too).
      const { tgPerson, tgChat } = await t.app.store.transaction(async (tx) => {
        const p = await tx.createPerson({ displayName: "Giang trên Telegram", sandbox: true, locale: null, identityKey: "tg:7001", platform: "tg" });
        return { tgPerson: p, tgChat: await tx.upsertChat({ key: "tg:7001", platform: "tg", kind: "private", title: null, personId: p.id }) };
      });
      const linked = await t.app.store.transaction(async (tx) =>
        redeemInvite({ ...systemEnv(tx), actor: { kind: "person", person: tgPerson }, roles: () => tx.activeRoles(tgPerson.id) }, tgPerson, tgChat, code, "tg:7001"),
      );
      expect(linked).toEqual({ kind: "identity", already: false });
      expect((await t.app.store.findPersonByIdentity("tg:7001"))!.id).toBe(g.id);

      await t.client.deliverOutbox();
      expect((await t.client.lastBot(`dm-${giang.userId}`))?.text).toBe(
        "🔗 Một tài khoản Telegram (Giang trên Telegram) vừa được kết nối với bạn và từ nay dùng chung vai trò, thông báo của bạn. Nếu không phải bạn kết nối, hãy gõ /goketnoi để gỡ ngay.",
      );
      // The notice went to the accounts Giang had before, not to the new one.
      expect(await t.app.db.prisma.outboxMessage.count({ where: { kind: "identity_linked", chatKey: "tg:7001" } })).toBe(0);

      // The newly linked account cannot push out the original one.
      expect(await t.app.store.transaction(async (tx) => unlinkable({ ...systemEnv(tx), actor: { kind: "person", person: g } }, "tg:7001"))).toEqual([]);

      const asked = (await say(giang, dm(giang.userId), "/goketnoi")).at(-1)!;
      expect(asked.text).toContain("Chọn tài khoản cần gỡ kết nối");
      const choice = asked.choices!.find((c) => c.label.startsWith("Gỡ tài khoản Telegram (kết nối lúc "))!;
      expect(text(await say(giang, dm(giang.userId), { choice: choice.id }))).toBe("Đã gỡ kết nối tài khoản Telegram: tài khoản đó không còn vai trò hay thông báo nào của bạn.");

      const detached = (await t.app.store.findPersonByIdentity("tg:7001"))!;
      expect(detached.id).not.toBe(g.id);
      expect(await t.app.store.activeRoles(detached.id)).toEqual([]);
      expect((await t.app.store.getChat("tg:7001"))?.personId).toBe(detached.id);
      expect((await t.app.store.identitiesOf(g.id)).map((i) => i.key)).toEqual(["web:demo-giang"]);
      expect((await t.app.store.getChat("web:dm-demo-giang"))?.personId).toBe(g.id);
      expect(await t.app.db.prisma.auditEvent.count({ where: { action: "identity.unlinked", actorId: g.id } })).toBe(1);
      expect(text(await say(giang, dm(giang.userId), "/goketnoi"))).toBe("Không có tài khoản nào kết nối với bạn sau tài khoản này, nên không có gì để gỡ.");
    });
  });

  describe("revoking invite codes", () => {
    it("lets an officer see the codes she made in /moi and revoke one, which then no longer works", async () => {
      const code = await officerCodeByGiang();
      const opened = text(await say(giang, dm(giang.userId), "/moi"));
      expect(opened).toContain("Đồng chí đang có 1 mã còn hiệu lực.");
      const list = (await t.client.pick(giang, dm(giang.userId), "Thu hồi mã đã tạo (1 mã còn hiệu lực)")).at(-1)!;
      expect(list.text).toContain("Chọn mã cần thu hồi");
      const entry = list.choices!.find((c) => c.label.startsWith("Mã mời một cán bộ – Công đoàn Công ty CP Pin Ắc quy Phương Nam, hết hạn "))!;
      expect(entry).toBeTruthy();
      const done = text(await say(giang, dm(giang.userId), { choice: entry.id }));
      expect(done).toContain("Đã thu hồi: Mã mời một cán bộ – Công đoàn Công ty CP Pin Ắc quy Phương Nam");
      expect(await dialogOf(giang.userId, `dm-${giang.userId}`)).toBeNull(); // nothing left to revoke
      expect(text(await say(giang, dm(giang.userId), "/moi"))).not.toContain("còn hiệu lực");
      await say(giang, dm(giang.userId), "/huy");

      const pinaq = await unit("DEMO-PINAQ");
      const officers = () => t.app.db.prisma.role.count({ where: { unitId: pinaq.id, kind: "OFFICER", revokedAt: null } });
      const before = await officers();
      expect(text(await say(invited, dm(invited.userId), `/lienket ${code}`))).toBe("Mã này đã bị thu hồi. Hãy xin cán bộ đơn vị một mã mới.");
      expect(await officers()).toBe(before);
      expect(await t.app.db.prisma.auditEvent.count({ where: { action: "invite.revoked", actorId: (await person(giang.userId)).id } })).toBe(1);
    });

    it("does not let an officer revoke a code someone else made", async () => {
      const code = await officerCodeByGiang();
      await say(giang, dm(giang.userId), "/huy");
      const anPerson = await person(an.userId);
      const g = await person(giang.userId);
      const refused = await t.app.store.transaction(async (tx) => {
        const invite = (await tx.liveInvites({ createdById: g.id }, t.clock.now()))[0]!;
        const env: Env = { ...systemEnv(tx), actor: { kind: "person", person: anPerson }, roles: () => tx.activeRoles(anPerson.id) };
        return revokeInvite(env, invite).catch((e: unknown) => e);
      });
      expect((refused as AppError).code).toBe("not_your_code");
      expect(await t.app.db.prisma.inviteCode.count({ where: { revokedAt: null, kind: "OFFICER", createdById: g.id } })).toBe(1);
      // The code still works for the person it was meant for.
      expect(text(await say(invited, dm(invited.userId), `/lienket ${code}`))).toContain("Đồng chí đã trở thành cán bộ của Công đoàn Công ty CP Pin Ắc quy Phương Nam");
    });

    it("revokes at once a personal code posted in a group, and tells its maker privately", async () => {
      const code = await officerCodeByGiang();
      await say(giang, dm(giang.userId), "/huy");
      const where = group("grp-ro-ri", "Nhóm chung");
      const before = await t.app.db.prisma.role.count({ where: { revokedAt: null } });
      expect(text(await say(an, where, `/lienket ${code}`))).toBe(
        "Đây là mã dành riêng cho một người nên không được đăng vào nhóm. Mã đã bị thu hồi và người tạo mã đã được báo; hãy xin mã mới và gửi nó trong chat riêng với bot.",
      );
      const stored = await t.app.db.prisma.inviteCode.findFirstOrThrow({ where: { kind: "OFFICER", createdById: (await person(giang.userId)).id }, orderBy: { id: "desc" } });
      expect(stored.revokedAt).not.toBeNull();
      expect(stored.uses).toBe(0);
      await t.client.deliverOutbox();
      expect((await t.client.lastBot(`dm-${giang.userId}`))?.text).toBe(
        "⚠️ Mã mời cán bộ của Công đoàn Công ty CP Pin Ắc quy Phương Nam do đồng chí tạo vừa bị đăng vào một nhóm chat nên đã bị thu hồi; không ai dùng được mã này nữa. Nếu vẫn cần mời, đồng chí gõ /moi để tạo mã mới và chỉ gửi riêng cho người được mời.",
      );
      // Whoever read it in the group cannot use it in private either.
      expect(text(await say(an, dm(an.userId), `/lienket ${code}`))).toBe("Mã này đã bị thu hồi. Hãy xin cán bộ đơn vị một mã mới.");
      expect(await t.app.db.prisma.role.count({ where: { revokedAt: null } })).toBe(before);
      // No text of the messages reached the logs.
      expect(t.logs.join("\n")).not.toContain(code);
    });

    it("revokes an account link code posted in a group as well, and tells the person who asked for it", async () => {
      const code = /^\/ketnoi (\S+)$/.exec((await say(giang, dm(giang.userId), "/ketnoi")).at(-1)!.text)![1]!;
      expect(text(await say(an, group("grp-ro-ri", "Nhóm chung"), `/lienket ${code}`))).toContain("Mã đã bị thu hồi và người tạo mã đã được báo");
      await t.client.deliverOutbox();
      expect((await t.client.lastBot(`dm-${giang.userId}`))?.text).toBe(
        "⚠️ Mã kết nối tài khoản vừa tạo đã bị đăng vào một nhóm chat nên đã bị thu hồi. Nếu vẫn cần kết nối, hãy gõ /ketnoi để lấy mã mới và chỉ gửi mã trong chat riêng với bot.",
      );
      expect(text(await say(second, dm(second.userId), `/ketnoi ${code}`))).toBe("Mã này đã bị thu hồi. Hãy xin cán bộ đơn vị một mã mới.");
    });

    it("only refuses a members' code posted in a group: it is meant to be shared", async () => {
      const detmay = await unit("DEMO-DETMAY");
      const code = await cliCode(detmay, "MEMBER");
      expect(text(await say(an, group("grp-ro-ri", "Nhóm chung"), `/lienket ${code}`))).toContain("Đây là mã cá nhân: hãy gửi nó trong chat riêng với bot");
      expect(await t.app.db.prisma.inviteCode.count({ where: { kind: "MEMBER", revokedAt: { not: null } } })).toBe(0);
    });
  });

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
