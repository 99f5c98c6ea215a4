/** People, identities, roles, consent. */
import type { Sql } from "../db/transactions.js";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Tx } from "../../core/ports.js";
import type { Locale, RoleKind } from "../../core/model.js";
import { eraseTraces } from "./erase.js";
import * as map from "./map.js";
import { UNIT_COLUMNS, type Db } from "./map.js";

type PeopleTx = Pick<
  Tx,
  | "findPersonByIdentity"
  | "createPerson"
  | "getPerson"
  | "updatePerson"
  | "identitiesOf"
  | "erasePerson"
  | "activeRoles"
  | "grantRole"
  | "revokeRole"
  | "holdersOf"
  | "activeConsent"
  | "addConsent"
  | "consentsOf"
  | "addDataRequest"
  | "countAuditBy"
>;

export function peopleStore(db: Db, sql: Sql): PeopleTx {
  return {
    async findPersonByIdentity(key) {
      // Every update starts here: SQL, not a model query (see plumbing.ts).
      const [p] = await sql.query<{ id: number; displayName: string; locale: string | null; sandbox: boolean; erasedAt: Date | null }[]>(Prisma.sql`
        SELECT p."id", p."displayName", p."locale", p."sandbox", p."erasedAt" FROM "Identity" i JOIN "Person" p ON p."id" = i."personId" WHERE i."key" = ${key}`);
      return p ? map.person(p) : null;
    },
    async createPerson(input) {
      const p = await db.person.create({
        data: {
          displayName: input.displayName,
          sandbox: input.sandbox,
          locale: input.locale,
          identities: { create: { key: input.identityKey, platform: input.platform } },
        },
      });
      return map.person(p);
    },
    async getPerson(id) {
      const p = await db.person.findFirst({ where: { id } });
      return p ? map.person(p) : null;
    },
    async updatePerson(id, patch: { displayName?: string; locale?: Locale | null }) {
      await db.person.update({ where: { id }, data: patch });
    },
    async identitiesOf(personId) {
      return db.identity.findMany({ where: { personId }, select: { key: true, platform: true, createdAt: true, linkedAt: true }, orderBy: { id: "asc" } });
    },
    async erasePerson(id, placeholderName, at, opts = {}) {
      const before = await db.person.findFirstOrThrow({ where: { id }, select: { displayName: true } });
      await db.person.update({ where: { id }, data: { displayName: placeholderName, erasedAt: at } });
      const identities = await db.identity.findMany({ where: { personId: id }, select: { key: true } });
      await db.identity.deleteMany({ where: { personId: id } });
      await db.role.updateMany({ where: { personId: id, revokedAt: null }, data: { revokedAt: at } });
      await db.consent.updateMany({ where: { personId: id }, data: { withdrawnAt: at, chatKey: "erased" } });
      await db.dialogState.deleteMany({ where: { personId: id } });
      // Private chats are keyed by the platform's user id: forget the key, keep the row's history.
      const chats = await db.chat.findMany({ where: { personId: id, kind: "PRIVATE" }, select: { id: true, key: true } });
      for (const c of chats) await db.chat.update({ where: { id: c.id }, data: { key: `erased:${c.id}`, active: false, personId: null } });
      const keys = [...identities.map((i) => i.key), ...chats.map((c) => c.key), `person:${id}`];
      await db.codeAttempt.deleteMany({ where: { identityKey: { in: keys } } });
      await db.inviteRedemption.updateMany({ where: { personId: id }, data: { chatKey: null } });
      // Files made for them (exports) go too; the unit can make them again.
      await db.storedFile.deleteMany({ where: { ownerId: id } });
      if (opts.traces !== false) await eraseTraces(db, { identityKeys: identities.map((i) => i.key), privateChats: chats, name: before.displayName, placeholder: placeholderName });
    },
    async activeRoles(personId) {
      // Read at every step of an officer's dialog (rights are checked at that moment): SQL.
      const rows = await sql.query<({ roleId: number; personId: number; kind: RoleKind } & Parameters<typeof map.unit>[0])[]>(Prisma.sql`
        SELECT r."id" AS "roleId", r."personId", r."kind"::text AS "kind", ${UNIT_COLUMNS}
          FROM "Role" r JOIN "Unit" u ON u."id" = r."unitId"
         WHERE r."personId" = ${personId} AND r."revokedAt" IS NULL ORDER BY r."id"`);
      return rows.map((r) => ({ id: r.roleId, personId: r.personId, unitId: r.id, kind: r.kind, unit: map.unit(r) }));
    },
    async grantRole(personId, unitId, kind: RoleKind, grantedById) {
      const existing = await db.role.findFirst({ where: { personId, unitId, kind, revokedAt: null } });
      if (existing) return false;
      await db.role.create({ data: { personId, unitId, kind, grantedById } });
      return true;
    },
    async revokeRole(personId, unitId, kind, revokedById, at) {
      const r = await db.role.updateMany({ where: { personId, unitId, kind, revokedAt: null }, data: { revokedAt: at, revokedById } });
      return r.count > 0;
    },
    async holdersOf(unitId, kind) {
      const rows = await db.role.findMany({ where: { unitId, kind, revokedAt: null, person: { erasedAt: null } }, include: { person: true }, orderBy: { id: "asc" } });
      return rows.map((r) => map.person(r.person));
    },
    async activeConsent(personId, purpose) {
      return db.consent.findFirst({ where: { personId, purpose, withdrawnAt: null }, orderBy: { id: "desc" } });
    },
    async addConsent(personId, purpose, noticeVersion, chatKey, at) {
      await db.consent.create({ data: { personId, purpose, noticeVersion, chatKey, givenAt: at } });
    },
    async consentsOf(personId) {
      return db.consent.findMany({ where: { personId }, orderBy: { id: "asc" } });
    },
    async addDataRequest(personId, kind, completedAt) {
      await db.dataRequest.create({ data: { personId, kind, completedAt } });
    },
    async countAuditBy(personId) {
      return db.auditEvent.count({ where: { actorId: personId } });
    },
  };
}
