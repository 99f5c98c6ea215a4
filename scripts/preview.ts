/**
 * `npm run preview`: pictures of the documents for people to look at. Builds the demo world
 * in memory, has its officers walk Phase 1 through the use cases (test/support/documents-world.ts),
 * writes the phase report, the year report, the reward list (.docx, .xlsx) and the
 * spreadsheet into test-artifacts/, with the /tiendo pictures of the same world (the
 * officers' of Hóa chất Phương Bắc and of Công đoàn Công Thương, drawn with the shipped
 * fonts as the bot draws them), and — when LibreOffice (`soffice`) and poppler
 * (`pdftoppm`) are installed — renders each document's first page to PNG next to it.
 * Nothing in `npm test` needs LibreOffice; this is for eyes only.
 */
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startTestApp } from "../test/support/app.js";
import { buildDocumentsWorld, personaEnv } from "../test/support/documents-world.js";
import { exportDocument, type DocumentKind, type DocumentOptions } from "../src/core/usecases/documents.js";
import { exportReports, progressOf } from "../src/core/usecases/progress.js";
import { progressChart } from "../src/core/charts.js";
import { createChartRenderer } from "../src/infra/charts.js";
import { docxWriter } from "../src/infra/docx.js";
import { xlsxWriter } from "../src/infra/spreadsheet.js";
import type { Phase, Unit } from "../src/core/model.js";

const OUT = fileURLToPath(new URL("../test-artifacts/", import.meta.url));
const NOW = "2026-09-05T03:00:00.000Z";

function has(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const t = await startTestApp("pglite", { now: NOW });
  try {
    const w = await buildDocumentsWorld(t.app, new Date(NOW), { engineerName: "Nguyễn Thị Lan" });
    const cdct = (await t.app.store.getUnitByCode("DEMO-CDCTVN"))!;
    const phase1 = w.campaign.phases[0]!;
    const make = (who: string, unit: Unit, kind: DocumentKind, phase: Phase | null, options: DocumentOptions) =>
      t.app.store.transaction(async (tx) => exportDocument(await personaEnv(t.app, tx, who, new Date(NOW)), { unit, campaign: w.campaign, phase, kind, options }, { document: docxWriter(), spreadsheet: xlsxWriter() }, "vi"));
    const files: [string, Uint8Array][] = [
      ["doc-report-phase.docx", (await make("demo-cuong", w.hoachat, "report", phase1, { number: "12", signer: "Lê Văn Cường", abbreviation: "CĐHC" })).data],
      ["doc-report-year.docx", (await make("demo-binh", cdct, "report", null, { number: "30", signer: "Trần Thị Bình", abbreviation: "CĐCT" })).data],
      ["doc-rewards.docx", (await make("demo-cuong", w.hoachat, "rewards", phase1, { abbreviation: "CĐHC" })).data],
      ["doc-rewards.xlsx", (await make("demo-cuong", w.hoachat, "rewards_sheet", phase1, {})).data],
      ["doc-sheet.xlsx", (await t.app.store.transaction(async (tx) => exportReports(await personaEnv(t.app, tx, "demo-binh", new Date(NOW)), cdct, w.campaign, xlsxWriter(), "vi"))).data],
    ];
    for (const [name, data] of files) await writeFile(path.join(OUT, name), data);
    process.stdout.write(`wrote ${files.map(([n]) => n).join(", ")} to test-artifacts/\n`);

    // /tiendo's picture for the officers who made the reports, as the command describes it and the bot draws it.
    const renderer = createChartRenderer();
    const charts: string[] = [];
    for (const [who, unit] of [["demo-cuong", w.hoachat], ["demo-binh", cdct]] as const) {
      const spec = await t.app.store.transaction(async (tx) => {
        const env = await personaEnv(t.app, tx, who, new Date(NOW));
        const progress = await progressOf(env, unit, w.campaign);
        return progressChart({ unit, campaign: w.campaign, progress, today: env.today, locale: "vi" }, (key, params) => t.app.translator.translate("vi", key, params));
      });
      if (!spec) throw new Error(`no chart for ${unit.code}: nobody below it`);
      const name = `chart-tiendo-${unit.code}.png`;
      await writeFile(path.join(OUT, name), await renderer.render(spec));
      charts.push(name);
    }
    process.stdout.write(`wrote ${charts.join(", ")} to test-artifacts/\n`);
    if (!has("soffice") || !has("pdftoppm")) {
      process.stdout.write("soffice or pdftoppm not found: no pictures (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils)\n");
      return;
    }
    for (const [name] of files) {
      const src = path.join(OUT, name);
      execFileSync("soffice", ["--headless", "--convert-to", "pdf", "--outdir", OUT, src], { stdio: "ignore", timeout: 120_000 });
      const pdf = src.replace(/\.(docx|xlsx)$/, ".pdf");
      const png = src.replace(/\.(docx|xlsx)$/, `-${name.endsWith(".xlsx") ? "xlsx" : "docx"}`);
      execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", pdf, png], { timeout: 60_000 });
      process.stdout.write(`  ${path.basename(png)}.png\n`);
    }
  } finally {
    await t.stop();
  }
}

await main();
