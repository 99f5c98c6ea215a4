/**
 * The review path level by level, through the sandbox API on each database: whom a sent
 * item waits for (and when nobody there uses the bot yet, or the unit lets items pass);
 * the review list with direct production workers first; a level granting a form of its
 * own; a decline and a return told to the levels that forwarded the item; one person with
 * officer roles at two levels deciding at one only; TLĐ's answers recorded by CĐCTVN when
 * TLĐ has no officer in the bot; and a closed plan refusing every change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, group, text, type Speaker, type Where } from "../support/sandbox-client.js";
import { decide, setPassThrough, type Action } from "../../src/core/usecases/review.js";
import { systemEnv, type Env } from "../../src/core/usecases/env.js";
import type { Person, Unit } from "../../src/core/model.js";
import type { Tx } from "../../src/core/ports.js";
import { AppError } from "../../src/core/errors.js";
import { an, binh, cuong, giang, hai, lan, minh, consent } from "../support/demo-people.js";

const phuc = { userId: "khach-03", userName: "Đinh Văn Phúc" }; // given officer roles at two levels below

const HOACHAT = "Công đoàn Tổng công ty Hóa chất Phương Bắc";
const CTHN = "Công đoàn Công Thương Hà Nội";
const CDCTVN = "Công đoàn Công Thương Việt Nam";
const TLD = "Tổng Liên đoàn Lao động Việt Nam";
const PHANBON = "Công đoàn Công ty CP Phân bón Sông Cầu";
const PINAQ = "Công đoàn Công ty CP Pin Ắc quy Phương Nam";
const cuongGroup = group("grp-hoachat-officers");
const binhGroup = group("grp-cdctvn-officers");
const giangGroup = group("grp-pinaq-officers");

const LONG = 300_000;

describe.each(backends())("the review path on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await consent(t, [an, giang, cuong, binh, hai, lan, minh, phuc]);
  }, LONG);
  afterAll(async () => t?.stop());

  const say = (who: Speaker, where: Where, input: string | { choice: string }) => t.client.say(who, where, input);
  const pick = (who: Speaker, where: Where, label: string | RegExp) => t.client.pick(who, where, label);
  const unit = async (code: string) => (await t.app.store.getUnitByCode(code)) as Unit;
  const person = async (who: Speaker) => (await t.app.store.findPersonByIdentity(`web:${who.userId}`)) as Person;
  const botTexts = async (chatId: string) => (await t.client.messages(chatId)).filter((m) => m.from === "bot").map((m) => m.text);

  async function grant(who: Speaker, code: string) {
    const [p, u] = [await person(who), await unit(code)];
    await t.app.store.transaction((tx) => tx.grantRole(p.id, u.id, "OFFICER", null));
  }
  async function revoke(who: Speaker, code: string) {
    const [p, u] = [await person(who), await unit(code)];
    await t.app.store.transaction((tx) => tx.revokeRole(p.id, u.id, "OFFICER", null, new Date()));
  }

  function envAs(tx: Tx, p: Person): Env {
    return { tx, actor: { kind: "person", person: p }, now: t.clock.now(), today: "2026-11-24", translate: t.app.translator.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh", roles: () => tx.activeRoles(p.id) };
  }
  /** A decision taken through the use case (as a button pressed late would): the refusal, or null. */
  async function decideAs(who: Speaker, reviewerCode: string, id: number, action: Action): Promise<AppError | null> {
    const [p, reviewer] = [await person(who), await unit(reviewerCode)];
    const e = await t.app.store.transaction(async (tx) => decide(envAs(tx, p), reviewer, "NOMINATION", id, action, { note: "Ý kiến thử" }).then(() => null, (err: unknown) => err));
    if (e !== null && !(e instanceof AppError)) throw e;
    return e;
  }

  const nomination = (name: string) => t.app.db.prisma.nomination.findFirstOrThrow({ where: { nomineeName: name } });

  /** A nomination sent up by `who`'s unit; returns what the bot answered on sending. */
  async function nominate(who: Speaker, where: Where, name: string, o: { worker?: boolean; form: string }): Promise<string> {
    // With a returned nomination the unit first sees a menu.
    const opened = (await say(who, where, "/tonvinh")).at(-1)!;
    if (opened.choices?.some((c) => c.label === "Đề nghị mới")) await pick(who, where, "Đề nghị mới");
    await pick(who, where, "Cá nhân");
    await say(who, where, name);
    await pick(who, where, "Bỏ qua");
    await pick(who, where, o.worker ? /^Có$/ : /^Không$/);
    await pick(who, where, "Đợt 1");
    await say(who, where, "Có 3 sáng kiến cải tiến kỹ thuật, làm lợi 120 triệu đồng.");
    await pick(who, where, o.form);
    return text(await pick(who, where, "Gửi đề nghị"));
  }

  /** `who` opens the item labelled `label` in /duyet of the chat's unit and picks `action` (with a note or a reason when asked). */
  async function review(who: Speaker, where: Where, label: string, action: string, answer?: string): Promise<string> {
    await say(who, where, "/duyet");
    await pick(who, where, label);
    const after = text(await pick(who, where, action));
    if (answer === undefined) return after;
    return text(answer === "" ? await pick(who, where, "Không có ý kiến") : await say(who, where, answer));
  }

  it(
    "names the unit where a sent item waits, says in a sentence of its own when nobody there uses the bot, and names the next unit once that unit lets items pass",
    async () => {
      // Công Thương Hà Nội has no officer in the bot any more.
      await revoke({ userId: "demo-dung" }, "DEMO-CTHN");
      const where = dm(hai.userId);
      await say(hai, where, "/dangky");
      for (const title of ["Nâng năng suất dây chuyền dệt kim 10%", "Đào tạo 150 công nhân may bậc cao"]) {
        await pick(hai, where, "Thêm nội dung");
        await pick(hai, where, "Lao động giỏi");
        await say(hai, where, title);
        for (const answer of ["Kế hoạch sản xuất năm 2026", "Ban Chấp hành Công đoàn", "Sản lượng tăng thêm", "%", "10"]) await say(hai, where, answer);
        await pick(hai, where, "Hoàn tất");
      }
      expect(text(await pick(hai, where, "Gửi cấp trên"))).toContain(`gồm 2 nội dung lên ${CTHN}?`);
      const sent = text(await pick(hai, where, /^Gửi$/));
      expect(sent).toContain(`Đã gửi đăng ký thi đua của Công đoàn Công ty Dệt may Thăng Long (2 nội dung) lên ${CTHN} (quá hạn đăng ký – hạn mặc định, chưa được ấn định).`);
      const unstaffed = `${CTHN} chưa có cán bộ nào dùng bot: hồ sơ chờ ở đó cho đến khi đơn vị có cán bộ dùng bot, hoặc quản trị viên cho hồ sơ của đơn vị này chuyển thẳng lên cấp trên.`;
      // A sentence of its own, on its own line: not a parenthesis in the middle of another.
      expect(sent.split("\n")).toContain(unstaffed);

      // /tiendo and /hoso say the same.
      const own = text(await say(hai, where, "/tiendo"));
      expect(own).toContain(`đã gửi, đang chờ ${CTHN} xem xét`);
      expect(own.split("\n")).toContain(unstaffed);
      await say(hai, where, "/hoso");
      const record = text(await pick(hai, where, "Đăng ký thi đua"));
      expect(record).toContain(`Hiện đang chờ: ${CTHN} xem xét.\n${unstaffed}`);
      await pick(hai, where, "Đóng");

      // An administrator lets Công Thương Hà Nội's items pass: what waits there moves on, and
      // what is sent from now on goes straight to CĐCTVN.
      await t.app.store.transaction(async (tx) =>
        setPassThrough(systemEnv("cli", { tx, now: t.clock.now(), translate: t.app.translator.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh" }), await tx.getUnitByCode("DEMO-CTHN").then((u) => u!), true),
      );
      const proposed = await nominate(lan, dm(lan.userId), "Vũ Thị Mai", { form: "Bằng khen của Công đoàn ngành" });
      expect(proposed).toContain(`Đã gửi đề nghị khen thưởng Vũ Thị Mai (Công đoàn Công ty CP Thực phẩm Hà Thành) lên ${CDCTVN}.`);
      expect(proposed).not.toContain("chưa có cán bộ");
      const mai = await nomination("Vũ Thị Mai");
      expect(mai.atUnitId).toBe((await unit("DEMO-CDCTVN")).id);

      await say(binh, binhGroup, "/duyet");
      const atSector = (await pick(binh, binhGroup, "Đề nghị khen thưởng: Vũ Thị Mai")).at(-1)!;
      expect(atSector.text).toContain(`Công đoàn Công ty CP Thực phẩm Hà Thành gửi lên ${CTHN} (đ/c Đỗ Thị Lan)`);
      expect(atSector.text).toContain(`qua ${CTHN} (chưa có cán bộ dùng bot), chuyển thẳng lên ${CDCTVN}`);
      expect(atSector.choices!.map((c) => c.label)).toContain("Quyết định khen thưởng: Bằng khen của Công đoàn ngành (Công đoàn Công Thương Việt Nam)");
      await say(binh, binhGroup, "/huy");

      const moved = text(await say(hai, where, "/tiendo"));
      expect(moved).toContain(`đã gửi, đang chờ ${CDCTVN} xem xét`);
      expect(moved).not.toContain("chưa có cán bộ");
    },
    LONG,
  );

  /** Bảo (not a direct worker) proposed by Phân bón first, then Cúc (a direct worker) by Pin Ắc quy: both wait at Hóa chất. */
  let proposedTwo: Promise<void> | undefined;
  const twoProposed = () =>
    (proposedTwo ??= (async () => {
      expect(await nominate(an, dm(an.userId), "Trần Văn Bảo", { form: "Bằng khen của Công đoàn ngành" })).toContain(`Đã gửi đề nghị khen thưởng Trần Văn Bảo (${PHANBON}) lên ${HOACHAT}.`);
      t.clock.advance(60_000);
      await nominate(giang, giangGroup, "Lý Thị Cúc", { worker: true, form: "Bằng khen của Công đoàn ngành" });
    })());

  it(
    "lists direct production workers first with their share; a level lowers the proposed form to its own Giấy khen and decides it, and members hear of it in those words",
    async () => {
      await twoProposed();
      const list = (await say(cuong, cuongGroup, "/duyet")).at(-1)!;
      expect(list.text).toContain("Đề nghị khen thưởng: 2, trong đó 1 công nhân trực tiếp sản xuất (50%).");
      const labels = list.choices!.map((c) => c.label);
      const worker = labels.findIndex((l) => l.includes("Lý Thị Cúc"));
      expect(labels[worker]).toContain("Đề nghị khen thưởng: Lý Thị Cúc (CN trực tiếp SX) – ");
      expect(worker).toBeLessThan(labels.findIndex((l) => l.includes("Trần Văn Bảo")));

      await pick(cuong, cuongGroup, "Đề nghị khen thưởng: Trần Văn Bảo");
      expect(text(await pick(cuong, cuongGroup, "Khen thưởng bằng hình thức của cấp mình"))).toContain(`${HOACHAT} khen thưởng bằng hình thức nào?`);
      expect(text(await pick(cuong, cuongGroup, "Giấy khen của Công đoàn cấp trên trực tiếp cơ sở"))).toContain("Số quyết định khen thưởng");
      await say(cuong, cuongGroup, "45/QĐ-CĐHC");
      expect(text(await pick(cuong, cuongGroup, "Hôm nay"))).toContain("Đã ghi nhận quyết định khen thưởng. Đơn vị và đoàn viên đã được báo.");
      await say(cuong, cuongGroup, "/huy");

      const bao = await nomination("Trần Văn Bảo");
      const ownForm = await t.app.db.prisma.commendationForm.findUniqueOrThrow({ where: { code: "giay_khen_ctcs" } });
      expect(bao).toMatchObject({ status: "APPROVED", atUnitId: null, grantedFormId: ownForm.id, grantedByUnitId: (await unit("DEMO-HOACHAT")).id, decisionNumber: "45/QĐ-CĐHC" });
      await t.client.deliverOutbox();
      expect(await botTexts(`dm-${minh.userId}`)).toContain(
        `🎖 Chúc mừng đồng chí Trần Văn Bảo (${PHANBON}) được ${HOACHAT} tặng Giấy khen (Quyết định số 45/QĐ-CĐHC ngày 24/11/2026).\nThành tích: Có 3 sáng kiến cải tiến kỹ thuật, làm lợi 120 triệu đồng.`,
      );
      expect((await t.client.lastBot(`dm-${an.userId}`))!.text).toBe(`🎖 ${HOACHAT} đã quyết định khen thưởng Trần Văn Bảo bằng hình thức của cấp mình.`);
    },
    LONG,
  );

  it(
    "declines a forwarded nomination at the sector union: the sender and the upper union that proposed it are told, the members are not",
    async () => {
      await twoProposed();
      const forwarded = await review(cuong, cuongGroup, "Đề nghị khen thưởng: Lý Thị Cúc", `Đồng ý, đề nghị lên ${CDCTVN}`, "");
      expect(forwarded).toContain(`Đã chuyển lên cấp trên: hồ sơ đang chờ ${CDCTVN} xem xét. Đơn vị gửi đã được báo.`);
      await say(cuong, cuongGroup, "/huy");

      await say(binh, binhGroup, "/duyet");
      const item = text(await pick(binh, binhGroup, "Đề nghị khen thưởng: Lý Thị Cúc"));
      // The path in the words of the button that took the step.
      expect(item).toContain(`${HOACHAT} đồng ý, đề nghị lên ${CDCTVN} (đ/c Lê Văn Cường)`);
      await pick(binh, binhGroup, "Không chấp thuận");
      expect(text(await say(binh, binhGroup, "Thành tích chưa đạt tiêu chuẩn Bằng khen của ngành"))).toContain("Đã quyết định không chấp thuận");
      await say(binh, binhGroup, "/huy");
      expect((await nomination("Lý Thị Cúc")).status).toBe("DECLINED");

      await t.client.deliverOutbox();
      expect((await t.client.lastBot(giangGroup.chatId))!.text).toBe(`${CDCTVN} không chấp thuận đề nghị khen thưởng Lý Thị Cúc. Lý do: Thành tích chưa đạt tiêu chuẩn Bằng khen của ngành`);
      expect((await t.client.lastBot(cuongGroup.chatId))!.text).toBe(
        `${CDCTVN} không chấp thuận đề nghị khen thưởng Lý Thị Cúc của ${PINAQ} (hồ sơ do ${HOACHAT} chuyển lên). Lý do: Thành tích chưa đạt tiêu chuẩn Bằng khen của ngành`,
      );
      expect((await botTexts("grp-pinaq-members")).join("\n")).not.toContain("Lý Thị Cúc");
    },
    LONG,
  );

  it(
    "never lets one person decide an item at two levels: an officer of the unit that forwarded it, or one who already acted on it below, sees why and cannot decide; a return is told to the forwarding level",
    async () => {
      await nominate(giang, giangGroup, "Phạm Văn Đức", { form: "Bằng khen của Công đoàn ngành" });
      await review(cuong, cuongGroup, "Đề nghị khen thưởng: Phạm Văn Đức", `Đồng ý, đề nghị lên ${CDCTVN}`, "");
      await say(cuong, cuongGroup, "/huy");
      const duc = await nomination("Phạm Văn Đức");

      // Phúc is an officer of Hóa chất (which forwarded it, though not by his hand) and of CĐCTVN.
      await grant(phuc, "DEMO-HOACHAT");
      await grant(phuc, "DEMO-CDCTVN");
      await say(phuc, binhGroup, "/duyet");
      const seen = (await pick(phuc, binhGroup, "Đề nghị khen thưởng: Phạm Văn Đức")).at(-1)!;
      expect(seen.text).toContain(`Đồng chí là cán bộ của ${HOACHAT} (đơn vị đã chuyển hồ sơ này lên cấp này), nên không quyết định hồ sơ này.`);
      expect(seen.choices!.map((c) => c.label)).toEqual(["Quay lại"]);
      const asForwarder = await decideAs(phuc, "DEMO-CDCTVN", duc.id, "GRANT");
      expect(asForwarder?.code).toBe("conflict_of_interest");
      expect(t.app.translator.translate("vi", `errors.${asForwarder!.code}`, asForwarder!.params)).toBe(
        `Đồng chí là cán bộ của ${HOACHAT} (đơn vị đã chuyển hồ sơ này lên cấp này), nên không quyết định hồ sơ này.`,
      );
      await say(phuc, binhGroup, "/huy");
      await revoke(phuc, "DEMO-HOACHAT");
      await revoke(phuc, "DEMO-CDCTVN");

      // Cường forwarded it at Hóa chất; moved to CĐCTVN, he still does not decide it there.
      await revoke(cuong, "DEMO-HOACHAT");
      await grant(cuong, "DEMO-CDCTVN");
      await say(cuong, binhGroup, "/duyet");
      const again = (await pick(cuong, binhGroup, "Đề nghị khen thưởng: Phạm Văn Đức")).at(-1)!;
      expect(again.text).toContain(`Đồng chí đã xử lý hồ sơ này tại ${HOACHAT}, nên không quyết định tiếp hồ sơ này ở cấp khác.`);
      expect(again.choices!.map((c) => c.label)).toEqual(["Quay lại"]);
      expect((await decideAs(cuong, "DEMO-CDCTVN", duc.id, "RETURN"))?.params).toMatchObject({ unit: HOACHAT, context: "step" });
      await say(cuong, binhGroup, "/huy");
      await revoke(cuong, "DEMO-CDCTVN");
      await grant(cuong, "DEMO-HOACHAT");
      expect(await nomination("Phạm Văn Đức")).toMatchObject({ status: "SUBMITTED", atUnitId: (await unit("DEMO-CDCTVN")).id });

      // Bình, who had no hand in it below, returns it: Hóa chất hears it as the sender does.
      await review(binh, binhGroup, "Đề nghị khen thưởng: Phạm Văn Đức", "Trả lại để bổ sung", "Bổ sung xác nhận của Giám đốc công ty");
      await say(binh, binhGroup, "/huy");
      await t.client.deliverOutbox();
      expect((await t.client.lastBot(cuongGroup.chatId))!.text).toBe(
        `↩️ ${CDCTVN} đã trả lại đề nghị khen thưởng Phạm Văn Đức của ${PINAQ} (hồ sơ do ${HOACHAT} chuyển lên). Lý do: Bổ sung xác nhận của Giám đốc công ty\nKhi đơn vị gửi lại, hồ sơ sẽ lại qua ${HOACHAT} xem xét.`,
      );
      expect((await t.client.lastBot(giangGroup.chatId))!.text).toContain(`↩️ ${CDCTVN} đã trả lại đề nghị khen thưởng Phạm Văn Đức. Lý do: Bổ sung xác nhận của Giám đốc công ty`);
      // One message for the forwarding level's officers' group, none for the level that returned it.
      const told = await t.app.db.prisma.outboxMessage.findMany({ where: { key: { startsWith: `decided-below:NOMINATION:${duc.id}:` } } });
      expect(told.map((o) => o.chatKey)).toEqual([`web:${cuongGroup.chatId}`]);
    },
    LONG,
  );

  it(
    "records the answers of a TLĐ that has no officer in the bot: a Bằng khen granted (members told it comes from TLĐ) and a proposal declined (sender and forwarding level told)",
    async () => {
      await nominate(an, dm(an.userId), "Nguyễn Thị Hoa", { form: "Bằng khen của Tổng Liên đoàn" });
      await nominate(an, dm(an.userId), "Lê Văn Sơn", { form: "Bằng Lao động sáng tạo" });
      for (const name of ["Nguyễn Thị Hoa", "Lê Văn Sơn"]) await review(cuong, cuongGroup, `Đề nghị khen thưởng: ${name}`, `Đồng ý, đề nghị lên ${CDCTVN}`, "");
      await say(cuong, cuongGroup, "/huy");

      await revoke({ userId: "demo-khanh" }, "DEMO-TLD");
      for (const name of ["Nguyễn Thị Hoa", "Lê Văn Sơn"]) {
        const forwarded = await review(binh, binhGroup, `Đề nghị khen thưởng: ${name}`, `Đồng ý, đề nghị lên ${TLD}`, "");
        expect(forwarded).toContain(
          `Đã chuyển lên cấp trên: hồ sơ đang chờ ${TLD} xem xét. Đơn vị gửi đã được báo.\n${TLD} chưa có cán bộ nào dùng bot: hồ sơ được gửi tới ${TLD} ngoài bot, và đơn vị đã chuyển hồ sơ lên sẽ ghi nhận trả lời vào bot.`,
        );
      }

      await say(binh, binhGroup, "/duyet");
      await pick(binh, binhGroup, "Chờ Tổng Liên đoàn: khen thưởng Nguyễn Thị Hoa");
      await pick(binh, binhGroup, "Ghi nhận: Tổng Liên đoàn đã quyết định khen thưởng");
      await say(binh, binhGroup, "1234/QĐ-TLĐ");
      expect(text(await pick(binh, binhGroup, "Hôm nay"))).toContain("Đã ghi nhận quyết định khen thưởng của Tổng Liên đoàn");
      await pick(binh, binhGroup, "Chờ Tổng Liên đoàn: khen thưởng Lê Văn Sơn");
      expect(text(await pick(binh, binhGroup, "Ghi nhận: Tổng Liên đoàn không khen thưởng"))).toContain("Ghi rõ trả lời của Tổng Liên đoàn");
      expect(text(await say(binh, binhGroup, "Sáng kiến chưa được công nhận ở cấp ngành"))).toContain("Đã ghi nhận trả lời của Tổng Liên đoàn");
      await say(binh, binhGroup, "/huy");

      const tld = await unit("DEMO-TLD");
      expect(await nomination("Nguyễn Thị Hoa")).toMatchObject({ status: "APPROVED", atUnitId: null, grantedByUnitId: tld.id, decisionNumber: "1234/QĐ-TLĐ" });
      const son = await nomination("Lê Văn Sơn");
      expect(son).toMatchObject({ status: "DECLINED", atUnitId: null, grantedByUnitId: null });
      expect((await t.app.store.pathOf("NOMINATION", son.id)).map((s) => `${s.decision}@${s.unit.name}`)).toEqual([
        `SUBMIT@${PHANBON}`,
        `FORWARD@${HOACHAT}`,
        `FORWARD@${CDCTVN}`,
        `RECORD@${CDCTVN}`,
      ]);

      await t.client.deliverOutbox();
      const minhSaw = (await botTexts(`dm-${minh.userId}`)).join("\n");
      expect(minhSaw).toContain(`🎖 Chúc mừng đồng chí Nguyễn Thị Hoa (${PHANBON}) được ${TLD} tặng Bằng khen (Quyết định số 1234/QĐ-TLĐ ngày 24/11/2026).`);
      expect(minhSaw).not.toContain("Lê Văn Sơn");
      expect((await t.client.lastBot(`dm-${an.userId}`))!.text).toBe(`${TLD} không chấp thuận đề nghị khen thưởng Lê Văn Sơn. Trả lời: Sáng kiến chưa được công nhận ở cấp ngành`);
      expect((await t.client.lastBot(cuongGroup.chatId))!.text).toBe(
        `${TLD} không chấp thuận đề nghị khen thưởng Lê Văn Sơn của ${PHANBON} (hồ sơ do ${HOACHAT} chuyển lên). Trả lời: Sáng kiến chưa được công nhận ở cấp ngành`,
      );
      // CĐCTVN recorded the answer itself: it is not told of it.
      const told = await t.app.db.prisma.outboxMessage.findMany({ where: { key: { startsWith: `decided-below:NOMINATION:${son.id}:` } } });
      expect(told.map((o) => o.chatKey)).toEqual([`web:${cuongGroup.chatId}`]);
      await grant({ userId: "demo-khanh" }, "DEMO-TLD");
    },
    LONG,
  );

  it(
    "refuses every change once the plan is closed — a decision on an item already open, sending a nomination, a work or a theme begun before, and /dangky, /tonvinh, /congtrinh begun after — and changes nothing",
    async () => {
      await nominate(giang, giangGroup, "Đỗ Văn Tâm", { form: "Bằng khen của Công đoàn ngành" });
      const tam = await nomination("Đỗ Văn Tâm");
      // Opened before the plan closes: an item under review, a nomination and a work at their last step, a theme begun.
      await say(cuong, cuongGroup, "/duyet");
      await pick(cuong, cuongGroup, "Đề nghị khen thưởng: Đỗ Văn Tâm");
      await say(an, dm(an.userId), "/tonvinh");
      await pick(an, dm(an.userId), "Cá nhân");
      await say(an, dm(an.userId), "Hồ Văn Kiên");
      await pick(an, dm(an.userId), "Bỏ qua");
      await pick(an, dm(an.userId), /^Có$/);
      await pick(an, dm(an.userId), "Cả năm");
      await say(an, dm(an.userId), "Hoàn thành vượt 15% định mức sản xuất cả năm.");
      expect(text(await pick(an, dm(an.userId), "Bằng khen của Công đoàn ngành"))).toContain("Kiểm tra lại đề nghị");
      await say(giang, giangGroup, "/congtrinh");
      await pick(giang, giangGroup, "Đăng ký công trình mới");
      await say(giang, giangGroup, "Kho thành phẩm ắc quy số 2");
      await say(giang, giangGroup, "Sức chứa 200.000 bình, hoàn thành chào mừng Đại hội.");
      await pick(giang, giangGroup, `Đại hội ${HOACHAT}`);
      expect(text(await say(giang, giangGroup, "30/4/2027"))).toContain("Kiểm tra lại đăng ký gắn biển");
      await say(lan, dm(lan.userId), "/dangky");
      await pick(lan, dm(lan.userId), "Thêm nội dung");
      expect(text(await pick(lan, dm(lan.userId), "Lao động giỏi"))).toContain("Nhập tên nội dung thi đua");

      await say(binh, dm(binh.userId), "/kehoach");
      await pick(binh, dm(binh.userId), "Kết thúc kế hoạch");
      expect(text(await pick(binh, dm(binh.userId), "Kết thúc kế hoạch"))).toContain("Đã kết thúc Kế hoạch 01/KH-CĐCT năm 2026.");

      const p = t.app.db.prisma;
      const state = async () => ({
        nominations: await p.nomination.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, atUnitId: true } }),
        works: await p.plaqueWork.count(),
        themes: await p.theme.count(),
        steps: await p.reviewDecision.count(),
        outbox: await p.outboxMessage.count(),
      });
      const before = await state();
      const closed = "Kế hoạch 01/KH-CĐCT năm 2026 đã kết thúc: chỉ còn xem, không sửa được.";
      expect(text(await pick(cuong, cuongGroup, "Trả lại để bổ sung"))).toBe(closed);
      expect((await decideAs(cuong, "DEMO-HOACHAT", tam.id, "DECLINE"))?.code).toBe("campaign_closed");
      expect(text(await pick(an, dm(an.userId), "Gửi đề nghị"))).toBe(closed);
      expect(text(await pick(giang, giangGroup, "Gửi đăng ký"))).toBe(closed);
      expect(text(await say(lan, dm(lan.userId), "Thi đua tiết kiệm nguyên liệu 5%"))).toBe(closed);

      const none = (u: string) => `Chưa có kế hoạch thi đua nào đang áp dụng cho ${u}: Kế hoạch 01/KH-CĐCT năm 2026 đã kết thúc, chỉ còn xem (/tiendo, /hoso, /xuat).`;
      expect(text(await say(hai, dm(hai.userId), "/dangky"))).toBe(none("Công đoàn Công ty Dệt may Thăng Long"));
      expect(text(await say(an, dm(an.userId), "/tonvinh"))).toBe(none(PHANBON));
      expect(text(await say(giang, giangGroup, "/congtrinh"))).toBe(none(PINAQ));
      expect(text(await say(cuong, cuongGroup, "/duyet"))).toContain(`Không có hồ sơ nào đang chờ ${HOACHAT} xem xét.`);
      expect(await state()).toEqual(before);
      expect((await nomination("Đỗ Văn Tâm")).status).toBe("SUBMITTED");
    },
    LONG,
  );
});
