/**
 * The traces of an erased person outside the people tables: what the bot received from
 * them (inbox payloads, sandbox transcript), what it said to or about them (outbox rows,
 * kept replies, the transcript) and the platform ids that name them (chat keys in audit
 * data, outbox keys, rate buckets). Words are deleted, platform ids replaced by the
 * chat's opaque "erased:<id>", the name by the placeholder.
 */
import { Prisma } from "../../generated/prisma/client.ts";
import type { Db } from "./map.js";

export interface Traces {
  /** The person's platform identities ("tg:123"). */
  identityKeys: string[];
  /** Their private chats: the key that named them and the chat's row id. */
  privateChats: { id: number; key: string }[];
  /** The name they had, and what replaces it. */
  name: string;
  placeholder: string;
}

/** The name as a whole word (not inside a longer one), in any text. */
function namePattern(name: string): RegExp | null {
  const trimmed = name.trim();
  if (!trimmed) return null;
  const escaped = trimmed.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, "gu");
}

export async function eraseTraces(db: Db, t: Traces): Promise<void> {
  const keys = [...new Set([...t.identityKeys, ...t.privateChats.map((c) => c.key)])];
  const renamed = t.privateChats.map((c) => ({ from: c.key, to: `erased:${c.id}` }));

  // What they sent: payloads of their updates (kept only until handled; a pending one is
  // then skipped), their own lines of the sandbox transcript, their private chats' transcripts.
  await db.$executeRaw`UPDATE "InboundEvent" SET "payload" = NULL WHERE "payload" IS NOT NULL AND ("payload"->>'userId' = ANY(${keys}) OR "chatKey" = ANY(${keys}))`;
  await db.sandboxMessage.deleteMany({ where: { OR: [{ chatKey: { in: keys } }, { fromBot: false, userKey: { in: keys } }, { fromBot: false, userKey: null, userName: t.name }] } });
  // What the bot owed them privately is not sent any more; what was sent is emptied.
  await db.outboxMessage.updateMany({ where: { chatKey: { in: keys }, status: { in: ["PENDING", "SENDING"] } }, data: { status: "FAILED", lastError: "erased" } });
  await db.outboxMessage.updateMany({ where: { chatKey: { in: keys } }, data: { text: "", choices: Prisma.DbNull, fileId: null, fileName: null } });

  // Platform ids: every column that can hold a chat key.
  for (const r of renamed) {
    await db.inboundEvent.updateMany({ where: { chatKey: r.from }, data: { chatKey: r.to } });
    await db.$executeRaw`UPDATE "OutboxMessage" SET "chatKey" = replace("chatKey", ${r.from}, ${r.to}), "key" = replace("key", ${r.from}, ${r.to}) WHERE strpos("key", ${r.from}) > 0 OR "chatKey" = ${r.from}`;
    await db.broadcast.updateMany({ where: { chatKey: r.from }, data: { chatKey: r.to } });
    await db.$executeRaw`UPDATE "AuditEvent" SET "data" = replace("data"::text, ${JSON.stringify(r.from)}, ${JSON.stringify(r.to)})::jsonb WHERE strpos("data"::text, ${JSON.stringify(r.from)}) > 0`;
  }
  for (const k of keys) {
    await db.$executeRaw`UPDATE "AuditEvent" SET "data" = replace("data"::text, ${JSON.stringify(k)}, '"erased"')::jsonb WHERE strpos("data"::text, ${JSON.stringify(k)}) > 0`;
    await db.$executeRaw`DELETE FROM "RateBucket" WHERE strpos("key", ${k}) > 0`;
  }

  // The name, wherever the bot wrote it for others (notices to officers, kept replies).
  const pattern = namePattern(t.name);
  if (!pattern) return;
  const swap = (s: string) => s.replace(pattern, t.placeholder);
  const like = `%${t.name.trim()}%`;
  for (const m of await db.outboxMessage.findMany({ where: { text: { contains: t.name.trim() } }, select: { id: true, text: true } })) {
    await db.outboxMessage.update({ where: { id: m.id }, data: { text: swap(m.text) } });
  }
  for (const m of await db.sandboxMessage.findMany({ where: { OR: [{ text: { contains: t.name.trim() } }, { userName: t.name }] }, select: { seq: true, text: true, userName: true } })) {
    await db.sandboxMessage.update({ where: { seq: m.seq }, data: { text: swap(m.text), userName: m.userName === t.name ? t.placeholder : m.userName } });
  }
  const jsonRows = async (table: "ProcessedUpdate" | "AuditEvent", column: "replies" | "data") =>
    db.$queryRawUnsafe<{ k: string; v: string }[]>(`SELECT "${table === "AuditEvent" ? "id" : "key"}"::text AS k, "${column}"::text AS v FROM "${table}" WHERE "${column}"::text ILIKE $1`, like);
  for (const r of await jsonRows("ProcessedUpdate", "replies")) {
    await db.processedUpdate.update({ where: { key: r.k }, data: { replies: JSON.parse(swap(r.v)) as Prisma.InputJsonValue } });
  }
  for (const r of await jsonRows("AuditEvent", "data")) {
    await db.auditEvent.update({ where: { id: BigInt(r.k) }, data: { data: JSON.parse(swap(r.v)) as Prisma.InputJsonValue } });
  }
}
