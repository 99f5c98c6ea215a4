/**
 * The Telegram door's cache of group administrators (who may link a group, change its
 * settings): asked of Telegram once, trusted for a minute, asked again after it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_CACHE_MS, TelegramAdapter } from "../../src/adapters/telegram/adapter.js";
import { createLogger } from "../../src/infra/log.js";
import { FakeTelegram } from "../fakes/telegram-server.js";

describe("the Telegram group-admin cache", () => {
  let tg: FakeTelegram;
  beforeAll(async () => {
    tg = await FakeTelegram.start();
  });
  afterAll(async () => tg?.stop());

  it("asks Telegram once, trusts the answer for a minute, then asks again and sees a change", async () => {
    let now = Date.UTC(2026, 10, 24, 3, 0, 0);
    // Only isAdmin is exercised: the update callbacks are never called here.
    const unused = () => Promise.reject(new Error("not used in this test"));
    const door = new TelegramAdapter({
      token: tg.token,
      apiRoot: tg.apiRoot,
      mode: "polling",
      receive: unused,
      chatEvent: unused,
      inOrder: unused,
      files: { read: unused } as never,
      commands: [],
      waitMs: 1000,
      log: createLogger("error", () => undefined),
      now: () => now,
    });
    const owner = tg.user({ firstName: "Cường" });
    const giang = tg.user({ firstName: "Giang" });
    const group = tg.group({ title: "Cán bộ Hóa chất", type: "supergroup", creator: owner });
    tg.addBotToGroup(group, owner);
    tg.setAdmin(group, giang, true);
    const asked = () => tg.calls.filter((c) => c.method.toLowerCase() === "getchatmember").length;
    const isAdmin = () => door.isAdmin(`tg:${group.id}`, `tg:${giang.id}`);

    expect(await isAdmin()).toBe(true);
    expect(asked()).toBe(1);
    // Demoted in Telegram: within the minute the cached answer stands, without asking.
    tg.setAdmin(group, giang, false);
    now += ADMIN_CACHE_MS - 1;
    expect(await isAdmin()).toBe(true);
    expect(asked()).toBe(1);
    // After it, Telegram is asked again and the demotion is seen.
    now += 2;
    expect(await isAdmin()).toBe(false);
    expect(asked()).toBe(2);
    // Someone else in the same group is asked about separately.
    expect(await door.isAdmin(`tg:${group.id}`, `tg:${owner.id}`)).toBe(true);
    expect(asked()).toBe(3);
    // Not a Telegram chat or person: the door cannot tell.
    expect(await door.isAdmin("zalo:1", `tg:${giang.id}`)).toBeNull();
  });
});
