/**
 * The demo world's people (src/seed/catalog/demo.json) as the tests speak for them: each
 * their platform id and name, and the unit they act for.
 */
import type { TestApp } from "./app.js";
import { dm, type Speaker } from "./sandbox-client.js";

/** A demo person: always named, as the platform gives a name with every message. */
export interface DemoPerson extends Speaker {
  userName: string;
}

const person = (id: string, userName: string): DemoPerson => ({ userId: `demo-${id}`, userName });

/** Officer of Tổng Liên đoàn (the Confederation). */
export const khanh = person("khanh", "Phan Văn Khánh");
/** Officer of Công đoàn Công Thương Việt Nam (the sector union, which issues the plan). */
export const binh = person("binh", "Trần Thị Bình");
/** Officer of Công đoàn Tổng công ty Hóa chất Phương Bắc (upper-grassroots, above An and Giang). */
export const cuong = person("cuong", "Lê Văn Cường");
/** Officer of Công đoàn Công Thương Hà Nội (upper-grassroots, above Hải and Lan). */
export const dung = person("dung", "Phạm Thị Dung");
/** Officer of Công đoàn Công ty CP Phân bón Sông Cầu (grassroots under Hóa chất). */
export const an = person("an", "Nguyễn Văn An");
/** Officer of Công đoàn Công ty CP Pin Ắc quy Phương Nam (grassroots under Hóa chất). */
export const giang = person("giang", "Ngô Thị Giang");
/** Officer of Công đoàn Công ty Dệt may Thăng Long (grassroots under Công Thương Hà Nội). */
export const hai = person("hai", "Vũ Đức Hải");
/** Officer of Công đoàn Công ty CP Thực phẩm Hà Thành (grassroots under Công Thương Hà Nội). */
export const lan = person("lan", "Đỗ Thị Lan");
/** Member of Phân bón Sông Cầu, who follows it privately. */
export const minh = person("minh", "Hoàng Văn Minh");

/** Each opens a private chat with the bot and gives their consent. */
export async function consent(t: TestApp, people: Speaker[]): Promise<void> {
  for (const who of people) {
    await t.client.say(who, dm(who.userId), "/start");
    await t.client.pick(who, dm(who.userId), "Tôi đồng ý");
  }
}
