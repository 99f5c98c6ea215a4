/**
 * Nothing said in chat deletes a row: a theme or a target an officer takes out of a draft
 * registration is marked removed (and no longer shown), and stays in the database with
 * what it said.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { dm, text } from "../support/sandbox-client.js";
import { an } from "../support/demo-people.js";

describe.each(backends())("removal in chat is a mark on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await t.client.say(an, dm(an.userId), "/start");
    await t.client.pick(an, dm(an.userId), "Tôi đồng ý");
  });
  afterAll(async () => t?.stop());

  it("a theme taken out of a draft stays in the database, marked removed, with its targets", async () => {
    const here = dm(an.userId);
    await t.client.say(an, here, "/dangky");
    for (const title of ["Tiết kiệm 5% điện năng ở phân xưởng ure", "Không để xảy ra tai nạn lao động nặng"]) {
      await t.client.pick(an, here, "Thêm nội dung");
      await t.client.pick(an, here, "Lao động giỏi");
      await t.client.say(an, here, title);
      for (const answer of ["Kế hoạch sản xuất năm 2026", "Quản đốc phân xưởng", "Điện năng tiết kiệm", "%", "5"]) await t.client.say(an, here, answer);
      await t.client.pick(an, here, "Hoàn tất");
    }
    const prisma = t.app.db.prisma;
    const before = { themes: await prisma.theme.count(), targets: await prisma.themeTarget.count() };
    await t.client.pick(an, here, "Bỏ một nội dung");
    expect(text(await t.client.pick(an, here, "Không để xảy ra tai nạn"))).toContain("Đã bỏ. Còn 1 nội dung.");
    await t.client.say(an, here, "/huy");

    expect({ themes: await prisma.theme.count(), targets: await prisma.themeTarget.count() }).toEqual(before);
    const removed = await prisma.theme.findFirstOrThrow({ where: { title: "Không để xảy ra tai nạn lao động nặng" }, include: { targets: true } });
    expect(removed.removedAt).not.toBeNull();
    expect(removed.targets).toHaveLength(1);
    expect(await prisma.theme.count({ where: { removedAt: null } })).toBe(before.themes - 1);
    // Not shown any more.
    await t.client.say(an, here, "/dangky");
    const shown = text(await t.client.messages(here.chatId));
    expect(shown.split("Đã bỏ. Còn 1 nội dung.").at(-1)).not.toContain("Không để xảy ra tai nạn lao động nặng");
    await t.client.say(an, here, "/huy");
  });
});
