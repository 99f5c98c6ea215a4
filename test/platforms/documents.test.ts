/**
 * /xuat's files through the platforms, on the real app over real HTTP: an upper-level
 * officer picks the spreadsheet and gets it as an uploaded document on Telegram
 * (sendDocument, multipart/form-data), and on Zalo, which cannot carry documents, as a
 * link to the bot's own /files/ route — which serves it for FILE_KEEP_DAYS, then no more.
 * Without a public URL Zalo could not fetch a link, so the officer is told where else to
 * get the file instead.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../support/database.js";
import { telegramDoor, zaloDoor } from "../contract/doors.js";
import type { Door } from "../contract/door.js";
import { people, places } from "../contract/world.js";
import { FILE_KEEP_DAYS } from "../../src/core/limits.js";

const { cuong } = people;
const SHEET = "bao-cao-thi-dua-HC-2026.xlsx";
const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const READY = "Bảng tính báo cáo thi đua năm 2026 của Công đoàn Tổng công ty Hóa chất Phương Bắc và các đơn vị trực thuộc:";

/** /xuat in Cường's private chat, accepting the privacy notice on the way, then the spreadsheet. */
async function exportSheet(door: Door): Promise<void> {
  await door.say(cuong, places.dm(cuong), "/xuat");
  await door.pick(cuong, places.dm(cuong), "Tôi đồng ý");
  await door.pick(cuong, places.dm(cuong), "Bảng tính (.xlsx)");
}

/** An .xlsx is a zip: it starts with the local file header "PK\x03\x04". */
function expectZip(bytes: Uint8Array): void {
  expect(bytes.length).toBeGreaterThan(1000);
  expect(Buffer.from(bytes.subarray(0, 4)).toString("latin1")).toBe("PK\x03\x04");
}

describe.each(backends())("/xuat's files on %s", (backend) => {
  describe("on Telegram", () => {
    let door: Awaited<ReturnType<typeof telegramDoor>>;
    beforeAll(async () => {
      door = await telegramDoor(backend, "polling");
    }, 120_000);
    afterAll(async () => door?.stop());

    it("sends the spreadsheet as an uploaded document, named for the unit and year, with its words as caption", async () => {
      await exportSheet(door);
      const sent = door.tg.sent(door.chat(places.dm(cuong), cuong));
      const doc = sent.find((m) => m.method === "sendDocument");
      if (!doc?.document) throw new Error(`no document sent: ${JSON.stringify(sent.map((m) => [m.method, m.text ?? m.caption]))}`);
      expect(doc.document.filename).toBe(SHEET);
      expect(doc.document.mime).toBe(XLSX_MIME);
      expectZip(doc.document.bytes);
      expect(doc.caption).toBe(READY);
      // Uploaded as a part of a multipart/form-data request (not a URL or a file_id): the fake saw a file.
      const call = door.tg.calls.find((c) => c.method === "sendDocument");
      expect(call?.params.document).toMatchObject({ filename: SHEET, size: doc.document.bytes.length });
      // The same bytes the bot made and stored.
      const stored = await door.app.db.prisma.storedFile.findFirstOrThrow({ where: { name: SHEET } });
      expect(Buffer.compare(doc.document.bytes, Buffer.from(stored.base64, "base64"))).toBe(0);
    });
  });

  describe("on Zalo with a public URL", () => {
    let door: Awaited<ReturnType<typeof zaloDoor>>;
    beforeAll(async () => {
      door = await zaloDoor(backend, "polling", { publicUrl: true });
    }, 120_000);
    afterAll(async () => door?.stop());

    it(`sends a link that downloads the spreadsheet for ${FILE_KEEP_DAYS} days, and no longer`, async () => {
      await exportSheet(door);
      const sent = door.zl.sent(door.chat(places.dm(cuong), cuong).id);
      const message = sent.find((m) => m.text.includes(READY));
      if (!message) throw new Error(`no spreadsheet message: ${JSON.stringify(sent.map((m) => m.text))}`);
      expect(message.method).toBe("sendMessage");
      const publicUrl = door.app.config.publicUrl!;
      const m = new RegExp(`^${READY}\\nTải tệp ${SHEET} tại: (${publicUrl}/files/([A-Za-z0-9_-]{20,})) \\(liên kết có hạn 7 ngày\\)$`).exec(message.text);
      if (!m) throw new Error(`no link in: ${message.text}`);
      const [, link, id] = m;

      const res = await fetch(link!);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe(XLSX_MIME);
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename*=UTF-8''${SHEET}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expectZip(bytes);
      const stored = await door.app.db.prisma.storedFile.findUniqueOrThrow({ where: { id } });
      expect(stored.name).toBe(SHEET);
      expect(Buffer.compare(Buffer.from(bytes), Buffer.from(stored.base64, "base64"))).toBe(0);

      // Past the keeping time the link answers 404, even before the housekeeping deletes the file.
      await door.app.db.prisma.storedFile.update({ where: { id }, data: { createdAt: new Date(Date.now() - (FILE_KEEP_DAYS * 24 + 1) * 3_600_000) } });
      expect((await fetch(link!)).status).toBe(404);
    });
  });

  describe("on Zalo without a public URL", () => {
    let door: Awaited<ReturnType<typeof zaloDoor>>;
    beforeAll(async () => {
      door = await zaloDoor(backend, "polling");
    }, 120_000);
    afterAll(async () => door?.stop());

    it("makes the spreadsheet but, with no address Zalo could fetch it from, says where else to get it", async () => {
      await exportSheet(door);
      const sent = door.zl.sent(door.chat(places.dm(cuong), cuong).id);
      const message = sent.find((m) => m.text.includes(READY));
      if (!message) throw new Error(`no spreadsheet message: ${JSON.stringify(sent.map((m) => m.text))}`);
      expect(message.text).toBe(`${READY}\nZalo không gửi được tệp ${SHEET}. Vui lòng dùng /xuat trên Telegram hoặc nhờ quản trị xuất bằng dòng lệnh.`);
      expect(sent.some((m) => m.method !== "sendMessage" || /https?:\/\//.test(m.text))).toBe(false);
      expect(await door.app.db.prisma.storedFile.count({ where: { name: SHEET } })).toBe(1);
    });
  });
});
