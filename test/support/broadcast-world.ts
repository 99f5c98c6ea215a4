/**
 * A unit with many members' groups on Telegram, for broadcast tests and benchmarks: one
 * real unit, its officer (a Telegram user who has consented), and `groups` members' groups
 * linked to it — written in bulk, and registered in the fake server with the bot already in.
 */
import type { PrismaClient } from "../../src/generated/prisma/client.ts";
import type { FakeTelegram, TgUser } from "../fakes/telegram-server.js";

export interface BroadcastWorld {
  officer: TgUser;
  unitCode: string;
  groupIds: number[];
}

export async function seedBroadcastWorld(prisma: PrismaClient, tg: FakeTelegram, groups: number): Promise<BroadcastWorld> {
  const officer = tg.user({ firstName: "Bình", lastName: "Trần Thị", languageCode: "vi" });
  const unit = await prisma.unit.create({ data: { code: "BCAST", name: "Công đoàn Công Thương Việt Nam", level: "SECTOR", path: "", depth: 0 } });
  await prisma.unit.update({ where: { id: unit.id }, data: { path: `/${unit.id}/` } });
  const person = await prisma.person.create({ data: { displayName: "Trần Thị Bình", identities: { create: { key: `tg:${officer.id}`, platform: "tg" } } } });
  await prisma.role.create({ data: { personId: person.id, unitId: unit.id, kind: "OFFICER" } });
  await prisma.consent.create({ data: { personId: person.id, purpose: "movement", noticeVersion: "2026-01", chatKey: `tg:${officer.id}` } });
  const groupIds: number[] = [];
  for (let i = 0; i < groups; i++) {
    const g = tg.group({ title: `Đoàn viên tổ ${i + 1}`, type: "supergroup" });
    tg.botAlreadyIn(g);
    groupIds.push(g.id);
  }
  for (let i = 0; i < groupIds.length; i += 1000) {
    await prisma.chat.createMany({
      data: groupIds.slice(i, i + 1000).map((id, j) => ({ key: `tg:${id}`, platform: "tg", kind: "GROUP" as const, title: `Đoàn viên tổ ${i + j + 1}`, unitId: unit.id, purpose: "MEMBERS" as const })),
    });
  }
  return { officer, unitCode: unit.code, groupIds };
}
