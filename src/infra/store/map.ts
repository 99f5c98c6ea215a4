/** Rows of the generated Prisma client → the core's domain types, and back for dates. */
import type { Prisma } from "../../generated/prisma/client.ts";
import type * as M from "../../core/model.js";

export type Db = Prisma.TransactionClient;

/** A @db.Date column arrives as midnight UTC of that day. */
export function toLocalDate(d: Date): M.LocalDate {
  return d.toISOString().slice(0, 10);
}

export function fromLocalDate(d: M.LocalDate): Date {
  return new Date(`${d}T00:00:00.000Z`);
}

type UnitRow = { id: number; code: string; name: string; level: M.UnitLevel; parentId: number | null; path: string; depth: number; status: "ACTIVE" | "CLOSED"; demo: boolean };

export function unit(r: UnitRow): M.Unit {
  return { id: r.id, code: r.code, name: r.name, level: r.level, parentId: r.parentId, path: r.path, depth: r.depth, status: r.status, demo: r.demo };
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
    areas: r.areas.map((a) => ({ id: a.id, ordinal: a.ordinal, title: a.title, summary: a.summary })),
    phases: r.phases.map(phase),
  };
}

export const registrationInclude = { themes: { where: { removedAt: null }, orderBy: { id: "asc" } } } satisfies Prisma.ThemeRegistrationInclude;

export function registration(r: M.Registration): M.Registration {
  return {
    id: r.id,
    unitId: r.unitId,
    campaignId: r.campaignId,
    status: r.status,
    submittedAt: r.submittedAt,
    submittedById: r.submittedById,
    decidedAt: r.decidedAt,
    returnReason: r.returnReason,
    themes: r.themes.map((t) => ({ id: t.id, contentAreaId: t.contentAreaId, title: t.title })),
  };
}

export function report(r: Omit<M.PhaseReport, "figures"> & { figures: { key: string; value: bigint }[] }): M.PhaseReport {
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
    figures: Object.fromEntries(r.figures.map((f) => [f.key, BigInt(f.value)])),
  };
}

export function nomination(r: M.Nomination & Record<string, unknown>): M.Nomination {
  return {
    id: r.id,
    unitId: r.unitId,
    campaignId: r.campaignId,
    phaseId: r.phaseId,
    nomineeKind: r.nomineeKind,
    nomineeName: r.nomineeName,
    achievement: r.achievement,
    directWorker: r.directWorker,
    formId: r.formId,
    status: r.status,
    submittedById: r.submittedById,
    submittedAt: r.submittedAt,
    decidedAt: r.decidedAt,
    returnReason: r.returnReason,
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
    status: r.status,
    submittedById: r.submittedById,
    submittedAt: r.submittedAt,
    decidedAt: r.decidedAt,
    returnReason: r.returnReason,
  };
}
