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
    async claimUpdate(key, at) {
      const inserted = await db.processedUpdate.createMany({ data: [{ key, at }], skipDuplicates: true });
      if (inserted.count === 1) return null;
      const row = await db.processedUpdate.findUnique({ where: { key } });
      return (row?.replies as Outbound[] | null) ?? [];
    },
    async saveUpdateReplies(key, replies) {
      // Kept only until delivered (the inbox and the sandbox clear them), and never with a code in it.
      const kept = replies.map((r) => ({ ...r, text: redactCodes(r.text) }));
      await db.processedUpdate.update({ where: { key }, data: { replies: kept as unknown as Prisma.InputJsonValue } });
    },
    async getDialog(key) {
      const d = await db.dialogState.findUnique({ where: { key } });
      if (!d) return null;
      return { key: d.key, personId: d.personId, name: d.name, step: d.step, data: d.data, token: d.token, choices: d.choices as { id: string; label: string }[], version: d.version, expiresAt: d.expiresAt };
    },
    async saveDialog(rec, expectedVersion) {
      const data = {
        personId: rec.personId,
        name: rec.name,
        step: rec.step,
        data: rec.data as Prisma.InputJsonValue,
        token: rec.token,
        choices: rec.choices as unknown as Prisma.InputJsonValue,
        expiresAt: rec.expiresAt,
      };
      if (expectedVersion === null) {
        // Insert unless another instance got there first (no exception: it would abort the transaction).
        return (await db.dialogState.createMany({ data: [{ key: rec.key, ...data }], skipDuplicates: true })).count === 1;
      }
      return (await db.dialogState.updateMany({ where: { key: rec.key, version: expectedVersion }, data: { ...data, version: { increment: 1 } } })).count === 1;
    },
    async deleteDialog(key) {
      await db.dialogState.deleteMany({ where: { key } });
    },
  };
}
