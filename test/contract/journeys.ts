/**
 * The contract suite: the same journeys through every door — the web sandbox, Telegram by
 * polling and by webhook, Zalo by polling and by webhook — on each database. What a person
 * sees may differ in form (buttons or numbered lines) but never in substance.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import type { DoorName } from "./doors.js";
import { openDoor } from "./open.js";
import { joined, type Door } from "./door.js";
import { people, places } from "./world.js";

const { an, cuong, binh, khanh, giang, minh } = people;

function codeIn(text: string): string {
  const m = /\/(?:lienket|link) ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(text);
  if (!m) throw new Error(`no code in: ${text}`);
  return m[1]!;
}

/** A journey through a whole year takes a hundred steps: on a loaded two-core machine, minutes. */
const LONG_JOURNEY_MS = 240_000;

/** Declare the contract for one door, on every configured database. */
export function contract(doorName: DoorName): void {
  describe.each(backends())(`journeys through ${doorName} on %s`, (backend) => {
    /** A door on a fresh world, its groups made on the platform, Giang agreed to the notice. */
    async function openPrepared(): Promise<Door> {
      const d = await openDoor(doorName, backend);
      await d.prepareGroup(places.pbOfficers, [an]);
      await d.prepareGroup(places.pbMembers, [an]);
      await d.prepareGroup(places.hcOfficers, [cuong]);
      await d.prepareGroup(places.cdctOfficers, [binh]);
      // Giang has agreed before any test: the tests that use her start from there whichever
      // runs first (the journey's other people agree within the journey itself).
      await d.say(giang, places.dm(giang), "/start");
      await d.pick(giang, places.dm(giang), "Tôi đồng ý");
      return d;
    }

    // The short tests share one door and touch only what each sets up. The year's movement
    // and its end run on a door of their own: the walk is done once, by whichever of the two
    // tests runs first (the end of the year starts where the walk stops; each can run alone).
    let door: Door;
    let storyDoor: Door | undefined;
    let walked: Promise<Door> | undefined;
    const movementWalked = () =>
      (walked ??= (async () => {
        storyDoor = await openPrepared();
        await walkMovement(storyDoor);
        return storyDoor;
      })());
    beforeAll(async () => {
      door = await openPrepared();
    });
    afterAll(async () => {
      await door?.stop();
      await storyDoor?.stop();
    });

    it("walks a movement level by level: link groups, two themes accepted and forwarded to TLĐ, a late report, a direct worker rewarded by the sector union, totals", async () => {
      await movementWalked();
    }, LONG_JOURNEY_MS);

    it("answers mistakes clearly and changes nothing", async () => {
      const before = await movementState(door);
      expect(joined(await door.say(giang, places.dm(giang), "/xinchao"))).toBe("Không có lệnh /xinchao. Gõ /help để xem các lệnh.");
      expect(joined(await door.say(giang, places.dm(giang), "chào bot"))).toContain("Bot chưa hiểu tin nhắn này");
      await door.say(giang, places.dm(giang), "/baocao");
      await door.pick(giang, places.dm(giang), "Đợt 2");
      const letters = joined(await door.say(giang, places.dm(giang), "mười hai"));
      expect(letters).toContain("Vui lòng nhập một số nguyên, ví dụ 1.250.");
      expect(letters).toContain("(1/6)");
      expect(joined(await door.say(giang, places.dm(giang), "-5"))).toContain("Số liệu không được âm");
      expect(joined(await door.say(giang, places.dm(giang), "/huy"))).toBe("Đã hủy.");
      // Another unit's officers' group (linked with the world, so this test needs no earlier one).
      expect(joined(await door.say(giang, places.hcOfficers, "/dangky"))).toContain("bạn chưa có vai trò cán bộ");
      expect(joined(await door.say(minh, places.dm(minh), "/baocao"))).toContain("Bạn có đồng ý không?");
      expect(joined(await door.pick(minh, places.dm(minh), "Tôi đồng ý"))).toContain("Bạn chưa là cán bộ của đơn vị nào");
      expect(joined(await door.say(giang, places.hcOfficers, "/moi"))).toBe("Lệnh này chỉ dùng trong chat riêng với bot.");
      // Only the consent Minh gave (and its audit line) is new; the movement is as it was.
      expect(await movementState(door)).toEqual(before);
    });

    it("shows names with HTML and Markdown characters literally", async () => {
      const tricky = 'Tổ <b>đóng bao</b> & *số 1* _A_ [x](y) `z`';
      await door.say(giang, places.dm(giang), "/dangky");
      await door.pick(giang, places.dm(giang), "Thêm nội dung");
      await door.pick(giang, places.dm(giang), "Lao động giỏi");
      expect(joined(await door.say(giang, places.dm(giang), tricky))).toContain(`Nội dung “${tricky}” phục vụ nhiệm vụ trọng tâm`);
      for (const answer of ["Dây chuyền đóng bao số 2", "Tổ trưởng <i>tổ 1</i>", "Sáng kiến được công nhận", "sáng kiến", "20"]) await door.say(giang, places.dm(giang), answer);
      const after = joined(await door.pick(giang, places.dm(giang), "Hoàn tất"));
      expect(after).toContain(`1. ${tricky} (thuộc nội dung thi đua 1)`);
      expect(after).toContain("Người phụ trách: Tổ trưởng <i>tổ 1</i>");
      await door.say(giang, places.dm(giang), "/huy");
    });

    it("accepts a group code once", async () => {
      const paMembers = { id: "pa-members", kind: "group", title: "Đoàn viên CĐCS Pin Ắc quy" } as const;
      const other = { id: "pa-other", kind: "group", title: "Nhóm khác" } as const;
      await door.prepareGroup(paMembers, [giang]);
      await door.prepareGroup(other, [giang]);
      await door.say(giang, places.dm(giang), "/moi");
      await door.pick(giang, places.dm(giang), "Mã liên kết nhóm đoàn viên");
      const code = codeIn(joined(await door.pick(giang, places.dm(giang), "Pin Ắc quy")));
      expect(joined(await door.say(giang, paMembers, `/lienket ${code}`))).toContain("Đã liên kết nhóm này làm nhóm đoàn viên của Công đoàn Công ty CP Pin Ắc quy Phương Nam");
      expect(joined(await door.say(giang, other, `/lienket ${code}`))).toBe("Mã này đã được dùng hết lượt. Hãy xin cán bộ đơn vị một mã mới.");
    });

    it("goes on to the year's end: a registration returned, plaques decided at two levels, phase 2, the tổng kết and next year's plan", async () => {
      const door = await movementWalked();
      const pb = places.pbOfficers;
      const hc = places.hcOfficers;
      // Pin Ắc quy registers too, late (its officer has no group: the bot answers in private),
      // with two themes.
      await door.say(giang, places.dm(giang), "/dangky");
      await door.pick(giang, places.dm(giang), "Thêm nội dung");
      await door.pick(giang, places.dm(giang), "Lao động giỏi");
      await door.say(giang, places.dm(giang), "Nâng năng suất dây chuyền lắp ráp ắc quy 10%");
      for (const answer of ["Dây chuyền lắp ráp số 2", "Tổ trưởng tổ lắp ráp", "Sáng kiến được công nhận", "sáng kiến", "20"]) await door.say(giang, places.dm(giang), answer);
      await door.pick(giang, places.dm(giang), "Hoàn tất");
      await door.pick(giang, places.dm(giang), "Thêm nội dung");
      await door.pick(giang, places.dm(giang), "Lao động giỏi");
      await door.say(giang, places.dm(giang), "Đào tạo công nhân bậc thợ 3/7");
      for (const answer of ["Kế hoạch sản xuất kinh doanh năm 2026", "Ban Chấp hành Công đoàn", "Công nhân được nâng bậc", "người", "200"]) await door.say(giang, places.dm(giang), answer);
      await door.pick(giang, places.dm(giang), "Hoàn tất");
      await door.pick(giang, places.dm(giang), "Gửi cấp trên");
      expect(joined(await door.pick(giang, places.dm(giang), /^Gửi$/))).toContain("Đã gửi đăng ký thi đua của Công đoàn Công ty CP Pin Ắc quy Phương Nam (2 nội dung) lên Công đoàn Tổng công ty Hóa chất Phương Bắc (quá hạn đăng ký – hạn mặc định, chưa được ấn định).");
      // The upper union returns it with the reason; the unit is told, the sector union never sees it.
      await door.say(cuong, hc, "/duyet");
      await door.pick(cuong, hc, "Pin Ắc quy");
      await door.pick(cuong, hc, "Trả lại để bổ sung");
      expect(joined(await door.say(cuong, hc, "Chỉ tiêu đào tạo cần ghi rõ số người mỗi quý"))).toContain("Đã trả lại");
      await door.deliverOutbox();
      expect(joined(await door.replies(places.dm(giang)))).toContain("đã trả lại đăng ký thi đua của đơn vị (2 nội dung). Lý do: Chỉ tiêu đào tạo cần ghi rõ số người mỗi quý");
      expect(joined(await door.say(binh, places.cdctOfficers, "/duyet"))).toContain("Không có hồ sơ nào đang chờ Công đoàn Công Thương Việt Nam xem xét.");
      // The unit reads its item's path on request.
      expect(joined(await door.say(giang, places.dm(giang), "/hoso"))).toContain("Hồ sơ Công đoàn Công ty CP Pin Ắc quy Phương Nam đã gửi lên trong năm: 1.");
      const returned = joined(await door.pick(giang, places.dm(giang), "Đăng ký thi đua (2 nội dung) – bị trả lại"));
      expect(returned).toContain("Quá trình xử lý:\n• 24/11/2026 10:00: Công đoàn Công ty CP Pin Ắc quy Phương Nam gửi lên Công đoàn Tổng công ty Hóa chất Phương Bắc (đ/c ");
      expect(returned).toMatch(/Công đoàn Tổng công ty Hóa chất Phương Bắc trả lại \(đ\/c [^)]+\)\. Ý kiến: “Chỉ tiêu đào tạo cần ghi rõ số người mỗi quý”/);
      await door.pick(giang, places.dm(giang), "Đóng");

      // Two works for plaques: one for the upper union's congress, decided there; one for the
      // Vietnam Trade Union's congress, proposed through the sector union and decided by TLĐ.
      async function registerWork(name: string, occasion: string): Promise<string> {
        await door.say(an, pb, "/congtrinh");
        await door.pick(an, pb, "Đăng ký công trình mới");
        await door.say(an, pb, name);
        await door.say(an, pb, "Giảm 90% bụi và khí thải, hoàn thành chào mừng Đại hội.");
        await door.pick(an, pb, occasion);
        await door.say(an, pb, "30/4/2027");
        return joined(await door.pick(an, pb, "Gửi đăng ký"));
      }
      expect(await registerWork("Hệ thống xử lý khí thải xưởng NPK", "Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc")).toContain(
        "hồ sơ đã gửi Công đoàn Tổng công ty Hóa chất Phương Bắc xem xét",
      );
      await door.say(cuong, hc, "/duyet");
      expect(joined(await door.pick(cuong, hc, "Gắn biển: Hệ thống xử lý"))).toContain("Chào mừng: Đại hội Công đoàn Tổng công ty Hóa chất Phương Bắc");
      expect(joined(await door.pick(cuong, hc, "Quyết định gắn biển"))).toContain("Đã quyết định gắn biển công trình");
      await door.deliverOutbox();
      expect(joined(await door.replies(pb))).toContain("Công đoàn Tổng công ty Hóa chất Phương Bắc đã quyết định gắn biển công trình “Hệ thống xử lý khí thải xưởng NPK”.");

      await registerWork("Nhà máy phân bón NPK số 2", "Đại hội Công đoàn Việt Nam");
      await door.say(cuong, hc, "/duyet");
      await door.pick(cuong, hc, "Gắn biển: Nhà máy phân bón");
      await door.pick(cuong, hc, "Đồng ý, đề nghị Công đoàn Công Thương Việt Nam gắn biển");
      await door.pick(cuong, hc, "Không có ý kiến");
      await door.say(binh, places.cdctOfficers, "/duyet");
      expect(joined(await door.pick(binh, places.cdctOfficers, "Gắn biển: Nhà máy phân bón"))).not.toContain("Quyết định gắn biển");
      await door.pick(binh, places.cdctOfficers, "Đồng ý, đề nghị Tổng Liên đoàn Lao động Việt Nam gắn biển");
      await door.pick(binh, places.cdctOfficers, "Không có ý kiến");
      await door.say(an, pb, "/hoso");
      const proposed = joined(await door.pick(an, pb, "Gắn biển: Nhà máy phân bón NPK số 2"));
      expect(proposed).toContain("Công đoàn Công Thương Việt Nam đồng ý, đề nghị lên Tổng Liên đoàn Lao động Việt Nam (đ/c ");
      expect(proposed).toContain("Hiện đang chờ: Tổng Liên đoàn Lao động Việt Nam xem xét.");
      await door.pick(an, pb, "Đóng");
      await door.say(khanh, places.dm(khanh), "/duyet");
      const atTld = joined(await door.pick(khanh, places.dm(khanh), "Gắn biển: Nhà máy phân bón"));
      expect(atTld).toContain("Chào mừng: Đại hội Công đoàn Việt Nam");
      expect(joined(await door.pick(khanh, places.dm(khanh), "Quyết định gắn biển"))).toContain("Đã quyết định gắn biển công trình");
      await door.deliverOutbox();
      expect(joined(await door.replies(pb))).toContain("Tổng Liên đoàn Lao động Việt Nam đã quyết định gắn biển công trình “Nhà máy phân bón NPK số 2”.");

      // Phase 2, on time; the upper union accepts it.
      door.clock.set(new Date("2027-01-05T03:00:00.000Z"));
      await door.say(an, pb, "/baocao");
      await door.pick(an, pb, "Đợt 2");
      for (const n of ["2.100", "15", "500.000.000", "200000000", "4", "60", "25", "18"]) await door.say(an, pb, n);
      await door.say(an, pb, "Hoàn thành vượt kế hoạch năm, không để xảy ra tai nạn lao động.");
      expect(joined(await door.pick(an, pb, "Gửi báo cáo"))).not.toContain("nộp muộn");
      await door.say(cuong, hc, "/duyet");
      await door.pick(cuong, hc, "Báo cáo Đợt 2");
      expect(joined(await door.pick(cuong, hc, "Chấp nhận báo cáo"))).toContain("Đã chấp nhận");

      // The day after phase 2's deadline: the year's final review (tổng kết) per level.
      door.clock.set(new Date("2027-01-11T02:00:30.000Z"));
      await door.app.scheduler.tick();
      await door.deliverOutbox();
      const review = joined(await door.replies(hc));
      expect(review).toContain("📊 Tổng kết phong trào thi đua năm 2026 – Công đoàn Tổng công ty Hóa chất Phương Bắc (Kế hoạch 01/KH-CĐCT năm 2026):");
      expect(review).toContain("• Báo cáo Đợt 1: 0/2 đơn vị được chấp nhận, 1 đã gửi chưa được chấp nhận, 1 nộp muộn");
      expect(review).toContain("• Báo cáo Đợt 2: 1/2 đơn vị được chấp nhận, 0 đã gửi chưa được chấp nhận, 0 nộp muộn");
      expect(review).toContain("Chỉ tiêu các đơn vị đã đăng ký: 2; đã báo cáo kết quả: 2, trong đó đạt hoặc vượt kế hoạch: 1");
      expect(review).toContain("Điển hình được biểu dương trong năm (1, trong đó 1 công nhân trực tiếp sản xuất): Đặng Văn Tuấn, tổ trưởng tổ đóng bao (Công đoàn Công ty CP Phân bón Sông Cầu)\n");
      expect(review).toContain(
        "Khen thưởng đã quyết định trong năm (1): Đặng Văn Tuấn, tổ trưởng tổ đóng bao (Công đoàn Công ty CP Phân bón Sông Cầu) được Công đoàn Công Thương Việt Nam tặng Bằng khen (Quyết định số 45/QĐ-CĐCT ngày 24/11/2026)\n",
      );
      // Its officers are told where the results go: the sector union, through its Ban Chính sách pháp luật.
      expect(review).toContain("Kết quả tổng kết gửi về Công đoàn Công Thương Việt Nam qua Ban Chính sách pháp luật.");

      // The year is closed by the issuing union, and next year's plan opened with its own number.
      await door.say(binh, places.dm(binh), "/kehoach");
      expect(joined(await door.pick(binh, places.dm(binh), "Kết thúc kế hoạch"))).toContain("Kết thúc Kế hoạch 01/KH-CĐCT năm 2026?");
      expect(joined(await door.pick(binh, places.dm(binh), "Kết thúc kế hoạch"))).toContain("Đã kết thúc Kế hoạch 01/KH-CĐCT năm 2026.");
      expect(joined(await door.say(an, pb, "/baocao"))).toContain("Chưa có kế hoạch thi đua nào đang áp dụng");
      await door.say(binh, places.dm(binh), "/kehoach");
      await door.pick(binh, places.dm(binh), "Mở kế hoạch năm sau");
      expect(joined(await door.say(binh, places.dm(binh), "15/KH-CĐCT"))).toContain("Đã mở Kế hoạch 15/KH-CĐCT năm 2027.");
      expect(joined(await door.say(an, pb, "/dangky"))).toContain("2027");
      await door.say(an, pb, "/huy");
    }, LONG_JOURNEY_MS);
  });
}

