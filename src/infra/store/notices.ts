/** Set-based reads for the scheduler and broadcasts, and their bookkeeping. */
import type { Chat, Unit } from "../../core/model.js";
import type { Tx } from "../../core/ports.js";
import type { Prisma } from "../../generated/prisma/client.ts";
import * as map from "./map.js";
import type { Db } from "./map.js";
import type { Sql } from "../db/transactions.js";

type NoticesTx = Pick<
  Tx,
  | "memberChatsBelow"
  | "officerChatsOf"
  | "unsubmitted"
  | "unsubmittedOfficerChats"
  | "setChatPrefs"
  | "memberChatsOf"
  | "approvedNominationsBelow"
  | "rewardsDecidedBelow"
  | "createBroadcast"
  | "broadcastProgress"
  | "completeBroadcast"
  | "claimScheduledRun"
  | "finishScheduledRun"
  | "scheduledRunsDone"
>;

type ChatRow = Parameters<typeof map.chat>[0] & { personLocale?: string | null };

export function noticesStore(db: Db, sql: Sql): NoticesTx {
  const chatOf = (r: ChatRow): Chat => ({ ...map.chat(r), locale: ((r.personLocale ?? r.locale) as Chat["locale"]) ?? null });
  const chats = (rows: ChatRow[]): Chat[] => rows.map(chatOf);
  /**
   * The approved nominations of the units strictly below `root` for a phase or a campaign,
   * newest first, each with its unit's path: one read, however many summaries list them.
   */
  const approvedBelow = <R>(root: Unit, of: { phaseId: number } | { campaignId: number }, where: string, columns = "", join = "") =>
    sql.queryText<R[]>(
      `SELECT n."nomineeName" AS name, u.name AS "unitName", n."directWorker", u.path${columns}
         FROM "Nomination" n JOIN "Unit" u ON u.id = n."unitId" ${join}
        WHERE n.status = 'APPROVED' AND ${"phaseId" in of ? `n."phaseId"` : `n."campaignId"`} = $1
          AND u.path LIKE $2 || '%' AND u.id <> $3 ${where}
        ORDER BY n."decidedAt" DESC NULLS LAST, n.id DESC`,
      "phaseId" in of ? of.phaseId : of.campaignId,
      root.path,
      root.id,
    );
  /**
   * Each unit's active groups for `purpose`, added to its list in `out`. The units go as one
   * array parameter, not an IN list: a whole Confederation's reminders once named some 74,000
   * units, beyond PostgreSQL's 65,535 parameters.
   */
  const groupsInto = async (out: Map<number, Chat[]>, unitIds: number[], purpose: "OFFICERS" | "MEMBERS") => {
    if (!unitIds.length) return;
    const rows = await sql.queryText<ChatRow[]>(
      `SELECT ${map.CHAT_COLUMNS_OF_C} FROM "Chat" c WHERE c."unitId" = ANY($1::int[]) AND c.purpose = $2::"ChatPurpose" AND c.active ORDER BY c.id`,
      unitIds,
      purpose,
    );
    for (const g of rows) out.get(g.unitId!)!.push(chats([g])[0]!);
  };
  /** The private chats of each unit's holders of `kind` (each in its owner's language), added to the unit's list in `out`. */
  const holdersChatsInto = async (out: Map<number, Chat[]>, unitIds: number[], kind: "OFFICER" | "MEMBER") => {
    if (!unitIds.length) return;
    const rows = await sql.queryText<(ChatRow & { forUnit: number })[]>(
      `SELECT ${map.CHAT_COLUMNS_OF_C}, p.locale AS "personLocale", r."unitId" AS "forUnit" FROM "Role" r
         JOIN "Person" p ON p.id = r."personId" AND p."erasedAt" IS NULL
         JOIN "Chat" c ON c."personId" = p.id AND c.kind = 'PRIVATE' AND c.active
        WHERE r.kind = $2::"RoleKind" AND r."revokedAt" IS NULL AND r."unitId" = ANY($1::int[])
        ORDER BY c.id`,
      unitIds,
      kind,
    );
    for (const r of rows) out.get(r.forUnit)!.push(chats([r])[0]!);
  };
  return {
    async memberChatsBelow(unit) {
      const prefix = unit?.path ?? "/";
      const rows = await sql.queryText<ChatRow[]>(
        `SELECT ${map.CHAT_COLUMNS_OF_C}, NULL AS "personLocale" FROM "Chat" c JOIN "Unit" u ON u.id = c."unitId"
          WHERE c.purpose = 'MEMBERS' AND c.active AND u.status = 'ACTIVE' AND u.path LIKE $1 || '%'
         UNION
         SELECT DISTINCT ON (c.id) ${map.CHAT_COLUMNS_OF_C}, p.locale AS "personLocale" FROM "Chat" c
           JOIN "Person" p ON p.id = c."personId"
           JOIN "Role" r ON r."personId" = p.id AND r.kind = 'MEMBER' AND r."revokedAt" IS NULL
           JOIN "Unit" u ON u.id = r."unitId"
          WHERE c.kind = 'PRIVATE' AND c.active AND u.status = 'ACTIVE' AND u.path LIKE $1 || '%'`,
        prefix,
      );
      return chats(rows);
    },
    async officerChatsOf(unitIds) {
      const out = new Map<number, Chat[]>(unitIds.map((id) => [id, []]));
      await groupsInto(out, unitIds, "OFFICERS");
      const missing = unitIds.filter((id) => !out.get(id)!.length);
      await holdersChatsInto(out, missing, "OFFICER");
      return out;
    },
    async unsubmitted(issuer, campaign, phaseId) {
      // A Confederation's overdue minute reads 74,604 units here.
      const rows = await sql.queryMany<Parameters<typeof map.unit>[0]>(
        `SELECT ${UNIT_COLUMNS_TEXT} FROM "Unit" u WHERE ${notSent(phaseId)} ORDER BY u.depth, u.name, u.id`,
        issuer.path,
        issuer.id,
        phaseId ?? campaign.id,
        campaign.includeSections,
      );
      return rows.map(map.unit);
    },
    async unsubmittedOfficerChats(issuer, campaign, phaseId) {
      // One statement: the 74,000 units of a Confederation's reminder never travel to the
      // bot and back as a list of ids (on PGlite that was a third of the minute).
      const rows = await sql.queryMany<ChatRow & { forUnit: number; forUnitName: string }>(
        `WITH late AS MATERIALIZED (
           SELECT u.id, u.name, u.depth FROM "Unit" u WHERE ${notSent(phaseId)}
         ), groups AS (
           SELECT l.id AS "forUnit", c.id AS "chatId", NULL::text AS "personLocale" FROM late l
             JOIN "Chat" c ON c."unitId" = l.id AND c.purpose = 'OFFICERS' AND c.active
         ), officers AS (
           SELECT l.id AS "forUnit", c.id AS "chatId", p.locale AS "personLocale" FROM late l
             JOIN "Role" r ON r."unitId" = l.id AND r.kind = 'OFFICER' AND r."revokedAt" IS NULL
             JOIN "Person" p ON p.id = r."personId" AND p."erasedAt" IS NULL
             JOIN "Chat" c ON c."personId" = p.id AND c.kind = 'PRIVATE' AND c.active
            WHERE NOT EXISTS (SELECT 1 FROM groups g WHERE g."forUnit" = l.id)
         )
         SELECT ${map.CHAT_COLUMNS_OF_C}, x."personLocale", l.id AS "forUnit", l.name AS "forUnitName"
           FROM (SELECT * FROM groups UNION ALL SELECT * FROM officers) x
           JOIN late l ON l.id = x."forUnit" JOIN "Chat" c ON c.id = x."chatId"
          ORDER BY l.depth, l.name, l.id, c.id`,
        issuer.path,
        issuer.id,
        phaseId ?? campaign.id,
        campaign.includeSections,
      );
      const out = new Map<number, { name: string; chats: Chat[] }>();
      for (const r of rows) {
        let unit = out.get(r.forUnit);
        if (!unit) out.set(r.forUnit, (unit = { name: r.forUnitName, chats: [] }));
        unit.chats.push(chatOf(r));
      }
      return out;
    },
    async setChatPrefs(chatId, prefs) {
      await db.chat.update({ where: { id: chatId }, data: { prefs: (prefs ?? undefined) as Prisma.InputJsonValue | undefined } });
    },
    async memberChatsOf(unitIds) {
      // Groups first, then members' private chats, as notify.memberChats gives them one unit at a time.
      const out = new Map<number, Chat[]>(unitIds.map((id) => [id, []]));
      await groupsInto(out, unitIds, "MEMBERS");
      await holdersChatsInto(out, unitIds, "MEMBER");
      return out;
    },
    async approvedNominationsBelow(root, of, limit) {
      const rows = await approvedBelow<NominationRow>(root, of, "");
      return underAncestors(root, rows, limit, (r) => ({ name: r.name, unitName: r.unitName, directWorker: r.directWorker }));
    },
    async rewardsDecidedBelow(root, campaignId, limit) {
      const rows = await approvedBelow<NominationRow & RewardRow>(
        root,
        { campaignId },
        `AND n."grantedByUnitId" IS NOT NULL`,
        `, COALESCE(n."grantedFormId", n."formId") AS "formId", g.name AS "grantorName", n."decisionNumber", n."decisionDate"`,
        `JOIN "Unit" g ON g.id = n."grantedByUnitId"`,
      );
      return underAncestors(root, rows, limit, (r) => ({
        name: r.name,
        unitName: r.unitName,
        directWorker: r.directWorker,
        formId: r.formId,
        grantorName: r.grantorName,
        decisionNumber: r.decisionNumber,
        decisionDate: r.decisionDate ? map.toLocalDate(r.decisionDate) : null,
      }));
    },
    async completeBroadcast(id, at) {
      // One row left is enough to know (an index probe, not a count of 10,000 rows).
      const left = await db.outboxMessage.findFirst({ where: { broadcastId: id, status: { in: ["PENDING", "SENDING"] } }, select: { id: true } });
      if (left) return null;
      const p = await noticesStore(db, sql).broadcastProgress(id);
      if (!p) return null;
      const done = await db.broadcast.updateMany({ where: { id, completedAt: null }, data: { completedAt: at, sent: p.sent, failed: p.failed } });
      if (!done.count) return null;
      return { total: p.total, sent: p.sent, failed: p.failed, chatKey: p.chatKey };
    },
    async createBroadcast(input) {
      return (await db.broadcast.create({ data: input, select: { id: true } })).id;
    },
    async broadcastProgress(id) {
      const b = await db.broadcast.findFirst({ where: { id } });
      if (!b) return null;
      // Counted at completion: the rows themselves may have been deleted since.
      if (b.completedAt && b.sent !== null && b.failed !== null) return { total: b.total, sent: b.sent, failed: b.failed, pending: 0, chatKey: b.chatKey, unitId: b.unitId };
      const groups = await db.outboxMessage.groupBy({ by: ["status"], where: { broadcastId: id }, _count: { _all: true } });
      const count = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
      return { total: b.total, sent: count("SENT"), failed: count("FAILED"), pending: count("PENDING") + count("SENDING"), chatKey: b.chatKey, unitId: b.unitId };
    },
    async claimScheduledRun(key, at) {
      return (await db.scheduledRun.createMany({ data: [{ key, at, messages: 0 }], skipDuplicates: true })).count === 1;
    },
    async finishScheduledRun(key, messages) {
      await db.scheduledRun.update({ where: { key }, data: { messages } });
    },
    async scheduledRunsDone(keys) {
      if (!keys.length) return new Set();
      return new Set((await db.scheduledRun.findMany({ where: { key: { in: keys } }, select: { key: true } })).map((r) => r.key));
    },
  };
}


