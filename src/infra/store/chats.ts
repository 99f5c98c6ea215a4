/** Chats the bot has seen, and invite codes. */
import type { Sql } from "../db/transactions.js";
import type { Tx } from "../../core/ports.js";
import type { Locale } from "../../core/model.js";
import * as map from "./map.js";
import type { Db } from "./map.js";
import { Prisma } from "../../generated/prisma/client.ts";

type ChatsTx = Pick<
  Tx,
  | "upsertChat"
  | "getChat"
  | "linkChat"
  | "chatsOfUnit"
  | "privateChatsOf"
  | "setChatLocale"
  | "setChatActive"
  | "migrateChat"
  | "moveIdentity"
  | "detachIdentity"
  | "createInvite"
  | "findInvite"
  | "useInvite"
  | "getInvite"
  | "liveInvites"
  | "revokeInvite"
  | "countFailedAttempts"
  | "addFailedAttempt"
>;

type ChatRow = Parameters<typeof map.chat>[0];
const { CHAT_COLUMNS } = map;

export function chatsStore(db: Db, sql: Sql): ChatsTx {
  return {
    async upsertChat(input) {
      // Every update reads its chat: SQL, not a model query (see plumbing.ts).
      const [existing] = await sql.query<ChatRow[]>(Prisma.sql`SELECT ${CHAT_COLUMNS} FROM "Chat" WHERE "key" = ${input.key}`);
      if (!existing) {
        return map.chat(
          await db.chat.create({
            data: { key: input.key, platform: input.platform, kind: input.kind === "private" ? "PRIVATE" : "GROUP", title: input.title, personId: input.personId },
          }),
        );
      }
      const titleChanged = input.title !== null && input.title !== existing.title;
      if (titleChanged) return map.chat(await db.chat.update({ where: { id: existing.id }, data: { title: input.title } }));
      return map.chat(existing);
    },
    async getChat(key) {
      const c = await db.chat.findFirst({ where: { key } });
      return c ? map.chat(c) : null;
    },
    async linkChat(chatId, unitId, purpose, byId, at) {
      await db.chat.update({ where: { id: chatId }, data: { unitId, purpose, linkedById: byId, linkedAt: at, active: true } });
    },
    async chatsOfUnit(unitId, purpose) {
      return (await db.chat.findMany({ where: { unitId, purpose, active: true }, orderBy: { id: "asc" } })).map(map.chat);
    },
    async privateChatsOf(personIds) {
      if (!personIds.length) return [];
      const rows = await db.chat.findMany({
        where: { personId: { in: personIds }, kind: "PRIVATE", active: true },
        include: { person: { select: { locale: true } } },
        orderBy: { id: "asc" },
      });
      // A private chat speaks its owner's language.
      return rows.map((r) => ({ ...map.chat(r), locale: ((r.person?.locale ?? r.locale) as Locale | null) ?? null }));
    },
    async setChatLocale(chatId, locale) {
      await db.chat.update({ where: { id: chatId }, data: { locale } });
    },
    async setChatActive(key, active) {
      const n = await db.chat.updateMany({ where: { key }, data: { active } });
      return n.count ? map.chat((await db.chat.findFirst({ where: { key } }))!) : null;
    },
    async migrateChat(oldKey, newKey) {
      // Telegram reports a migration from both sides, possibly at once (and to two instances):
      // lock both rows first, so that the second report sees what the first one did.
      await db.$queryRawUnsafe(`SELECT "id" FROM "Chat" WHERE "key" IN ($1, $2) ORDER BY "id" FOR UPDATE`, oldKey, newKey);
      const old = await db.chat.findFirst({ where: { key: oldKey } });
      if (!old) return null;
      // The new id may already be known (its first message came before the old one's last).
      const already = await db.chat.findFirst({ where: { key: newKey } });
      if (already) {
        await db.chat.update({ where: { id: already.id }, data: { unitId: already.unitId ?? old.unitId, purpose: already.purpose ?? old.purpose, title: already.title ?? old.title, active: true } });
        await db.chat.update({ where: { id: old.id }, data: { active: false, unitId: null, purpose: null } });
      } else {
        await db.chat.update({ where: { id: old.id }, data: { key: newKey, active: true } });
      }
      // Messages waiting for the old id follow the group.
      await db.outboxMessage.updateMany({ where: { chatKey: oldKey, status: "PENDING" }, data: { chatKey: newKey } });
      return map.chat((await db.chat.findFirst({ where: { key: newKey } }))!);
    },
    async moveIdentity(key, toPersonId, at) {
      const before = await db.identity.findFirst({ where: { key } });
      if (!before) return;
      await db.identity.update({ where: { key }, data: { personId: toPersonId, linkedAt: at } });
      // The private chats of that account now belong to the person too.
      await db.chat.updateMany({ where: { personId: before.personId, kind: "PRIVATE" }, data: { personId: toPersonId } });
    },
    async detachIdentity(key, keepChatKey) {
      const identity = await db.identity.findFirstOrThrow({ where: { key }, include: { person: true } });
      const own = await db.person.create({ data: { displayName: identity.person.displayName, sandbox: identity.person.sandbox } });
      await db.identity.update({ where: { key }, data: { personId: own.id, linkedAt: null } });
      await db.chat.updateMany({ where: { personId: identity.personId, kind: "PRIVATE", platform: identity.platform, key: { not: keepChatKey } }, data: { personId: own.id } });
      // A dialog the account had open acted for the person it no longer is.
      await db.dialogState.deleteMany({ where: { key: { endsWith: `|${key}` } } });
      return own.id;
    },
    async createInvite(input) {
      return db.inviteCode.create({ data: input });
    },
    async findInvite(codeHash) {
      return db.inviteCode.findFirst({ where: { codeHash } });
    },
    async useInvite(id, by) {
      const n = await db.$executeRawUnsafe(`UPDATE "InviteCode" SET "uses" = "uses" + 1 WHERE "id" = $1 AND "uses" < "maxUses" AND "revokedAt" IS NULL`, id);
      if (n !== 1) return false;
      await db.inviteRedemption.create({ data: { inviteId: id, personId: by.personId, chatKey: by.chatKey } });
      return true;
    },
    async getInvite(id) {
      return db.inviteCode.findFirst({ where: { id } });
    },
    async liveInvites(where, now) {
      const rows = await db.inviteCode.findMany({
        where: { ...where, unitId: where.unitId ?? { not: null }, revokedAt: null, expiresAt: { gt: now } },
        orderBy: { id: "asc" },
      });
      return rows.filter((r) => r.uses < r.maxUses);
    },
    async revokeInvite(id, at) {
      const n = await db.inviteCode.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
      return n.count === 1;
    },
    async countFailedAttempts(identityKey, since) {
      return db.codeAttempt.count({ where: { identityKey, at: { gte: since } } });
    },
    async addFailedAttempt(identityKey, at) {
      await db.codeAttempt.create({ data: { identityKey, at } });
    },
  };
}
