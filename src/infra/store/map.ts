/** Rows of the generated Prisma client → the core's domain types, and back for dates. */
import { Prisma } from "../../generated/prisma/client.ts";
import type * as M from "../../core/model.js";

export type Db = Prisma.TransactionClient;

/** A @db.Date column arrives as midnight UTC of that day. */
export function toLocalDate(d: Date): M.LocalDate {
  return d.toISOString().slice(0, 10);
}

export function fromLocalDate(d: M.LocalDate): Date {
  return new Date(`${d}T00:00:00.000Z`);
}

/** A unit's columns (table alias `u`) for SQL read into `unit()`. */
export const UNIT_COLUMNS = Prisma.sql`u."id", u."code", u."name", u."level"::text AS "level", u."parentId", u."path", u."depth", u."status"::text AS "status", u."demo", u."reviewPassThrough", u."abbreviation", u."place"`;

/** A chat's columns for SQL read into `chat()`. */
const chatColumns = (a: string) =>
  `${a}"id", ${a}"key", ${a}"platform", ${a}"kind"::text AS "kind", ${a}"title", ${a}"unitId", ${a}"purpose"::text AS "purpose", ${a}"personId", ${a}"active", ${a}"locale", ${a}"prefs"`;
export const CHAT_COLUMNS = Prisma.raw(chatColumns(""));
/** The same of a chat read as `c`, for SQL text. */
export const CHAT_COLUMNS_OF_C = chatColumns("c.");

