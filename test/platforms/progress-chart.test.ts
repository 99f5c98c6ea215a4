/**
 * /tiendo's picture through every door, on the real app over real HTTP: an upper-level
 * officer gets the progress text and then a chart (a PNG photo on Telegram, a photo by
 * link on Zalo, an inline image in the sandbox); a grassroots officer, with nobody below,
 * gets the text alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { SandboxClient, type Msg } from "../support/sandbox-client.js";
import { PNG_SIGNATURE } from "../support/png.js";
import { sandboxDoor, telegramDoor, zaloDoor } from "../contract/doors.js";
import type { Door } from "../contract/door.js";
import { people, places, type Persona } from "../contract/world.js";

const { an, cuong } = people;

/** Width and height from a PNG's header, after checking it is one. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe("IHDR");
  return { width: v.getUint32(16), height: v.getUint32(20) };
}

/** A chart fit for a phone: the renderer's 1,260 px width, and a height that holds a handful of bars. */
function expectChart(bytes: Uint8Array): void {
  const { width, height } = pngSize(bytes);
  expect(width).toBe(1260);
  expect(height).toBeGreaterThan(400);
  expect(height).toBeLessThan(4000);
}

/** /tiendo in a private chat, accepting the privacy notice on the way. */
async function progressIn(door: Door, who: Persona): Promise<void> {
  await door.say(who, places.dm(who), "/tiendo");
  await door.pick(who, places.dm(who), "Tôi đồng ý");
}

describe.each(backends())("the /tiendo picture on %s", (backend) => {
  describe("in the sandbox", () => {
    let door: Door;
    let client: SandboxClient;
    beforeAll(async () => {
      door = await sandboxDoor(backend);
      client = new SandboxClient(door.app.url, () => door.app.idle());
    });
    afterAll(async () => door?.stop());

    const bot = async (who: Persona): Promise<Msg[]> => (await client.messages(places.dm(who).id)).filter((m) => m.from === "bot");

    it("shows the text, then the chart as a PNG served by the sandbox", async () => {
      await progressIn(door, cuong);
      const msgs = await bot(cuong);
      const at = msgs.findIndex((m) => m.file);
      expect(at).toBeGreaterThan(0);
      expect(msgs[at - 1]!.text).toContain("Tiến độ Kế hoạch 01/KH-CĐCT năm 2026 – các đơn vị trực thuộc");
      const picture = msgs[at]!;
      expect(picture.file?.name).toMatch(/\.png$/);
      expect(picture.text).toContain("Đăng ký thi đua: Đã được chấp nhận: 0");
      const res = await fetch(`${door.app.url}${picture.file!.url}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expect(res.headers.get("content-disposition")).toMatch(/^inline/);
      expectChart(new Uint8Array(await res.arrayBuffer()));
    });

    it("gives a grassroots officer, with nobody below, the text alone", async () => {
      await progressIn(door, an);
      const msgs = await bot(an);
      expect(msgs.at(-1)!.text).toContain("Tình hình của Công đoàn Công ty CP Phân bón Sông Cầu");
      expect(msgs.some((m) => m.file)).toBe(false);
    });
  });

  describe("on Telegram", () => {
    let door: Awaited<ReturnType<typeof telegramDoor>>;
    beforeAll(async () => {
      door = await telegramDoor(backend, "polling");
    });
    afterAll(async () => door?.stop());

    it("sends the text, then the chart as an uploaded PNG photo with its words as caption", async () => {
      await progressIn(door, cuong);
      const sent = door.tg.sent(door.chat(places.dm(cuong), cuong));
      const photo = sent.find((m) => m.method === "sendPhoto");
      expect(photo?.photo).toBeDefined();
      expect(photo!.photo!.filename).toMatch(/\.png$/);
      expectChart(photo!.photo!.bytes);
      expect(photo!.caption).toContain("Tiến độ Kế hoạch");
      const text = sent.findIndex((m) => m.method === "sendMessage" && m.text?.includes("– các đơn vị trực thuộc"));
      expect(text).toBeGreaterThanOrEqual(0);
      expect(sent.indexOf(photo!)).toBeGreaterThan(text);
    });

    it("sends a grassroots officer no photo", async () => {
      await progressIn(door, an);
      const sent = door.tg.sent(door.chat(places.dm(an), an));
      expect(sent.at(-1)!.text).toContain("Tình hình của Công đoàn Công ty CP Phân bón Sông Cầu");
      expect(sent.some((m) => m.method === "sendPhoto" || m.method === "sendDocument")).toBe(false);
    });
  });

  describe("on Zalo with a public URL", () => {
    let door: Awaited<ReturnType<typeof zaloDoor>>;
    beforeAll(async () => {
      door = await zaloDoor(backend, "polling", { publicUrl: true });
    });
    afterAll(async () => door?.stop());

    it("sends the text, then sendPhoto with a link that serves the PNG", async () => {
      await progressIn(door, cuong);
      const sent = door.zl.sent(door.chat(places.dm(cuong), cuong).id);
      const photo = sent.find((m) => m.method === "sendPhoto");
      expect(photo?.photo).toMatch(new RegExp(`^${door.app.config.publicUrl}/files/[A-Za-z0-9_-]{20,}$`));
      expect(photo!.caption).toContain("Tiến độ Kế hoạch");
      expect(sent.indexOf(photo!)).toBeGreaterThan(sent.findIndex((m) => m.text.includes("– các đơn vị trực thuộc")));
      const res = await fetch(photo!.photo!);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      expectChart(new Uint8Array(await res.arrayBuffer()));
    });

    it("sends a grassroots officer no photo", async () => {
      await progressIn(door, an);
      const sent = door.zl.sent(door.chat(places.dm(an), an).id);
      expect(sent.at(-1)!.text).toContain("Tình hình của Công đoàn Công ty CP Phân bón Sông Cầu");
      expect(sent.some((m) => m.method === "sendPhoto")).toBe(false);
    });
  });

  describe("on Zalo without a public URL", () => {
    let door: Awaited<ReturnType<typeof zaloDoor>>;
    beforeAll(async () => {
      door = await zaloDoor(backend, "polling");
    });
    afterAll(async () => door?.stop());

    it("sends the text alone: Zalo could not reach the picture", async () => {
      await progressIn(door, cuong);
      const sent = door.zl.sent(door.chat(places.dm(cuong), cuong).id);
      expect(sent.some((m) => m.text.includes("– các đơn vị trực thuộc"))).toBe(true);
      expect(sent.some((m) => m.method === "sendPhoto")).toBe(false);
      expect(sent.at(-1)!.text).not.toBe("");
    });
  });
});
