/** Audit trail, outbox, files and dialog state. */
import type { Sql } from "../db/transactions.js";
import type { Actor, Outbound, RoleKind } from "../../core/model.js";
import type { Tx } from "../../core/ports.js";
import { redactCodes } from "../../core/codes.js";
import { Prisma } from "../../generated/prisma/client.ts";
import * as map from "./map.js";
import type { Db } from "./map.js";
import type { ReferenceCache } from "./reference-cache.js";

type PlumbingTx = Pick<Tx, "audit" | "auditMany" | "enqueue" | "saveFile" | "getDialog" | "saveDialog" | "deleteDialog" | "claimUpdate" | "saveUpdateReplies" | "openUpdate">;

type UnitJson = Parameters<typeof map.unit>[0];
interface OpenedRow {
  claimed: number;
  generation: bigint | null;
  previous: Outbound[] | null;
  person: { id: number; displayName: string; locale: string | null; sandbox: boolean; erasedAt: string | null } | null;
  roles: (UnitJson & { roleId: number; personId: number; kind: RoleKind })[];
  chat: Parameters<typeof map.chat>[0] | null;
}

/** Outbox rows per INSERT in `enqueue` (one JSON parameter each). */
const OUTBOX_BATCH = 5000;

/** Audit rows per INSERT in `auditMany` (one JSON parameter each). */
const AUDIT_BATCH = 5000;