interface NominationRow {
  name: string;
  unitName: string;
  directWorker: boolean;
  path: string;
}

interface RewardRow {
  formId: number;
  grantorName: string;
  decisionNumber: string | null;
  decisionDate: Date | null;
}

/**
 * Rows (newest first) listed under every unit above theirs, from `root` down (the path
 * "/1/5/23/" lists a row of unit 23 under 1 and 5), keeping the first `limit` per unit.
 */
function underAncestors<R extends { path: string }, T>(root: Unit, rows: R[], limit: number, shape: (r: R) => T): Map<number, T[]> {
  const out = new Map<number, T[]>();
  const from = root.path.split("/").filter(Boolean).length - 1;
  for (const r of rows) {
    const ids = r.path.split("/").filter(Boolean);
    let item: T | undefined;
    for (let i = from; i < ids.length - 1; i++) {
      const id = Number(ids[i]);
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      if (list.length < limit) list.push((item ??= shape(r)));
    }
  }
  return out;
}

/**
 * Active units strictly below the issuer ($1 its path, $2 its id) that have not sent their
 * registration of campaign $3 (phaseId null) or their report of phase $3; sections and
 * teams only when $4 (the campaign includes them). Units as `u`.
 */
function notSent(phaseId: number | null): string {
  const sent = `('SUBMITTED', 'APPROVED')`;
  const missing =
    phaseId === null
      ? `NOT EXISTS (SELECT 1 FROM "ThemeRegistration" r WHERE r."unitId" = u.id AND r."campaignId" = $3 AND r.status IN ${sent})`
      : `NOT EXISTS (SELECT 1 FROM "PhaseReport" p WHERE p."unitId" = u.id AND p."phaseId" = $3 AND p.status IN ${sent})`;
  return `u.path LIKE $1 || '%' AND u.id <> $2 AND u.status = 'ACTIVE' AND (u.level <> 'SECTION' OR $4::boolean) AND ${missing}`;
}

const UNIT_COLUMNS_TEXT = map.UNIT_COLUMNS.text;
