/**
 * The progress tallies kept by the database (migration 20261204000000_progress_tally) agree
 * with the items themselves: after every kind of change the store makes (registrations with
 * themes and targets, reports with figures and results, nominations, works, their status
 * changes, removals, deletions, a unit moved with its subtree, closed and reopened, a
 * campaign that starts including sections), a rolled-back transaction, and — on PostgreSQL —
 * many transactions at once, the progress of every unit read from the tallies equals the
 * progress summed from the items (test/support/progress-oracle.ts, the store's former SQL),
 * one unit at a time and all at once (progressMany).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/infra/db/open.js";
import { createStore } from "../../src/infra/store/index.js";
import { createTranslator } from "../../src/infra/i18n.js";
import { seedReference } from "../../src/seed/seed.js";
import { loadTemplate } from "../../src/seed/load.js";
import { createFromTemplate } from "../../src/core/usecases/campaigns.js";
import { systemEnv } from "../../src/core/usecases/env.js";
import type { Campaign, SubmissionStatus, Unit, UnitLevel, WorkStatus } from "../../src/core/model.js";
import type { Store, Tx } from "../../src/core/ports.js";
import { backends, createTestDatabase, type Backend, type TestDatabase } from "../support/database.js";
import { progressFromItems } from "../support/progress-oracle.js";

const NOW = new Date("2026-11-24T03:00:00Z");
const STATUSES: SubmissionStatus[] = ["DRAFT", "SUBMITTED", "APPROVED", "RETURNED", "DECLINED"];
const WORK_STATUSES: WorkStatus[] = ["REGISTERED", "RETURNED", "PROPOSED", "PLAQUED", "DECLINED"];

/** A small deterministic generator (mulberry32): the same operations on every run. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

describe.each(backends())("progress tallies on %s", { timeout: 300_000 }, (backend: Backend) => {
  let t: TestDatabase;
  let db: Database;
  let store: Store;
  let campaign: Campaign;
  let personId: number;
  let formId: number;
  const units: Unit[] = [];

  beforeAll(async () => {
    t = await createTestDatabase(backend);
    db = await openDatabase(t.config);
    store = createStore(db);
    const translator = createTranslator("vi");
    await seedReference({ store, translate: translator.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh", now: NOW });
    await store.transaction(async (tx) => {
      // TLĐ → 2 sectors → 2 upper-grassroots each → 3 grassroots each → a section each.
      const add = async (code: string, level: UnitLevel, parent: Unit | null) => {
        const u = await tx.createUnit({ code, name: `Đơn vị ${code}`, level, parent, demo: false });
        units.push(u);
        return u;
      };
      const root = await add("TLD", "CONFEDERATION", null);
      for (let s = 1; s <= 2; s++) {
        const sector = await add(`S${s}`, "SECTOR", root);
        for (let g = 1; g <= 2; g++) {
          const upper = await add(`S${s}U${g}`, "UPPER_GRASSROOTS", sector);
          for (let b = 1; b <= 3; b++) {
            const base = await add(`S${s}U${g}B${b}`, "GRASSROOTS", upper);
            await add(`S${s}U${g}B${b}T`, "SECTION", base);
          }
        }
      }
      const env = systemEnv("seed", { tx, now: NOW, translate: translator.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh" });
      campaign = await createFromTemplate(env, loadTemplate("64-kh-cdct")!, 2026, root, "01/KH-TEST");
      personId = (await tx.createPerson({ displayName: "Cán bộ thử", sandbox: false, locale: null, identityKey: "test:tally-officer", platform: "test" })).id;
      formId = (await tx.commendationForms())[0]!.id;
    });
  });
  afterAll(async () => {
    await db?.close();
    await t?.drop();
  });

  /** Every unit's progress from the tallies equals the one summed from the items. */
  async function expectAgreement(): Promise<number> {
    const c = (await store.getCampaign(campaign.id))!;
    const all = await db.prisma.unit.findMany({ orderBy: { id: "asc" } });
    const units = await Promise.all(all.map(async (row) => (await store.getUnit(row.id))!));
    // The scheduler's summaries read every level at once: the same figures.
    const many = await store.transaction((tx) => tx.progressMany(units, units.find((u) => u.parentId === null)!, c));
    let nonEmpty = 0;
    for (const unit of units) {
      const { children: _children, ...kept } = await store.transaction((tx) => tx.progress(unit, c));
      const fromItems = await progressFromItems(db.prisma, unit, c);
      expect({ unit: unit.code, ...kept }).toEqual({ unit: unit.code, ...fromItems });
      expect({ unit: unit.code, ...many.get(unit.id) }).toEqual({ unit: unit.code, ...fromItems });
      if (Object.keys(kept.registrations).length) nonEmpty++;
    }
    return nonEmpty;
  }

  const figures = (r: ReturnType<typeof random>) => Object.fromEntries(campaign.figureKeys.slice(0, 3).map((k) => [k, BigInt(r.int(3) === 0 ? 0 : r.int(5000))]));

  /** One random change, as the store makes it. */
  async function change(tx: Tx, r: ReturnType<typeof random>): Promise<void> {
    const unit = r.pick(units.filter((u) => u.depth > 0));
    const phase = r.pick(campaign.phases);
    switch (r.int(9)) {
      case 0: {
        let reg = await tx.getRegistration(unit.id, campaign.id);
        reg ??= await tx.createRegistration(unit.id, campaign.id);
        const theme = await tx.addTheme(reg.id, r.pick(campaign.areas).id, `Đề tài ${r.int(1000)}`);
        for (let i = 0; i <= r.int(2); i++) await tx.addTarget(theme.id, { indicator: `Chỉ tiêu ${i}`, measure: "sáng kiến", planned: 1 + r.int(20) });
        await tx.transitionRegistration(reg.id, STATUSES, { status: r.pick(STATUSES), submittedAt: NOW, submittedById: personId });
        break;
      }
      case 1: {
        const reg = await tx.getRegistration(unit.id, campaign.id);
        if (!reg) break;
        const theme = reg.themes.length ? r.pick(reg.themes) : null;
        if (theme && r.int(2) === 0) await tx.removeTheme(theme.id, NOW);
        else if (theme?.targets.length) await tx.removeTarget(r.pick(theme.targets).id, NOW);
        else await tx.transitionRegistration(reg.id, STATUSES, { status: r.pick(STATUSES) });
        break;
      }
      case 2:
      case 3: {
        const existing = await tx.getReport(unit.id, phase.id);
        const reg = await tx.getRegistration(unit.id, campaign.id);
        const targets = Object.fromEntries((reg?.themes ?? []).flatMap((th) => th.targets).filter(() => r.int(3) > 0).map((tg) => [tg.id, r.int(25)]));
        const input = { unitId: unit.id, phaseId: phase.id, narrative: "Kết quả", late: r.int(4) === 0, figures: figures(r), targets, submittedAt: NOW, submittedById: personId };
        if (!existing) await tx.createReport(input);
        else if (existing.status === "RETURNED") await tx.resubmitReport(existing.id, input);
        else await tx.transitionReport(existing.id, STATUSES, { status: r.pick(STATUSES) });
        break;
      }
      case 4: {
        const n = await tx.createNomination({
          unitId: unit.id,
          campaignId: campaign.id,
          phaseId: phase.id,
          nomineeKind: "PERSON",
          nomineeName: `Nguyễn Văn ${r.int(100)}`,
          position: null,
          achievement: "Thành tích",
          directWorker: r.int(2) === 0,
          formId,
          submittedById: personId,
          submittedAt: NOW,
        });
        if (r.int(2) === 0) await tx.transitionNomination(n.id, STATUSES, { status: r.pick(STATUSES) });
        break;
      }
      case 5: {
        const w = await tx.createWork({ unitId: unit.id, campaignId: campaign.id, name: "Công trình", description: "Mô tả", completionOn: null, occasionLevel: "UPPER_GRASSROOTS", occasion: null, submittedById: personId, submittedAt: NOW });
        if (r.int(2) === 0) await tx.transitionWork(w.id, WORK_STATUSES, { status: r.pick(WORK_STATUSES) });
        break;
      }
      case 6: {
        const noms = await tx.nominationsOf(unit.id, campaign.id);
        if (noms.length) await tx.transitionNomination(r.pick(noms).id, STATUSES, { status: r.pick(STATUSES) });
        break;
      }
      case 7: {
        // A report's figures changed by hand (an operator's SQL): the tallies follow too.
        const rep = await tx.getReport(unit.id, phase.id);
        if (rep) await db.prisma.reportFigure.updateMany({ where: { reportId: rep.id }, data: { value: BigInt(r.int(100)) } });
        break;
      }
      case 8: {
        const noms = await tx.nominationsOf(unit.id, campaign.id);
        if (noms.length) await db.prisma.nomination.deleteMany({ where: { id: r.pick(noms).id } }); // another transaction may have deleted it first
        break;
      }
    }
  }

  it("agree with the items after each of 300 changes of every kind, made 10 per transaction", async () => {
    const r = random(20261204);
    for (let batch = 0; batch < 30; batch++) {
      await store.transaction(async (tx) => {
        for (let i = 0; i < 10; i++) await change(tx, r);
      });
    }
    expect(await expectAgreement()).toBeGreaterThan(5); // the check compared something
  });

  it("agree after a unit moves with its subtree, closes, reopens, and a campaign starts including sections", async () => {
    const byCode = (code: string) => units.find((u) => u.code === code)!;
    // A section and a grassroots union have something to count.
    for (const code of ["S1U1B1T", "S1U1B1", "S1U1B2"]) {
      await store.transaction(async (tx) => {
        const reg = await tx.createRegistration(byCode(code).id, campaign.id).catch(() => tx.getRegistration(byCode(code).id, campaign.id).then((x) => x!));
        await tx.transitionRegistration(reg.id, STATUSES, { status: "SUBMITTED" });
      });
    }
    await store.transaction(async (tx) => {
      await tx.moveUnit(byCode("S1U1"), byCode("S2"), null, NOW); // an upper-grassroots union with 3 grassroots and 3 sections
    });
    await expectAgreement();
    await store.transaction((tx) => tx.closeUnit(byCode("S1U1B1").id, NOW));
    await expectAgreement();
    await db.prisma.unit.update({ where: { id: byCode("S1U1B1").id }, data: { status: "ACTIVE", closedAt: null } });
    await expectAgreement();
    await db.prisma.unit.update({ where: { id: byCode("S1U1B2").id }, data: { level: "SECTION" } });
    await expectAgreement();
    await db.prisma.campaign.update({ where: { id: campaign.id }, data: { includeSections: true } });
    const sections = await store.transaction(async (tx) => tx.progress((await tx.getUnit(byCode("S1U1B1").id))!, (await tx.getCampaign(campaign.id))!));
    expect(sections.registrations.SUBMITTED).toBeGreaterThanOrEqual(1); // its section counts now
    await expectAgreement();
    await db.prisma.campaign.update({ where: { id: campaign.id }, data: { includeSections: false } });
    await expectAgreement();
  });

  it("keep nothing of a transaction that rolls back", async () => {
    const root = units[0]!;
    const before = await store.transaction((tx) => tx.progress(root, campaign));
    const unit = units.find((u) => u.level === "GRASSROOTS" && u.code.startsWith("S2"))!;
    const phase = campaign.phases[0]!;
    await expect(
      store.transaction(async (tx) => {
        const existing = await tx.getReport(unit.id, phase.id);
        if (existing) await tx.transitionReport(existing.id, STATUSES, { status: existing.status === "APPROVED" ? "RETURNED" : "APPROVED" });
        else await tx.createReport({ unitId: unit.id, phaseId: phase.id, narrative: "x", late: true, figures: { [campaign.figureKeys[0]!]: 7n }, targets: {}, submittedAt: NOW, submittedById: personId });
        const inside = await tx.progress(root, campaign);
        expect(inside).not.toEqual(before); // seen inside the transaction
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await store.transaction((tx) => tx.progress(root, campaign))).toEqual(before);
  });

  // PGlite runs one transaction at a time: nothing to interleave there.
  if (backend === "postgres") {
    it("agree after 40 transactions at once on units that share their upper levels", async () => {
      const r = random(7);
      const seeds = Array.from({ length: 40 }, () => r.int(1_000_000));
      const results = await Promise.allSettled(
        seeds.map((seed) =>
          store.transaction(async (tx) => {
            const rr = random(seed);
            for (let i = 0; i < 4; i++) await change(tx, rr);
          }),
        ),
      );
      // Two transactions may both create the same unit's registration or report: one loses on the unique key.
      const failed = results.filter((x) => x.status === "rejected").map((x) => String((x as PromiseRejectedResult).reason));
      for (const f of failed) expect(f).toMatch(/Unique constraint|unique|P2002|23505/i);
      expect(failed.length).toBeLessThan(20);
      await expectAgreement();
    });
  }
});
