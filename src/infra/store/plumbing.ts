/** Audit trail, outbox, files and dialog state. */
import type { Actor, Outbound } from "../../core/model.js";
import type { Tx } from "../../core/ports.js";
import { FILE_KEEP_DAYS } from "../../core/limits.js";
import { redactCodes } from "../../core/codes.js";
import type { Prisma } from "../../generated/prisma/client.ts";
import type { Db } from "./map.js";

type PlumbingTx = Pick<Tx, "audit" | "auditMany" | "enqueue" | "saveFile" | "getDialog" | "saveDialog" | "deleteDialog" | "claimUpdate" | "saveUpdateReplies">;

/** Audit rows per INSERT in `auditMany` (one JSON parameter each). */
const AUDIT_BATCH = 5000;

export function plumbingStore(db: Db): PlumbingTx {
  return {
    async audit(actor: Actor, entry) {
      const row = await db.auditEvent.create({
        data: {
          actorId: actor.kind === "person" ? actor.person.id : null,
          actorTag: actor.kind === "system" ? actor.tag : null,
          action: entry.action,
          entity: entry.entity,
          entityId: String(entry.entityId),
          unitId: entry.unitId ?? null,
          data: (entry.data ?? undefined) as Prisma.InputJsonValue | undefined,
        },
        select: { id: true },
      });
      return row.id;
    },
    async auditMany(actor: Actor, entries) {
      const actorId = actor.kind === "person" ? actor.person.id : null;
      const actorTag = actor.kind === "system" ? actor.tag : null;
      for (let from = 0; from < entries.length; from += AUDIT_BATCH) {
        const rows = entries.slice(from, from + AUDIT_BATCH).map((e) => ({ action: e.action, entity: e.entity, entityId: String(e.entityId), unitId: e.unitId ?? null, data: e.data ?? null }));
        await db.$executeRawUnsafe(
          `INSERT INTO "AuditEvent" ("actorId", "actorTag", "action", "entity", "entityId", "unitId", "data")
           SELECT $2::int, $3::text, x.action, x.entity, x."entityId", x."unitId", x.data
           FROM jsonb_to_recordset($1::jsonb) AS x(action text, entity text, "entityId" text, "unitId" int, data jsonb)`,
          JSON.stringify(rows),
          actorId,
          actorTag,
        );
      }
    },
    async enqueue(items) {
      if (!items.length) return 0;
      const r = await db.outboxMessage.createMany({
        data: items.map((i) => ({
          key: i.key,
          kind: i.kind,
          platform: i.chatKey.slice(0, i.chatKey.indexOf(":")),
          chatKey: i.chatKey,
          text: i.text,
          ...(i.dueAt && { dueAt: i.dueAt }),
          ...(i.broadcastId !== undefined && { broadcastId: i.broadcastId }),
          ...(i.choices?.length && { choices: i.choices as unknown as Prisma.InputJsonValue }),
          ...(i.file && { fileId: i.file.id, fileName: i.file.name }),
          ...(i.notBefore && { notBefore: i.notBefore }),
        })),
        skipDuplicates: true,
      });
      return r.count;
    },
    async saveFile(input) {
      // Each new file sweeps away those past their keeping time (FILE_KEEP_DAYS; the README says so).
      await db.storedFile.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - FILE_KEEP_DAYS * 86_400_000) } } });
      await db.storedFile.create({ data: { id: input.id, name: input.name, mime: input.mime, base64: Buffer.from(input.data).toString("base64"), ownerId: input.ownerId } });
    },
    // The statements every update runs are written in SQL: a model query costs several
    // times a raw one in Prisma's query compiler (bench/query-cost.ts).
    async claimUpdate(key, at) {
      const inserted = await db.$executeRaw`INSERT INTO "ProcessedUpdate" ("key", "at") VALUES (${key}, ${at}) ON CONFLICT ("key") DO NOTHING`;
      if (inserted === 1) return null;
      const [row] = await db.$queryRaw<{ replies: unknown }[]>`SELECT "replies" FROM "ProcessedUpdate" WHERE "key" = ${key}`;
      return (row?.replies as Outbound[] | null) ?? [];
    },
    async saveUpdateReplies(key, replies) {
      // Kept only until delivered (the inbox and the sandbox clear them), and never with a code in it.
      const kept = replies.map((r) => ({ ...r, text: redactCodes(r.text) }));
      await db.$executeRaw`UPDATE "ProcessedUpdate" SET "replies" = ${JSON.stringify(kept)}::jsonb WHERE "key" = ${key}`;
    },
    async getDialog(key) {
      const [d] = await db.$queryRaw<
        { key: string; personId: number; name: string; step: string; data: unknown; token: string; choices: unknown; version: number; expiresAt: Date }[]
      >`SELECT "key", "personId", "name", "step", "data", "token", "choices", "version", "expiresAt" FROM "DialogState" WHERE "key" = ${key}`;
      if (!d) return null;
      return { key: d.key, personId: d.personId, name: d.name, step: d.step, data: d.data, token: d.token, choices: d.choices as { id: string; label: string }[], version: d.version, expiresAt: d.expiresAt };
    },
    async saveDialog(rec, expectedVersion) {
      const data = JSON.stringify(rec.data);
      const choices = JSON.stringify(rec.choices);
      if (expectedVersion === null) {
        // Insert unless another instance got there first (no exception: it would abort the transaction).
        const inserted = await db.$executeRaw`
          INSERT INTO "DialogState" ("key", "personId", "name", "step", "data", "token", "choices", "expiresAt", "updatedAt")
          VALUES (${rec.key}, ${rec.personId}, ${rec.name}, ${rec.step}, ${data}::jsonb, ${rec.token}, ${choices}::jsonb, ${rec.expiresAt}, now())
          ON CONFLICT ("key") DO NOTHING`;
        return inserted === 1;
      }
      const updated = await db.$executeRaw`
        UPDATE "DialogState" SET "personId" = ${rec.personId}, "name" = ${rec.name}, "step" = ${rec.step}, "data" = ${data}::jsonb, "token" = ${rec.token},
               "choices" = ${choices}::jsonb, "expiresAt" = ${rec.expiresAt}, "version" = "version" + 1, "updatedAt" = now()
         WHERE "key" = ${rec.key} AND "version" = ${expectedVersion}`;
      return updated === 1;
    },
    async deleteDialog(key) {
      await db.dialogState.deleteMany({ where: { key } });
    },
  };
}
