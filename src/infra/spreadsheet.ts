/**
 * The SpreadsheetWriter port on exceljs: one worksheet per table, a title block above it,
 * a bold wrapped header frozen in place, numbers with thousands grouping, totals in bold,
 * the unit column indented by tree depth. Text is written as text: a name such as "=1+2"
 * never becomes a formula.
 */
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

const FORMATS = { integer: "#,##0", decimal: "#,##0.##", percent: "0%" } as const;
const THIN = { style: "thin" as const, color: { argb: "FF999999" } };

export function xlsxWriter(): SpreadsheetWriter {
  return {
    extension: "xlsx",
    mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    async write(sheets: Sheet[]) {
      const wb = new ExcelJS.Workbook();
      wb.creator = "thidua-bot";
      const used = new Set<string>();
      for (const s of sheets) {
        const title = s.title ?? [];
        const headerRow = title.length ? title.length + 2 : 1;
        const ws = wb.addWorksheet(sheetName(s.name, used), { views: [{ state: "frozen", ySplit: headerRow }], pageSetup: { paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 } });
        title.forEach((line, i) => {
          const cell = ws.getCell(i + 1, 1);
          cell.value = line;
          cell.font = { bold: i === 0, size: i === 0 ? 13 : 11 };
        });
        const header = ws.getRow(headerRow);
        header.values = s.header;
        header.font = { bold: true };
        header.alignment = { wrapText: true, vertical: "middle", horizontal: "center" };
        header.eachCell((c) => {
          c.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF7" } };
          c.border = { top: THIN, bottom: THIN, left: THIN, right: THIN };
        });
        const textColumn = s.columns ? s.columns.findIndex((c, i) => !c.format && i > 0) : 1;
        const bold = new Set(s.bold ?? []);
        s.rows.forEach((values, r) => {
          const row = ws.getRow(headerRow + 1 + r);
          values.forEach((v, c) => {
            const cell = row.getCell(c + 1);
            // A string is always a string cell: exceljs writes formulas only from { formula } values.
            cell.value = v === null ? null : v;
            const col = s.columns?.[c];
            if (col?.format) cell.numFmt = FORMATS[col.format];
            // An indent shows only on a left-aligned cell (Excel and LibreOffice ignore it otherwise).
            const indent = c === textColumn ? (s.indent?.[r] ?? 0) : 0;
            cell.alignment = { vertical: "top", wrapText: col?.wrap ?? false, ...(indent > 0 ? { horizontal: "left", indent } : {}) };
            cell.border = { top: THIN, bottom: THIN, left: THIN, right: THIN };
          });
          if (bold.has(r)) row.font = { bold: true };
          // Spreadsheet programs do not grow a row for wrapped text on their own: give it the lines it needs.
          const lines = Math.max(1, ...values.map((v, c) => (s.columns?.[c]?.wrap && typeof v === "string" ? v.split("\n").reduce((n, l) => n + Math.max(1, Math.ceil(l.length / Math.max(4, (s.columns?.[c]?.width ?? 10) - 2))), 0) : 1)));
          if (lines > 1) row.height = Math.min(400, 15 * lines);
        });
        s.header.forEach((h, i) => {
          const col = ws.getColumn(i + 1);
          const given = s.columns?.[i]?.width;
          const longest = Math.max(h.length / 2, ...s.rows.slice(0, 200).map((r) => String(r[i] ?? "").split("\n")[0]!.length));
          col.width = given ?? Math.min(60, Math.max(10, longest + 2));
        });
      }
      return new Uint8Array(await wb.xlsx.writeBuffer());
    },
  };
}