/** A `timestamp` column (UTC) as JSON gives it: "2026-11-24T03:00:00.123", no zone. */
export function utcFromJson(s: string | null): Date | null {
  return s === null ? null : new Date(/Z|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
}

type UnitRow = { id: number; code: string; name: string; level: M.UnitLevel; parentId: number | null; path: string; depth: number; status: "ACTIVE" | "CLOSED"; demo: boolean; reviewPassThrough?: boolean; abbreviation?: string | null; place?: string | null };

export function unit(r: UnitRow): M.Unit {
  return { id: r.id, code: r.code, name: r.name, level: r.level, parentId: r.parentId, path: r.path, depth: r.depth, status: r.status, demo: r.demo, reviewPassThrough: r.reviewPassThrough ?? false, abbreviation: r.abbreviation ?? null, place: r.place ?? null };
}

/** Prisma's Decimal (or a driver's string) → a JS number; targets stay well inside 2^53. */
export function decimal(v: unknown): number {
  return Number(typeof v === "object" && v !== null ? String(v) : v);
}

export function person(r: { id: number; displayName: string; locale: string | null; sandbox: boolean; erasedAt: Date | null }): M.Person {
  return { id: r.id, displayName: r.displayName, locale: (r.locale as M.Locale | null) ?? null, sandbox: r.sandbox, erasedAt: r.erasedAt };
}

export function chat(r: {
  id: number;
  key: string;
  platform: string;
  kind: "PRIVATE" | "GROUP";
  title: string | null;
  unitId: number | null;
  purpose: M.ChatPurpose | null;
  personId: number | null;
  active: boolean;
  locale: string | null;
  prefs?: unknown;
}): M.Chat {
  return {
    id: r.id,
    key: r.key,
    platform: r.platform,
    kind: r.kind === "PRIVATE" ? "private" : "group",
    title: r.title,
    unitId: r.unitId,
    purpose: r.purpose,
    personId: r.personId,
    active: r.active,
    locale: (r.locale as M.Locale | null) ?? null,
    prefs: (r.prefs as M.Chat["prefs"]) ?? null,
  };
}

export const campaignInclude = {
  areas: { orderBy: { ordinal: "asc" } },
  phases: { orderBy: { ordinal: "asc" } },
} satisfies Prisma.CampaignInclude;

type PhaseRow = Omit<M.Phase, "startsOn" | "endsOn" | "reportDeadline"> & { startsOn: Date; endsOn: Date; reportDeadline: Date };

export function phase(p: PhaseRow): M.Phase {
  return {
    id: p.id,
    campaignId: p.campaignId,
    ordinal: p.ordinal,
    startsOn: toLocalDate(p.startsOn),
    endsOn: toLocalDate(p.endsOn),
    reportDeadline: toLocalDate(p.reportDeadline),
    dedication: p.dedication,
  };
}

export function campaign(r: Omit<M.Campaign, "issuedOn" | "registrationDeadline" | "phases"> & { issuedOn: Date; registrationDeadline: Date; phases: PhaseRow[] }): M.Campaign {
  return {
    id: r.id,
    number: r.number,
    templateKey: r.templateKey,
    year: r.year,
    title: r.title,
    goals: r.goals,
    issuingUnitId: r.issuingUnitId,
    issuedOn: toLocalDate(r.issuedOn),
    registrationDeadline: toLocalDate(r.registrationDeadline),
    status: r.status,
    figureKeys: r.figureKeys,
    deadlinesDefault: r.deadlinesDefault,
    includeSections: r.includeSections,
    closedAt: r.closedAt,
    areas: r.areas.map((a) => ({ id: a.id, ordinal: a.ordinal, title: a.title, summary: a.summary })),
    phases: r.phases.map(phase),
  };
}

export const registrationInclude = {
  themes: { where: { removedAt: null }, orderBy: { id: "asc" }, include: { targets: { where: { removedAt: null }, orderBy: { id: "asc" } } } },
} satisfies Prisma.ThemeRegistrationInclude;

type TargetRow = { id: number; indicator: string; measure: string; planned: unknown };
type ThemeRow = { id: number; contentAreaId: number; title: string; keyTask: string | null; responsible: string | null; targets: TargetRow[] };

export function target(t: TargetRow): M.Target {
  return { id: t.id, indicator: t.indicator, measure: t.measure, planned: decimal(t.planned) };
}

export function theme(t: ThemeRow): M.Theme {
  return { id: t.id, contentAreaId: t.contentAreaId, title: t.title, keyTask: t.keyTask, responsible: t.responsible, targets: t.targets.map(target) };
}

export function registration(r: Omit<M.Registration, "themes"> & { themes: ThemeRow[] }): M.Registration {
  return {
    id: r.id,
    unitId: r.unitId,
    campaignId: r.campaignId,
    status: r.status,
    submittedAt: r.submittedAt,
    submittedById: r.submittedById,
    decidedAt: r.decidedAt,
    returnReason: r.returnReason,
    late: r.late,
    atUnitId: r.atUnitId,
    filedAt: r.filedAt,
    filedOutside: r.filedOutside,
    themes: r.themes.map(theme),
  };
}

export const reportInclude = { figures: true, targets: { include: { target: true }, orderBy: { targetId: "asc" } } } satisfies Prisma.PhaseReportInclude;

export function report(
  r: Omit<M.PhaseReport, "figures" | "targets" | "reached"> & { figures: { key: string; value: bigint }[]; targets?: { targetId: number; value: unknown; target?: TargetRow }[] },
): M.PhaseReport {
  const results = r.targets ?? [];
  return {
    id: r.id,
    unitId: r.unitId,
    phaseId: r.phaseId,
    status: r.status,
    narrative: r.narrative,
    late: r.late,
    submittedAt: r.submittedAt,
    submittedById: r.submittedById,
    decidedAt: r.decidedAt,
    returnReason: r.returnReason,
    atUnitId: r.atUnitId,
    figures: Object.fromEntries(r.figures.map((f) => [f.key, BigInt(f.value)])),
    targets: Object.fromEntries(results.map((t) => [t.targetId, decimal(t.value)])),
    reached: results.flatMap((t) => (t.target ? [{ target: target(t.target), value: decimal(t.value) }] : [])),
  };
}

export function nomination(r: Omit<M.Nomination, "decisionDate"> & { decisionDate: Date | null } & Record<string, unknown>): M.Nomination {
  return {
    id: r.id,
    unitId: r.unitId,
    campaignId: r.campaignId,
    phaseId: r.phaseId,
    nomineeKind: r.nomineeKind,
    nomineeName: r.nomineeName,
    position: r.position,
    achievement: r.achievement,
    directWorker: r.directWorker,
    formId: r.formId,
    status: r.status,
    submittedById: r.submittedById,
    submittedAt: r.submittedAt,
    decidedAt: r.decidedAt,
    returnReason: r.returnReason,
    atUnitId: r.atUnitId,
    grantedFormId: r.grantedFormId,
    grantedByUnitId: r.grantedByUnitId,
    decisionNumber: r.decisionNumber,
    decisionDate: r.decisionDate ? toLocalDate(r.decisionDate) : null,
  };
}

export function work(r: Omit<M.PlaqueWork, "completionOn"> & { completionOn: Date | null }): M.PlaqueWork {
  return {
    id: r.id,
    unitId: r.unitId,
    campaignId: r.campaignId,
    name: r.name,
    description: r.description,
    completionOn: r.completionOn ? toLocalDate(r.completionOn) : null,
    occasionLevel: r.occasionLevel,
    occasion: r.occasion,
    status: r.status,
    submittedById: r.submittedById,
    submittedAt: r.submittedAt,
    decidedAt: r.decidedAt,
    returnReason: r.returnReason,
    atUnitId: r.atUnitId,
  };
}
