/** Theme registrations, phase reports, nominations and works: what units send up. */
import type { StatusPatch, Tx } from "../../core/ports.js";
import * as map from "./map.js";
import { fromLocalDate, type Db } from "./map.js";

type SubmissionsTx = Pick<
  Tx,
  | "getRegistration"
  | "getRegistrationById"
  | "createRegistration"
  | "addTheme"
  | "updateTheme"
  | "removeTheme"
  | "addTarget"
  | "removeTarget"
  | "transitionRegistration"
  | "getReport"
  | "getReportById"
  | "createReport"
  | "resubmitReport"
  | "transitionReport"
  | "createNomination"
  | "getNomination"
  | "nominationsOf"
  | "updateNominationContent"
  | "transitionNomination"
  | "createWork"
  | "getWork"
  | "worksOf"
  | "updateWorkContent"
  | "transitionWork"
>;

/** The condition of a status change: its current status, and where it waits when given. */
export function patchWhere<S>(id: number, from: S[], p: StatusPatch<S>) {
  return { id, status: { in: from }, ...(p.whereAt !== undefined && { atUnitId: p.whereAt }) };
}

export function patchData<S>(p: StatusPatch<S>) {
  return {
    status: p.status,
    ...(p.atUnitId !== undefined && { atUnitId: p.atUnitId }),
    ...(p.late !== undefined && { late: p.late }),
    ...(p.submittedAt !== undefined && { submittedAt: p.submittedAt }),
    ...(p.submittedById !== undefined && { submittedById: p.submittedById }),
    ...(p.decidedAt !== undefined && { decidedAt: p.decidedAt }),
    ...(p.returnReason !== undefined && { returnReason: p.returnReason }),
  };
}

export function submissionsStore(db: Db): SubmissionsTx {
  return {
    async getRegistration(unitId, campaignId) {
      const r = await db.themeRegistration.findFirst({ where: { unitId, campaignId }, include: map.registrationInclude });
      return r ? map.registration(r) : null;
    },
    async getRegistrationById(id) {
      const r = await db.themeRegistration.findFirst({ where: { id }, include: map.registrationInclude });
      return r ? map.registration(r) : null;
    },
    async createRegistration(unitId, campaignId) {
      return map.registration(await db.themeRegistration.create({ data: { unitId, campaignId }, include: map.registrationInclude }));
    },
    async addTheme(registrationId, contentAreaId, title) {
      const t = await db.theme.create({ data: { registrationId, contentAreaId, title } });
      await db.themeRegistration.update({ where: { id: registrationId }, data: { updatedAt: new Date() } });
      return map.theme({ ...t, targets: [] });
    },
    async updateTheme(themeId, patch) {
      await db.theme.update({ where: { id: themeId }, data: patch });
    },
    async removeTheme(themeId, at) {
      await db.theme.update({ where: { id: themeId }, data: { removedAt: at } });
    },
    async addTarget(themeId, input) {
      return map.target(await db.themeTarget.create({ data: { themeId, ...input } }));
    },
    async removeTarget(targetId, at) {
      await db.themeTarget.update({ where: { id: targetId }, data: { removedAt: at } });
    },
    async transitionRegistration(id, from, patch) {
      return (await db.themeRegistration.updateMany({ where: patchWhere(id, from, patch), data: patchData(patch) })).count === 1;
    },

    async getReport(unitId, phaseId) {
      const r = await db.phaseReport.findFirst({ where: { unitId, phaseId }, include: map.reportInclude });
      return r ? map.report(r) : null;
    },
    async getReportById(id) {
      const r = await db.phaseReport.findFirst({ where: { id }, include: map.reportInclude });
      return r ? map.report(r) : null;
    },
    async createReport(input) {
      const r = await db.phaseReport.create({
        data: {
          unitId: input.unitId,
          phaseId: input.phaseId,
          narrative: input.narrative,
          late: input.late,
          submittedAt: input.submittedAt,
          submittedById: input.submittedById,
          figures: { create: Object.entries(input.figures).map(([key, value]) => ({ key, value })) },
          targets: { create: Object.entries(input.targets).map(([targetId, value]) => ({ targetId: Number(targetId), value })) },
        },
        include: map.reportInclude,
      });
      return map.report(r);
    },
    async resubmitReport(id, input) {
      const n = await db.phaseReport.updateMany({
        where: { id, status: "RETURNED" },
        data: { status: "SUBMITTED", narrative: input.narrative, late: input.late, submittedAt: input.submittedAt, submittedById: input.submittedById, decidedAt: null },
      });
      if (n.count !== 1) return false;
      await db.reportFigure.deleteMany({ where: { reportId: id } });
      await db.reportFigure.createMany({ data: Object.entries(input.figures).map(([key, value]) => ({ reportId: id, key, value })) });
      await db.targetResult.deleteMany({ where: { reportId: id } });
      await db.targetResult.createMany({ data: Object.entries(input.targets).map(([targetId, value]) => ({ reportId: id, targetId: Number(targetId), value })) });
      return true;
    },
    async transitionReport(id, from, patch) {
      return (await db.phaseReport.updateMany({ where: patchWhere(id, from, patch), data: patchData(patch) })).count === 1;
    },

    async createNomination(input) {
      return map.nomination(await db.nomination.create({ data: input }));
    },
    async getNomination(id) {
      const n = await db.nomination.findFirst({ where: { id } });
      return n ? map.nomination(n) : null;
    },
    async nominationsOf(unitId, campaignId) {
      return (await db.nomination.findMany({ where: { unitId, campaignId }, orderBy: { id: "asc" } })).map(map.nomination);
    },
    async updateNominationContent(id, patch) {
      const n = await db.nomination.updateMany({ where: { id, status: "RETURNED" }, data: { ...patch, status: "SUBMITTED", decidedAt: null } });
      return n.count === 1;
    },
    async transitionNomination(id, from, patch) {
      return (await db.nomination.updateMany({ where: patchWhere(id, from, patch), data: patchData(patch) })).count === 1;
    },

    async createWork(input) {
      return map.work(await db.plaqueWork.create({ data: { ...input, completionOn: input.completionOn ? fromLocalDate(input.completionOn) : null } }));
    },
    async getWork(id) {
      const w = await db.plaqueWork.findFirst({ where: { id } });
      return w ? map.work(w) : null;
    },
    async worksOf(unitId, campaignId) {
      return (await db.plaqueWork.findMany({ where: { unitId, campaignId }, orderBy: { id: "asc" } })).map(map.work);
    },
    async updateWorkContent(id, patch) {
      const n = await db.plaqueWork.updateMany({ where: { id, status: "RETURNED" }, data: { ...patch, status: "REGISTERED", decidedAt: null } });
      return n.count === 1;
    },
    async transitionWork(id, from, patch) {
      return (await db.plaqueWork.updateMany({ where: patchWhere(id, from, patch), data: patchData(patch) })).count === 1;
    },
  };
}
