/**
 * Bad input and people acting outside their rights, through the sandbox API on each
 * database: every case gets a clear Vietnamese answer and changes nothing that matters.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text } from "../support/sandbox-client.js";
import { createInvite } from "../../src/core/usecases/invites.js";
import { decide } from "../../src/core/usecases/review.js";
import type { Env } from "../../src/core/usecases/env.js";
import type { Actor, Person, Unit } from "../../src/core/model.js";
import type { Tx } from "../../src/core/ports.js";
import { AppError } from "../../src/core/errors.js";
import { an, cuong, giang, minh, consent } from "../support/demo-people.js";

const stranger = { userId: "khach-01", userName: "Khách" };
// Guesses invite codes and ends up an officer: not the stranger, whom other tests need without a role.
const guesser = { userId: "khach-02", userName: "Khách đoán mã" };

describe.each(backends())("bad input and rights on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    // Consent once for the people these tests use, so each case exercises its own point.
    await consent(t, [an, giang, minh, cuong, stranger, guesser]);
  });
  afterAll(async () => t?.stop());

  const say = (...a: Parameters<TestApp["client"]["say"]>) => t.client.say(...a);
  const pick = (...a: Parameters<TestApp["client"]["pick"]>) => t.client.pick(...a);

  /** Row counts of everything a mistake must not change. */
  async function snapshot() {
    const p = t.app.db.prisma;
    return {
      units: await p.unit.count(),
      roles: await p.role.count({ where: { revokedAt: null } }),
      linked: await p.chat.count({ where: { unitId: { not: null } } }),
      registrations: await p.themeRegistration.count({ where: { status: { not: "DRAFT" } } }),
      themes: await p.theme.count({ where: { removedAt: null } }),
      reports: await p.phaseReport.count(),
      nominations: await p.nomination.count(),
      works: await p.plaqueWork.count(),
      inviteUses: (await p.inviteCode.aggregate({ _sum: { uses: true } }))._sum.uses ?? 0,
      outbox: await p.outboxMessage.count(),
    };
  }

  /**
   * An registers two themes for his unit and sends them up to Hóa chất: the item the review
   * tests act on. Done once, by whichever of them runs first (each can run alone).
   */
  let anRegistered: Promise<void> | undefined;
  const anRegistersTwoThemes = () =>
    (anRegistered ??= (async () => {
      await say(an, dm(an.userId), "/dangky");
      for (const title of ["Tiết kiệm 5% điện năng ở phân xưởng ure", "Không để xảy ra tai nạn lao động nặng"]) {
        await pick(an, dm(an.userId), "Thêm nội dung");
        await pick(an, dm(an.userId), "Lao động giỏi");
        await say(an, dm(an.userId), title);
        for (const answer of ["Kế hoạch sản xuất năm 2026", "Quản đốc phân xưởng", "Điện năng tiết kiệm", "%", "5"]) await say(an, dm(an.userId), answer);
        await pick(an, dm(an.userId), "Hoàn tất");
      }
      await pick(an, dm(an.userId), "Gửi cấp trên");
      await pick(an, dm(an.userId), "Gửi");
    })());

  async function dialogOf(userId: string, chatId: string) {
    const d = await t.app.db.prisma.dialogState.findUnique({ where: { key: `web:${chatId}|web:${userId}` } });
    return d ? { name: d.name, step: d.step, data: d.data } : null;
  }

  async function envAs(tx: Tx, person: Person): Promise<Env> {
    const actor: Actor = { kind: "person", person };
    return {
      tx,
      actor,
      now: t.clock.now(),
      today: "2026-11-24",
      translate: t.app.translator.translate,
      defaultLocale: "vi",
      timeZone: "Asia/Ho_Chi_Minh",
      roles: () => tx.activeRoles(person.id),
    };
  }

  it("answers an unknown command with a hint, in private and in a group", async () => {
    const before = await snapshot();
    expect(text(await say(an, dm(an.userId), "/xinchao"))).toBe("Không có lệnh /xinchao. Gõ /help để xem các lệnh.");
    expect(text(await say(an, group("grp-cdctvn-officers"), "/abc"))).toContain("Không có lệnh /abc");
    expect(await snapshot()).toEqual(before);
  });

  it("answers free text outside a dialog in private, and keeps quiet in a group", async () => {
    expect(text(await say(an, dm(an.userId), "chào bot"))).toContain("Bot chưa hiểu tin nhắn này. Gõ /help");
    expect(await say(an, group("grp-cdctvn-officers"), "mọi người ơi họp lúc 9 giờ nhé")).toEqual([]);
  });

  it("re-asks a figure when the answer is letters, negative or a decimal, keeping its place", async () => {
    await say(giang, dm(giang.userId), "/baocao");
    await pick(giang, dm(giang.userId), "Đợt 2");
    const at = await dialogOf(giang.userId, `dm-${giang.userId}`);
    expect(at?.step).toBe("figure");
    const before = await snapshot();

    const letters = text(await say(giang, dm(giang.userId), "mười hai"));
    expect(letters).toContain("Vui lòng nhập một số nguyên, ví dụ 1.250.");
    expect(letters).toContain("(1/6) Số lượt người tham gia");
    expect(text(await say(giang, dm(giang.userId), "-5"))).toContain("Số liệu không được âm. Nhập 0 nếu không có.");
    expect(text(await say(giang, dm(giang.userId), "1,5"))).toContain("Vui lòng nhập số nguyên, không có phần thập phân.");
    expect(await dialogOf(giang.userId, `dm-${giang.userId}`)).toEqual(at);
    expect(await snapshot()).toEqual(before);
    await say(giang, dm(giang.userId), "/huy");
  });

  it("refuses a 5,000-character narrative with its length, and a 6,000-character message outright", async () => {
    await say(giang, dm(giang.userId), "/baocao");
    await pick(giang, dm(giang.userId), "Đợt 2");
    for (const n of ["10", "0", "0", "0", "0", "0"]) await say(giang, dm(giang.userId), n);
    expect((await dialogOf(giang.userId, `dm-${giang.userId}`))?.step).toBe("narrative");
    const long = text(await say(giang, dm(giang.userId), "Tốt ".repeat(1250).trim() + "đ"));
    expect(long).toContain("Nội dung quá dài (5.000 ký tự); tối đa 4.000 ký tự.");
    expect(text(await say(giang, dm(giang.userId), "x".repeat(6000)))).toBe("Tin nhắn quá dài (tối đa 5.000 ký tự).");
    expect((await dialogOf(giang.userId, `dm-${giang.userId}`))?.step).toBe("narrative");
    expect(text(await say(giang, dm(giang.userId), "/huy"))).toBe("Đã hủy.");
    expect(await dialogOf(giang.userId, `dm-${giang.userId}`)).toBeNull();
    expect(text(await say(giang, dm(giang.userId), "/huy"))).toBe("Không có thao tác nào đang dở.");
  });

  it("refuses dates that do not exist", async () => {
    await say(giang, dm(giang.userId), "/congtrinh");
    await pick(giang, dm(giang.userId), "Đăng ký công trình mới");
    await say(giang, dm(giang.userId), "Nhà xưởng pin lithium số 2");
    await say(giang, dm(giang.userId), "Dây chuyền pin lithium công suất 2 triệu sản phẩm mỗi năm.");
    await pick(giang, dm(giang.userId), "Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc");
    for (const bad of ["30/02/2027", "31/04/2027", "29/02/2027", "ngày mai"]) {
      expect(text(await say(giang, dm(giang.userId), bad))).toContain("Ngày không hợp lệ");
    }
    expect((await dialogOf(giang.userId, `dm-${giang.userId}`))?.step).toBe("completion");
    expect(text(await say(giang, dm(giang.userId), "29/02/2028"))).toContain("Dự kiến hoàn thành: 29/02/2028");
    await say(giang, dm(giang.userId), "/huy");
    expect(await t.app.db.prisma.plaqueWork.count()).toBe(0);
  });

  it("refuses officer commands in a members' group and codes in the wrong kind of chat", async () => {
    const before = await snapshot();
    expect(text(await say(giang, group("grp-pinaq-members"), "/baocao"))).toContain("Đây là nhóm đoàn viên");
    expect(text(await say(giang, group("grp-pinaq-officers"), "/moi"))).toBe("Lệnh này chỉ dùng trong chat riêng với bot.");
    expect(text(await say(giang, group("grp-pinaq-officers"), "/dulieu"))).toBe("Lệnh này chỉ dùng trong chat riêng với bot.");
    expect(text(await say(an, group("grp-new-unlinked", "Nhóm mới"), "/dangky"))).toContain("Nhóm này chưa được liên kết");
    expect(await snapshot()).toEqual(before);
  });

  it("tells a member who sends /caidat in a members' group that only the unit's officers choose its notices (not that it is an officers' group)", async () => {
    const before = await snapshot();
    const prefs = async () => (await t.app.db.prisma.chat.findUniqueOrThrow({ where: { key: "web:grp-pinaq-members" } })).prefs;
    const prefsBefore = await prefs();
    const said = text(await say(minh, group("grp-pinaq-members"), "/caidat"));
    expect(said).toBe(
      "Đây là nhóm đoàn viên của Công đoàn Công ty CP Pin Ắc quy Phương Nam: chỉ cán bộ của đơn vị mới chọn được các thông báo tự động nhóm này nhận. Đoàn viên không cần thao tác gì, bot sẽ gửi thông báo vào nhóm.",
    );
    expect(await dialogOf(minh.userId, "grp-pinaq-members")).toBeNull();
    expect(await prefs()).toEqual(prefsBefore);
    expect(await snapshot()).toEqual(before);
  });

  it("does not let an officer act for another unit, nor a member act at all", async () => {
    const before = await snapshot();
    expect(text(await say(giang, group("grp-detmay-officers"), "/dangky"))).toContain(
      "Đây là nhóm cán bộ của Công đoàn Công ty Dệt may Thăng Long, nhưng bạn chưa có vai trò cán bộ",
    );
    expect(text(await say(minh, dm(minh.userId), "/baocao"))).toContain("Bạn chưa là cán bộ của đơn vị nào");
    expect(text(await say(stranger, dm(stranger.userId), "/duyet"))).toContain("Bạn chưa là cán bộ của đơn vị nào");
    expect(await snapshot()).toEqual(before);
  });

  it("shows a grassroots officer an empty review queue, and refuses reviews of one's own unit or submission", async () => {
    expect(text(await say(an, dm(an.userId), "/duyet"))).toContain("Không có hồ sơ nào đang chờ Công đoàn Công ty CP Phân bón Sông Cầu xem xét.");

    await anRegistersTwoThemes();

    const prisma = t.app.db.prisma;
    const phanbon = (await t.app.store.getUnitByCode("DEMO-PHANBON")) as Unit;
    const hoachat = (await t.app.store.getUnitByCode("DEMO-HOACHAT")) as Unit;
    const reg = await prisma.themeRegistration.findFirstOrThrow({ where: { unitId: phanbon.id } });
    const anPerson = (await t.app.store.findPersonByIdentity("web:demo-an"))!;

    // Acting as his own unit's reviewer: refused (the item waits at the level above, not at his).
    const own = await t.app.store.transaction(async (tx) => decide(await envAs(tx, anPerson), phanbon, "REGISTRATION", reg.id, "FORWARD").catch((e: unknown) => e));
    expect(own).toBeInstanceOf(AppError);
    expect((own as AppError).code).toBe("not_at_your_level");
    // Not an officer of the level above: refused.
    const notAbove = await t.app.store.transaction(async (tx) => decide(await envAs(tx, anPerson), hoachat, "REGISTRATION", reg.id, "FORWARD").catch((e: unknown) => e));
    expect((notAbove as AppError).code).toBe("not_officer");

    // An officer of the sending unit never decides its items, even with a role at the level above.
    await t.app.store.transaction((tx) => tx.grantRole(anPerson.id, hoachat.id, "OFFICER", null));
    const conflict = await t.app.store.transaction(async (tx) => decide(await envAs(tx, anPerson), hoachat, "REGISTRATION", reg.id, "FORWARD").catch((e: unknown) => e));
    expect((conflict as AppError).code).toBe("conflict_of_interest");
    // No longer an officer of his unit, he still cannot decide what he submitted himself.
    await t.app.store.transaction((tx) => tx.revokeRole(anPerson.id, phanbon.id, "OFFICER", null, new Date()));
    const selfReview = await t.app.store.transaction(async (tx) => decide(await envAs(tx, anPerson), hoachat, "REGISTRATION", reg.id, "FORWARD").catch((e: unknown) => e));
    expect((selfReview as AppError).code).toBe("own_submission");
    await t.app.store.transaction((tx) => tx.revokeRole(anPerson.id, hoachat.id, "OFFICER", null, new Date()));
    await t.app.store.transaction((tx) => tx.grantRole(anPerson.id, phanbon.id, "OFFICER", null));
    expect((await prisma.themeRegistration.findUniqueOrThrow({ where: { id: reg.id } })).status).toBe("SUBMITTED");
  });

  it("re-checks rights at every step: a revoked officer's open buttons change nothing and show nothing more", async () => {
    await anRegistersTwoThemes();
    const where = group("grp-hoachat-officers");
    const list = (await say(cuong, where, "/duyet")).at(-1)!;
    const open = list.choices!.find((c) => c.label.startsWith("Đăng ký thi đua"))!;
    // /xuat in a private chat, left open at its first question.
    const documents = (await say(cuong, dm(cuong.userId), "/xuat")).at(-1)!;
    const sheet = documents.choices![0]!;
    const files = await t.app.db.prisma.storedFile.count();
    const cuongPerson = (await t.app.store.findPersonByIdentity("web:demo-cuong"))!;
    const hoachat = (await t.app.store.getUnitByCode("DEMO-HOACHAT"))!;
    await t.app.store.transaction((tx) => tx.revokeRole(cuongPerson.id, hoachat.id, "OFFICER", null, new Date()));
    const refused = await say(cuong, where, { choice: open.id });
    expect(text(refused)).toContain("Bạn không phải cán bộ của Công đoàn Tổng công ty Hóa chất Phương Bắc");
    expect(text(refused)).not.toContain("Quá trình xử lý");
    expect(await dialogOf(cuong.userId, "grp-hoachat-officers")).toBeNull();
    expect((await t.app.db.prisma.themeRegistration.findFirstOrThrow({ where: { status: { not: "DRAFT" } } })).status).toBe("SUBMITTED");
    const noFile = await say(cuong, dm(cuong.userId), { choice: sheet.id });
    expect(text(noFile)).toContain("Bạn không phải cán bộ của Công đoàn Tổng công ty Hóa chất Phương Bắc");
    expect(noFile.some((m) => m.file)).toBe(false);
    expect(await t.app.db.prisma.storedFile.count()).toBe(files);
    expect(await dialogOf(cuong.userId, `dm-${cuong.userId}`)).toBeNull();
    await t.app.store.transaction((tx) => tx.grantRole(cuongPerson.id, hoachat.id, "OFFICER", null));
  });

  it("ignores a button of an older prompt, and another person's button", async () => {
    await anRegistersTwoThemes();
    const listed = await say(cuong, group("grp-hoachat-officers"), "/duyet");
    const list = listed.at(-1)!;
    if (!list.choices) throw new Error(text(listed));
    const oldChoice = list.choices!.find((c) => c.label.startsWith("Đăng ký thi đua"))!;
    const item = (await say(cuong, group("grp-hoachat-officers"), { choice: oldChoice.id })).at(-1)!; // opens the item: a new prompt
    const state = await dialogOf(cuong.userId, "grp-hoachat-officers");
    expect(text(await say(cuong, group("grp-hoachat-officers"), { choice: oldChoice.id }))).toContain("Nút này đã cũ hoặc dành cho người khác");
    const approve = item.choices!.find((c) => c.label === "Chấp nhận, chuyển lên Công đoàn Công Thương Việt Nam")!;
    // Giang is not an officer of this unit; pressing Cường's button does nothing.
    expect(text(await say(giang, group("grp-hoachat-officers"), { choice: approve.id }))).toContain("Nút này đã cũ hoặc dành cho người khác");
    expect(await dialogOf(cuong.userId, "grp-hoachat-officers")).toEqual(state);
    expect((await t.app.db.prisma.themeRegistration.findFirstOrThrow({ where: { status: { not: "DRAFT" } } })).status).toBe("SUBMITTED");
    await say(cuong, group("grp-hoachat-officers"), "/huy");
  });

  it("accepts an invite code once, and slows down guessing", async () => {
    const detmay = (await t.app.store.getUnitByCode("DEMO-DETMAY"))!;
    const system: Actor = { kind: "system", tag: "cli" };
    const { code } = await t.app.store.transaction(async (tx) => createInvite({ ...(await envAs(tx, (await tx.findPersonByIdentity("web:demo-an"))!)), actor: system }, detmay, "GROUP_MEMBERS"));
    expect(text(await say(giang, group("grp-detmay-a", "Nhóm A"), `/lienket ${code}`))).toContain("Đã liên kết nhóm này làm nhóm đoàn viên của Công đoàn Công ty Dệt may Thăng Long");
    const before = await snapshot();
    expect(text(await say(giang, group("grp-detmay-b", "Nhóm B"), `/lienket ${code}`))).toBe("Mã này đã được dùng hết lượt. Hãy xin cán bộ đơn vị một mã mới.");
    expect(text(await say(giang, dm(giang.userId), `/lienket ${code}`))).toContain("Mã này"); // used up wins over wrong place
    expect(await snapshot()).toEqual(before);

    const { code: fresh } = await t.app.store.transaction(async (tx) => createInvite({ ...(await envAs(tx, (await tx.findPersonByIdentity("web:demo-an"))!)), actor: system }, detmay, "OFFICER"));
    for (let i = 0; i < 5; i++) {
      expect(text(await say(guesser, dm(guesser.userId), `/lienket AAAA-BBBB-CC${i}${i}`))).toContain("Mã không đúng");
    }
    // Sixth attempt within the hour: refused even with the right code.
    expect(text(await say(guesser, dm(guesser.userId), `/lienket ${fresh}`))).toBe("Đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau một giờ.");
    expect(await t.app.db.prisma.role.count({ where: { unitId: detmay.id, kind: "OFFICER", revokedAt: null } })).toBe(1);
    // An hour later the right code works.
    t.clock.advance(61 * 60_000);
    expect(text(await say(guesser, dm(guesser.userId), `/lienket ${fresh}`))).toContain("Đồng chí đã trở thành cán bộ của Công đoàn Công ty Dệt may Thăng Long");
  });

  it("keeps sandbox identities away from real units", async () => {
    const real = await t.app.store.transaction(async (tx) => {
      const u = await tx.createUnit({ code: "REAL-1", name: "Công đoàn cơ sở thật", level: "GRASSROOTS", parent: null, demo: false });
      const env = await envAs(tx, (await tx.findPersonByIdentity("web:demo-an"))!);
      return { unit: u, invite: await createInvite({ ...env, actor: { kind: "system", tag: "cli" } }, u, "OFFICER") };
    });
    expect(text(await say(stranger, dm(stranger.userId), `/lienket ${real.invite.code}`))).toContain("Danh tính thử nghiệm (sandbox) chỉ thao tác được trên các đơn vị mẫu");
    expect(await t.app.db.prisma.role.count({ where: { unitId: real.unit.id } })).toBe(0);
  });

  it("refuses malformed sandbox requests with 4xx and stores nothing", async () => {
    const count = () => t.app.db.prisma.sandboxMessage.count();
    const before = await count();
    const base = { chatId: "dm-x", chatKind: "private", userId: "x", userName: "X" };
    const cases: [unknown, string | undefined, number][] = [
      ["{not json", undefined, 400],
      [[{ ...base, text: "hi" }], undefined, 400],
      [{ ...base }, undefined, 400],
      [{ ...base, text: "a", choice: "b" }, undefined, 400],
      [{ ...base, chatKind: "channel", text: "a" }, undefined, 400],
      [{ ...base, userId: "bad id with spaces", text: "a" }, undefined, 400],
      [{ ...base, text: "a", extra: 1 }, undefined, 400],
      [{ ...base, text: "a" }, "text/plain", 415],
      [{ ...base, text: "x".repeat(70_000) }, undefined, 413],
    ];
    for (const [body, type, status] of cases) {
      const res = await t.client.post(body, type);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    expect(await count()).toBe(before);
    expect((await fetch(`${t.app.url}/sandbox/api/messages?chatId=bad%20id`)).status).toBe(400);
  });

  it("records nothing more when consent is declined, and asks again next time", async () => {
    const newcomer = { userId: "moi-den", userName: "Người mới" };
    expect(text(await say(newcomer, dm(newcomer.userId), "/dangky"))).toContain("Bạn có đồng ý không?");
    expect(text(await pick(newcomer, dm(newcomer.userId), "Không đồng ý"))).toContain("Bot sẽ không lưu thêm dữ liệu của bạn");
    const person = (await t.app.store.findPersonByIdentity("web:moi-den"))!;
    expect(await t.app.db.prisma.consent.count({ where: { personId: person.id } })).toBe(0);
    expect(text(await say(newcomer, dm(newcomer.userId), "/baocao"))).toContain("Bạn có đồng ý không?");
  });
});