/**
 * Everything about the movement a mistake must not change, row by row (ids and statuses,
 * not only counts): units, roles, linked chats, registrations, themes, reports and their
 * figures, nominations, works, codes and their uses, messages queued, and the audit trail
 * apart from consents.
 */
async function movementState(door: Door) {
  const p = door.app.db.prisma;
  const byId = { orderBy: { id: "asc" as const } };
  return {
    units: await p.unit.findMany({ ...byId, select: { id: true, parentId: true, status: true, path: true } }),
    roles: await p.role.findMany({ ...byId, select: { id: true, personId: true, unitId: true, kind: true, revokedAt: true } }),
    // Linked chats only: a private chat seen for the first time is bookkeeping, not the movement.
    chats: await p.chat.findMany({ ...byId, where: { unitId: { not: null } }, select: { id: true, unitId: true, purpose: true, active: true } }),
    registrations: await p.themeRegistration.findMany({ ...byId, select: { id: true, status: true, atUnitId: true } }),
    themes: await p.theme.findMany({ ...byId, select: { id: true, title: true, removedAt: true } }),
    reports: await p.phaseReport.findMany({ ...byId, select: { id: true, status: true, late: true, figures: true } }),
    nominations: await p.nomination.findMany({ ...byId, select: { id: true, status: true, atUnitId: true } }),
    works: await p.plaqueWork.findMany({ ...byId, select: { id: true, status: true } }),
    invites: await p.inviteCode.findMany({ ...byId, select: { id: true, uses: true, revokedAt: true } }),
    outbox: await p.outboxMessage.count(),
    audit: await p.auditEvent.findMany({ where: { action: { not: "consent.given" } }, orderBy: { id: "asc" }, select: { id: true, action: true } }),
  };
}


