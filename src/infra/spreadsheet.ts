/** The SpreadsheetWriter port on exceljs: one worksheet per table, bold frozen header. */
import ExcelJS from "exceljs";
import type { Sheet, SpreadsheetWriter } from "../core/ports.js";

/** Excel refuses sheet names over 31 characters or with []:*?/\ in them. */
function sheetName(name: string, used: Set<string>): string {
  let base = name.replace(/[[\]:*?/\\]/g, " ").slice(0, 31).trim() || "Sheet";
  let n = 2;
  while (used.has(base)) base = `${base.slice(0, 28)} ${n++}`;
  used.add(base);
  return base;
}

export function xlsxWriter(): SpreadsheetWriter {
  return {
    extension: "xlsx",
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    async write(sheets: Sheet[]) {
      const wb = new ExcelJS.Workbook();
      wb.creator = "thidua-bot";
      const used = new Set<string>();
      for (const s of sheets) {
        const ws = wb.addWorksheet(sheetName(s.name, used), { views: [{ state: "frozen", ySplit: 1 }] });
        ws.addRow(s.header).font = { bold: true };
        for (const r of s.rows) ws.addRow(r);
        ws.columns.forEach((c, i) => {
          const longest = Math.max(s.header[i]?.length ?? 10, ...s.rows.slice(0, 200).map((r) => String(r[i] ?? "").split("\n")[0]!.length));
          c.width = Math.min(60, Math.max(10, longest + 2));
        });
      }
      return new Uint8Array(await wb.xlsx.writeBuffer());
    },
  };
}
