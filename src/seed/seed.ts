/**
 * Seeding, idempotent: reference data on every start (the calendar of commemorative days,
 * the catalogue of commendation forms), and in sandbox mode a demo world — a unit tree
 * under a demo Tổng Liên đoàn and CĐCTVN, demo officers and a member, their groups, and the
 * plan's campaign for the current year.
 */
import type { Locale } from "../core/model.js";
import type { Store, Translate } from "../core/ports.js";
import { createFromTemplate } from "../core/usecases/campaigns.js";
import { systemEnv } from "../core/usecases/env.js";
import { yearOf } from "../core/time.js";
import { loadCalendar, loadDemo, loadForms, loadTemplate, type DemoData } from "./load.js";

export interface SeedDeps {
  store: Store;
  translate: Translate;
  defaultLocale: Locale;
  timeZone: string;
  now: Date;
}

export async function seedReference(deps: SeedDeps): Promise<void> {
  const calendar = loadCalendar();
  const forms = loadForms();
  await deps.store.transaction(async (tx) => {
    for (const c of calendar) {
      await tx.upsertCommemoration({ key: c.key, campaignId: null, month: c.month, day: c.day, baseYear: c.baseYear, wholeMonth: c.wholeMonth, titleVi: c.vi, titleEn: c.en });
    }
    let ordinal = 0;
    for (const f of forms) {
      await tx.upsertCommendationForm({ code: f.code, nameVi: f.vi, nameEn: f.en, grantorLevel: f.grantorLevel, forPerson: f.forPerson, forCollective: f.forCollective, ordinal: ordinal++ });
    }
  });
}

/** Web ids as the sandbox adapter builds them. */
export const webId = (raw: string) => `web:${raw}`;

export async function seedDemo(deps: SeedDeps, demo: DemoData = loadDemo()): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const env = systemEnv("seed", { ...deps, tx });
    const units = new Map<string, Awaited<ReturnType<typeof tx.getUnitByCode>>>();
    for (const u of demo.units) {
      const parent = u.parent ? units.get(u.parent)! : null;
      let unit = await tx.getUnitByCode(u.code);
      if (!unit) {
        unit = await tx.createUnit({ code: u.code, name: u.name, level: u.level, parent, demo: true });
        await tx.audit(env.actor, { action: "unit.created", entity: "unit", entityId: unit.id, unitId: unit.id, data: { code: u.code, demo: true } });
      } else if (parent && unit.parentId === null) {
        // A database seeded before the demo world grew a new root (DEMO-TLD above
        // DEMO-CDCTVN): the old root goes under it. Only a root is moved, so a demo unit
        // someone moved on purpose (CLI `move`) stays where they put it.
        unit = await tx.moveUnit(unit, parent, null, deps.now);
        await tx.audit(env.actor, { action: "unit.moved", entity: "unit", entityId: unit.id, unitId: unit.id, data: { from: null, to: parent.id, demo: true } });
      }
      units.set(u.code, unit);
    }
    for (const p of demo.personas) {
      const key = webId(p.userId);
      const person = (await tx.findPersonByIdentity(key)) ?? (await tx.createPerson({ displayName: p.userName, sandbox: true, locale: null, identityKey: key, platform: "web" }));
      await tx.grantRole(person.id, units.get(p.unit)!.id, p.role, null);
      // Their private chat exists from the start, so notifications can reach them.
      await tx.upsertChat({ key: webId(`dm-${p.userId}`), platform: "web", kind: "private", title: null, personId: person.id });
    }
    // The first persona (the sector union's officer) links the groups and issues the plan.
    const founderPersona = demo.personas[0]!;
    const founder = await tx.findPersonByIdentity(webId(founderPersona.userId));
    for (const g of demo.groups) {
      const unit = units.get(g.unit)!;
      const title = deps.translate(deps.defaultLocale, `sandbox_seed.group_${g.purpose}`, { unit: unit.name });
      const chat = await tx.upsertChat({ key: webId(g.chatId), platform: "web", kind: "group", title, personId: null });
      if (g.linked && chat.unitId === null) await tx.linkChat(chat.id, unit.id, g.purpose, founder!.id, deps.now);
    }
    const template = loadTemplate("64-kh-cdct")!;
    const year = yearOf(env.today);
    const issuer = units.get(founderPersona.unit)!;
    // One demo plan per year, whatever number an older version of the seed gave it.
    if (!(await tx.listCampaigns()).some((c) => c.issuingUnitId === issuer.id && c.year === year)) await createFromTemplate(env, template, year, issuer, demo.campaignNumber);
  });
}

/**
 * The sandbox page's persona list: who one can be, and which group chats exist.
 * Each persona carries its unit with the unit's level as stored (the page names the level
 * in its own language), and `chats`: the ids of the chats it belongs to — its private chat
 * and the demo groups of the units where it holds a role now (an officer is in the
 * officers' and the members' groups, a member only in the members' group).
 */
export async function demoPersonas(store: Store, translate: Translate, locale: Locale, demo: DemoData = loadDemo()) {
  const groupsByUnit = new Map<string, DemoData["groups"]>();
  for (const g of demo.groups) groupsByUnit.set(g.unit, [...(groupsByUnit.get(g.unit) ?? []), g]);
  const personas = [];
  for (const p of demo.personas) {
    const unit = await store.getUnitByCode(p.unit);
    const person = await store.findPersonByIdentity(webId(p.userId));
    // Roles as they are now (an invite may have added one); the demo file if the person is gone.
    const roles = person ? (await store.activeRoles(person.id)).map((r) => ({ unit: r.unit.code, kind: r.kind })) : [{ unit: p.unit, kind: p.role }];
    const chats = [`dm-${p.userId}`];
    for (const role of roles) {
      for (const g of groupsByUnit.get(role.unit) ?? []) {
        if ((g.purpose === "MEMBERS" || role.kind !== "MEMBER") && !chats.includes(g.chatId)) chats.push(g.chatId);
      }
    }
    personas.push({
      userId: p.userId,
      userName: p.userName,
      role: p.role === "OFFICER" ? "officer" : "member",
      unitCode: p.unit,
      unitName: unit?.name ?? "",
      unitLevel: unit?.level ?? null,
      chats,
    });
  }
  const chats = [];
  for (const g of demo.groups) {
    const unit = await store.getUnitByCode(g.unit);
    chats.push({ chatId: g.chatId, chatTitle: translate(locale, `sandbox_seed.group_${g.purpose}`, { unit: unit?.name ?? g.unit }), chatKind: "group" as const });
  }
  return { personas, chats };
}