/** The year's movement level by level, with what each step must answer (the first journey, and the start of the year's end). */
async function walkMovement(door: Door): Promise<void> {
  expect(joined(await door.say(an, places.dm(an), "/moi"))).toContain("Bạn có đồng ý không?");
  await door.pick(an, places.dm(an), "Tôi đồng ý");
  await door.pick(an, places.dm(an), "Mã liên kết nhóm cán bộ");
  const officersCode = codeIn(joined(await door.pick(an, places.dm(an), "Phân bón")));
  expect(joined(await door.say(an, places.pbOfficers, `/lienket ${officersCode}`))).toContain("Đã liên kết nhóm này làm nhóm cán bộ của Công đoàn Công ty CP Phân bón Sông Cầu");
  await door.say(an, places.dm(an), "/moi");
  await door.pick(an, places.dm(an), "Mã liên kết nhóm đoàn viên");
  const membersCode = codeIn(joined(await door.pick(an, places.dm(an), "Phân bón")));
  expect(joined(await door.say(an, places.pbMembers, `/lienket ${membersCode}`))).toContain("nhóm đoàn viên");

  expect(joined(await door.say(an, places.pbOfficers, "/dangky"))).toContain("Đã có 0 nội dung (cần ít nhất 2)");
  for (const [area, title, indicator] of [
    ["Lao động giỏi", "Hoàn thành dây chuyền đóng bao tự động trước 30/6", "Sáng kiến được công nhận"],
    ["Năm vì lợi ích đoàn viên", "Ký thỏa thuận giảm giá phân bón cho đoàn viên", "Đoàn viên được hưởng ưu đãi"],
  ] as const) {
    await door.pick(an, places.pbOfficers, "Thêm nội dung");
    await door.pick(an, places.pbOfficers, area);
    await door.say(an, places.pbOfficers, title);
    for (const answer of ["Dự án mở rộng nhà máy giai đoạn 2", "Đồng chí Phó Chủ tịch Công đoàn", indicator, "người", "20"]) await door.say(an, places.pbOfficers, answer);
    await door.pick(an, places.pbOfficers, "Hoàn tất");
  }
  await door.pick(an, places.pbOfficers, "Gửi cấp trên");
  expect(joined(await door.pick(an, places.pbOfficers, /^Gửi$/))).toContain("Đã gửi đăng ký thi đua của Công đoàn Công ty CP Phân bón Sông Cầu (2 nội dung)");

  await door.deliverOutbox();
  expect(joined(await door.replies(places.hcOfficers))).toContain("vừa gửi đăng ký 2 nội dung thi đua");
  // The sector union sees nothing before the upper union has decided.
  await door.say(binh, places.cdctOfficers, "/duyet");
  expect(joined(await door.pick(binh, places.cdctOfficers, "Tôi đồng ý"))).toContain("Không có hồ sơ nào đang chờ Công đoàn Công Thương Việt Nam xem xét.");
  await door.say(cuong, places.hcOfficers, "/duyet");
  await door.pick(cuong, places.hcOfficers, "Tôi đồng ý");
  await door.pick(cuong, places.hcOfficers, "Đăng ký thi đua");
  await door.pick(cuong, places.hcOfficers, "Chấp nhận, chuyển lên Công đoàn Công Thương Việt Nam");
  expect(joined(await door.say(cuong, places.hcOfficers, "Nội dung sát nhiệm vụ sản xuất"))).toContain("Đã chuyển lên cấp trên");
  await door.deliverOutbox();
  expect(joined(await door.replies(places.pbOfficers))).toContain("đã đồng ý và chuyển đăng ký thi đua của đơn vị (2 nội dung) lên Công đoàn Công Thương Việt Nam");
  await door.say(binh, places.cdctOfficers, "/duyet");
  const atSector = joined(await door.pick(binh, places.cdctOfficers, "Đăng ký thi đua"));
  expect(atSector).toContain("Ý kiến: “Nội dung sát nhiệm vụ sản xuất”");
  await door.pick(binh, places.cdctOfficers, "Chấp nhận, chuyển lên Tổng Liên đoàn");
  await door.pick(binh, places.cdctOfficers, "Không có ý kiến");
  await door.say(khanh, places.dm(khanh), "/duyet");
  await door.pick(khanh, places.dm(khanh), "Tôi đồng ý");
  await door.pick(khanh, places.dm(khanh), "Đăng ký thi đua");
  expect(joined(await door.pick(khanh, places.dm(khanh), "Ghi nhận đăng ký"))).toContain("Đã ghi nhận đăng ký");

  await door.say(an, places.pbOfficers, "/baocao");
  expect(joined(await door.pick(an, places.pbOfficers, "Đợt 1"))).toContain("(1/6)");
  for (const n of ["1.250", "12", "350.000.000", "120000000", "3", "45", "12", "5,5"]) await door.say(an, places.pbOfficers, n);
  expect(joined(await door.say(an, places.pbOfficers, "Toàn đơn vị thi đua sôi nổi, vượt kế hoạch 8%."))).toContain("đã quá hạn 10/09/2026");
  expect(joined(await door.pick(an, places.pbOfficers, "Gửi báo cáo"))).toContain("(ghi nhận nộp muộn)");

  await door.say(an, places.pbOfficers, "/tonvinh");
  await door.pick(an, places.pbOfficers, "Cá nhân");
  await door.say(an, places.pbOfficers, "Đặng Văn Tuấn, tổ trưởng tổ đóng bao");
  await door.pick(an, places.pbOfficers, "Bỏ qua");
  await door.pick(an, places.pbOfficers, /^Có$/);
  await door.pick(an, places.pbOfficers, "Đợt 1");
  await door.say(an, places.pbOfficers, "Có 3 sáng kiến cải tiến máy đóng bao, làm lợi 120 triệu đồng.");
  await door.pick(an, places.pbOfficers, "Bằng khen của Công đoàn ngành");
  expect(joined(await door.pick(an, places.pbOfficers, "Gửi đề nghị"))).toContain("Đã gửi đề nghị khen thưởng Đặng Văn Tuấn");
  await door.say(cuong, places.hcOfficers, "/duyet");
  await door.pick(cuong, places.hcOfficers, "Đề nghị khen thưởng");
  await door.pick(cuong, places.hcOfficers, "Đồng ý, đề nghị lên Công đoàn Công Thương Việt Nam");
  expect(joined(await door.pick(cuong, places.hcOfficers, "Không có ý kiến"))).toContain("Đã chuyển lên cấp trên");
  await door.deliverOutbox();
  expect(joined(await door.replies(places.pbMembers))).not.toContain("Đặng Văn Tuấn");
  await door.say(binh, places.cdctOfficers, "/duyet");
  await door.pick(binh, places.cdctOfficers, "Đề nghị khen thưởng");
  await door.pick(binh, places.cdctOfficers, "Quyết định khen thưởng");
  await door.say(binh, places.cdctOfficers, "45/QĐ-CĐCT");
  expect(joined(await door.pick(binh, places.cdctOfficers, "Hôm nay"))).toContain("Đã ghi nhận quyết định khen thưởng");
  await door.deliverOutbox();
  expect(joined(await door.replies(places.pbMembers))).toContain(
    "công nhân trực tiếp sản xuất (Công đoàn Công ty CP Phân bón Sông Cầu), được Công đoàn Công Thương Việt Nam tặng Bằng khen (Quyết định số 45/QĐ-CĐCT ngày 24/11/2026)",
  );

  const progress = joined(await door.say(cuong, places.hcOfficers, "/tiendo"));
  expect(progress).toContain("Báo cáo Đợt 1 (hạn 10/09/2026 – mặc định, chưa được ấn định): 1/2 đơn vị đã gửi – 0 đã được chấp nhận, 1 đã gửi, chưa được chấp nhận; 1 nộp muộn");
  expect(progress).toContain("Lượt người tham gia: 1.250");
  expect(progress).toContain("Công nhân trực tiếp sản xuất đã được khen thưởng: 1");
  expect(joined(await door.say(binh, places.dm(binh), "/tiendo"))).toContain("Giá trị thực hành tiết kiệm: 120.000.000 đồng");
}