export function plumbingStore(db: Db, sql: Sql, ref: ReferenceCache): PlumbingTx {
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
      // One statement per 5,000 rows, each batch one JSON parameter: the reminders of a whole
      // Confederation are some 74,000 rows (Prisma's createMany took 2.3-3.5 s for 3,744).
      // Omitted times are the moment of writing, as Prisma's @default(now()) gave them.
      const now = new Date();
      let count = 0;
      for (let from = 0; from < items.length; from += OUTBOX_BATCH) {
        // What a row has not is left out of its JSON (the column is then NULL): reminders
        // carry five of the eleven fields, and the server reads fewer bytes.
        const rows = items.slice(from, from + OUTBOX_BATCH).map((i) => ({
          key: i.key,
          kind: i.kind,
          chatKey: i.chatKey,
          text: i.text,
          dueAt: i.dueAt ?? undefined,
          broadcastId: i.broadcastId ?? undefined,
          choices: i.choices?.length ? i.choices : undefined,
          fileId: i.file?.id,
          fileName: i.file?.name,
          notBefore: i.notBefore ?? undefined,
        }));
        count += await sql.executeText(
          `INSERT INTO "OutboxMessage" ("key", "kind", "platform", "chatKey", "text", "dueAt", "broadcastId", "choices", "fileId", "fileName", "notBefore", "createdAt")
           SELECT x."key", x."kind", split_part(x."chatKey", ':', 1), x."chatKey", x."text", x."dueAt", x."broadcastId", x."choices", x."fileId", x."fileName", COALESCE(x."notBefore", $2::timestamp(3)), $2::timestamp(3)
             FROM jsonb_to_recordset($1::jsonb) AS x("key" text, "kind" text, "chatKey" text, "text" text, "dueAt" timestamp(3), "broadcastId" int, "choices" jsonb, "fileId" text, "fileName" text, "notBefore" timestamp(3))
           ON CONFLICT ("key") DO NOTHING`,
          JSON.stringify(rows),
          now,
        );
      }
      return count;
    },
    async saveFile(input) {
      // Files past FILE_KEEP_DAYS are deleted by the hourly housekeeping (app.ts), and no download link serves them.
      await db.storedFile.create({ data: { id: input.id, name: input.name, mime: input.mime, base64: Buffer.from(input.data).toString("base64"), ownerId: input.ownerId } });
    },
    // The statements every update runs are written in SQL: a model query costs several
    // times a raw one in Prisma's query compiler (bench/query-cost.ts).
    async claimUpdate(key, at) {
      const inserted = await sql.execute(Prisma.sql`INSERT INTO "ProcessedUpdate" ("key", "at") VALUES (${key}, ${at}) ON CONFLICT ("key") DO NOTHING`);
      if (inserted === 1) return null;
      const [row] = await sql.query<{ replies: unknown }[]>(Prisma.sql`SELECT "replies" FROM "ProcessedUpdate" WHERE "key" = ${key}`);
      return (row?.replies as Outbound[] | null) ?? [];
    },
    async openUpdate({ key, at, identityKey, chatKey }) {
      // One statement instead of four: the claim, the speaker, their roles, the chat. Within
      // one statement the claim's own row is not visible to the read of `previous`, which
      // therefore shows only what an earlier handling of the same key kept.
      const [r] = await sql.query<OpenedRow[]>(Prisma.sql`
        WITH claim AS (
          INSERT INTO "ProcessedUpdate" ("key", "at") SELECT ${key}::text, ${at}::timestamp(3) WHERE ${key}::text IS NOT NULL
          ON CONFLICT ("key") DO NOTHING RETURNING 1
        ), speaker AS (
          SELECT p."id", p."displayName", p."locale", p."sandbox", p."erasedAt" FROM "Identity" i JOIN "Person" p ON p."id" = i."personId" WHERE i."key" = ${identityKey}
        )
        SELECT (SELECT count(*) FROM claim)::int AS "claimed",
               (SELECT g."n" FROM "ReferenceGeneration" g WHERE g."id" = 1) AS "generation",
               (SELECT pu."replies" FROM "ProcessedUpdate" pu WHERE pu."key" = ${key}::text) AS "previous",
               (SELECT row_to_json(s) FROM speaker s) AS "person",
               (SELECT coalesce(json_agg(json_build_object(
                         'roleId', r."id", 'personId', r."personId", 'kind', r."kind", 'id', u."id", 'code', u."code", 'name', u."name", 'level', u."level",
                         'parentId', u."parentId", 'path', u."path", 'depth', u."depth", 'status', u."status", 'demo', u."demo", 'reviewPassThrough', u."reviewPassThrough",
                         'abbreviation', u."abbreviation", 'place', u."place")
                       ORDER BY r."id"), '[]'::json)
                  FROM "Role" r JOIN "Unit" u ON u."id" = r."unitId" WHERE r."personId" = (SELECT "id" FROM speaker) AND r."revokedAt" IS NULL) AS "roles",
               (SELECT row_to_json(c) FROM (SELECT ${map.CHAT_COLUMNS} FROM "Chat" WHERE "key" = ${chatKey}) c) AS "chat"`);
      ref.seen(r!.generation);
      const person = r!.person ? map.person({ ...r!.person, erasedAt: map.utcFromJson(r!.person.erasedAt) }) : null;
      return {
        previous: key !== null && r!.claimed === 0 ? (r!.previous ?? []) : null,
        person,
        roles: person ? r!.roles.map((x) => ({ id: x.roleId, personId: x.personId, unitId: x.id, kind: x.kind, unit: map.unit(x) })) : null,
        chat: r!.chat ? map.chat(r!.chat) : null,
      };
    },
    async saveUpdateReplies(key, replies) {
      // Kept only until delivered (the inbox and the sandbox clear them), and never with a code in it.
      const kept = replies.map((r) => ({ ...r, text: redactCodes(r.text) }));
      // Nothing waits for its answer: on PostgreSQL it goes with the COMMIT, in one round trip.
      await sql.executeAtCommit(Prisma.sql`UPDATE "ProcessedUpdate" SET "replies" = ${JSON.stringify(kept)}::jsonb WHERE "key" = ${key}`);
    },
    async getDialog(key) {
      const [d] = await sql.query<
        { key: string; personId: number; name: string; step: string; data: unknown; token: string; choices: unknown; version: number; expiresAt: Date }[]
      >(Prisma.sql`SELECT "key", "personId", "name", "step", "data", "token", "choices", "version", "expiresAt" FROM "DialogState" WHERE "key" = ${key}`);
      if (!d) return null;
      return { key: d.key, personId: d.personId, name: d.name, step: d.step, data: d.data, token: d.token, choices: d.choices as { id: string; label: string }[], version: d.version, expiresAt: d.expiresAt };
    },
    async saveDialog(rec, expectedVersion) {
      const data = JSON.stringify(rec.data);
      const choices = JSON.stringify(rec.choices);
      if (expectedVersion === null) {
        // Insert unless another instance got there first (no exception: it would abort the transaction).
        const inserted = await sql.execute(Prisma.sql`
          INSERT INTO "DialogState" ("key", "personId", "name", "step", "data", "token", "choices", "expiresAt", "updatedAt")
          VALUES (${rec.key}, ${rec.personId}, ${rec.name}, ${rec.step}, ${data}::jsonb, ${rec.token}, ${choices}::jsonb, ${rec.expiresAt}, now())
          ON CONFLICT ("key") DO NOTHING`);
        return inserted === 1;
      }
      const updated = await sql.execute(Prisma.sql`
        UPDATE "DialogState" SET "personId" = ${rec.personId}, "name" = ${rec.name}, "step" = ${rec.step}, "data" = ${data}::jsonb, "token" = ${rec.token},
               "choices" = ${choices}::jsonb, "expiresAt" = ${rec.expiresAt}, "version" = "version" + 1, "updatedAt" = now()
         WHERE "key" = ${rec.key} AND "version" = ${expectedVersion}`);
      return updated === 1;
    },
    async deleteDialog(key) {
      await db.dialogState.deleteMany({ where: { key } });
    },
  };
}
