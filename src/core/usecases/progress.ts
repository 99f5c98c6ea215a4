/** What officers see of the units below: statuses, totals, and a spreadsheet of it all. */
import { AppError } from "../errors.js";
import type { Campaign, Locale, Unit } from "../model.js";
import { canManage } from "../permissions.js";
import type { Progress, Sheet, SpreadsheetWriter } from "../ports.js";
import { randomId } from "../codes.js";
import type { Env } from "./env.js";
import { actorId } from "./env.js";

async function assertSees(env: Env, unit: Unit): Promise<void> {
  if (env.actor.kind === "system") return;
  if (env.actor.person.sandbox !== unit.demo) throw new AppError("sandbox_boundary");
  if (!canManage(env.actor.person, await env.roles(), unit)) throw new AppError("not_officer", { unit: unit.name });
}

/** Progress of the units below `unit` (officers of the unit or of a unit above may look). */
export async function progressOf(env: Env, unit: Unit, campaign: Campaign): Promise<Progress> {
  await assertSees(env, unit);
  return env.tx.progress(unit, campaign);
}

/** Build the reports spreadsheet of `unit`'s subtree and store it as a file. */
export async function exportReports(env: Env, unit: Unit, campaign: Campaign, writer: SpreadsheetWriter, locale: Locale): Promise<{ id: string; name: string }> {
  await assertSees(env, unit);
  const rows = await env.tx.exportRows(unit, campaign);
  const t = (key: string, params?: Record<string, unknown>) => env.translate(locale, key, params);
  const status = (s: string | null | undefined) => t(`status.${s ?? "NONE"}`);
  const sheets: Sheet[] = [
    {
      name: t("export.sheet.registrations"),
      header: [t("export.col.code"), t("export.col.unit"), t("export.col.parent"), t("export.col.status"), t("export.col.themes")],
      rows: rows.map((r) => [r.unit.code, r.unit.name, r.parentName, status(r.registration), r.themes.join("\n")]),
    },
    ...campaign.phases.map((p) => ({
      name: t("export.sheet.phase", { ordinal: p.ordinal }),
      header: [
        t("export.col.code"),
        t("export.col.unit"),
        t("export.col.status"),
        t("export.col.late"),
        ...campaign.figureKeys.map((k) => t(`figures.${k}.label`)),
        t("export.col.narrative"),
      ],
      rows: rows.map((r) => {
        const rep = r.reports[p.id];
        return [
          r.unit.code,
          r.unit.name,
          status(rep?.status),
          rep ? t(rep.late ? "export.yes" : "export.no") : null,
          ...campaign.figureKeys.map((k) => (rep ? Number(rep.figures[k] ?? 0n) : null)),
          rep?.narrative ?? null,
        ];
      }),
    })),
  ];
  const data = await writer.write(sheets);
  const id = randomId(18);
  const name = `${t("export.filename", { code: unit.code, year: campaign.year })}.${writer.extension}`;
  await env.tx.saveFile({ id, name, mime: writer.mime, data, ownerId: actorId(env.actor) });
  await env.tx.audit(env.actor, { action: "export.created", entity: "file", entityId: id, unitId: unit.id, data: { campaign: campaign.id, rows: rows.length } });
  return { id, name };
}
