/**
 * The DocumentWriter port on the `docx` package: the layout of union documents (QĐ
 * 933/QĐ-TLĐ 2024, after Decree 30/2020/NĐ-CP). A4, Times New Roman; margins 20/20/30/15 mm.
 * Sizes: the body 14 pt; in the header block the unit names and the national title 12 pt
 * (bold for the issuing unit and the title), the motto, "Số: …" and the place and date
 * 13 pt; the kind and title 14 pt bold; tables 11 pt; "Nơi nhận:" 12 pt and its lines
 * 11 pt; the signature block 14 pt; page numbers 13 pt from page 2, at the top centre.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Header,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type ITableBordersOptions,
  type ITableCellBorders,
} from "docx";
import type { DocBlock, DocCell, DocumentWriter, OfficialDocument } from "../core/ports.js";

/** Twips per millimetre (1 inch = 1440 twips = 25.4 mm). */
const MM = 1440 / 25.4;
export const A4 = { width: 11906, height: 16838 };
export const MARGINS = { top: Math.round(20 * MM), bottom: Math.round(20 * MM), left: Math.round(30 * MM), right: Math.round(15 * MM) };
const FONT = "Times New Roman";
/** Half-points (see the sizes at the top). */
const SIZE = { body: 28, header: 24, motto: 26, number: 26, date: 26, page: 26, table: 22, recipientsHead: 24, recipients: 22 };
/**
 * Shares of the header block: the right column holds "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
 * about 95 mm at 12 pt bold; 60 % of the 173 mm block (104 mm) keeps it on one line.
 */
const HEADER_LEFT_SHARE = 0.4;

const NONE = { style: BorderStyle.NONE, size: 0, color: "FFFFFF" };
const NO_BORDERS: ITableCellBorders = { top: NONE, bottom: NONE, left: NONE, right: NONE };
const TABLE_NO_BORDERS: ITableBordersOptions = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };
const LINE = { style: BorderStyle.SINGLE, size: 4, color: "000000" };

function run(text: string, o: { bold?: boolean; italics?: boolean; size?: number } = {}): TextRun {
  return new TextRun({ text, font: FONT, size: o.size ?? SIZE.body, bold: o.bold, italics: o.italics });
}

function para(text: string, o: { bold?: boolean; italics?: boolean; size?: number; align?: (typeof AlignmentType)[keyof typeof AlignmentType]; before?: number; after?: number; indent?: boolean } = {}): Paragraph {
  return new Paragraph({
    alignment: o.align ?? AlignmentType.JUSTIFIED,
    spacing: { before: o.before ?? 0, after: o.after ?? 0, line: 276 },
    indent: o.indent ? { firstLine: Math.round(10 * MM) } : undefined,
    children: [run(text, o)],
  });
}

/** A short centred rule: an empty paragraph with a bottom border between indents (`width` twips long in a `cell` twips wide cell). */
function rule(cell: number, width: number): Paragraph {
  const side = Math.max(0, Math.round((cell - width) / 2));
  return new Paragraph({ border: { bottom: LINE }, indent: { left: side, right: side }, spacing: { before: 0, after: 0, line: 120, lineRule: "exact" }, children: [] });
}

function cellOf(c: DocCell, width: number, o: { bold?: boolean; header?: boolean }): TableCell {
  const text = typeof c === "string" ? c : c.text;
  const align = typeof c === "string" ? "left" : (c.align ?? "left");
  const bold = o.bold || (typeof c !== "string" && c.bold);
  const alignment = o.header ? AlignmentType.CENTER : align === "center" ? AlignmentType.CENTER : align === "right" ? AlignmentType.RIGHT : AlignmentType.LEFT;
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    verticalAlign: VerticalAlign.CENTER,
    margins: { top: 30, bottom: 30, left: 60, right: 60 },
    children: text.split("\n").map((line) => new Paragraph({ alignment, spacing: { line: 240 }, children: [run(line, { bold, size: SIZE.table })] })),
  });
}

function table(b: Extract<DocBlock, { kind: "table" }>, textWidth: number): Table {
  const sum = b.widths.reduce((s, w) => s + w, 0);
  const widths = b.widths.map((w) => Math.floor((w / sum) * textWidth));
  const row = (cells: DocCell[], o: { bold?: boolean; header?: boolean }) =>
    new TableRow({ tableHeader: o.header, cantSplit: true, children: widths.map((w, i) => cellOf(cells[i] ?? "", w, o)) });
  return new Table({
    width: { size: widths.reduce((s, w) => s + w, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: { top: LINE, bottom: LINE, left: LINE, right: LINE, insideHorizontal: LINE, insideVertical: LINE },
    rows: [row(b.header, { bold: true, header: true }), ...b.rows.map((r) => row(r, {})), ...(b.totals ? [row(b.totals, { bold: true })] : [])],
  });
}

/** The header block: the upper body and the issuing unit (left), the nation and motto (right), each with a rule. */
function headerBlock(doc: OfficialDocument, textWidth: number): Table {
  // As in the templates of Decree 30, the block reaches a little into the left margin so that
  // "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" stays on one line.
  const spill = Math.round(8 * MM);
  const left = Math.round((textWidth + spill) * HEADER_LEFT_SHARE);
  const right = textWidth + spill - left;
  const c = AlignmentType.CENTER;
  const leftCell = new TableCell({
    width: { size: left, type: WidthType.DXA },
    borders: NO_BORDERS,
    children: [
      ...(doc.upperBody ? [para(doc.upperBody, { size: SIZE.header, align: c })] : []),
      para(doc.issuer, { bold: true, size: SIZE.header, align: c }),
      rule(left, Math.round(25 * MM)),
      ...(doc.numberLine ? [para(doc.numberLine, { size: SIZE.number, align: c, before: 120 })] : []),
    ],
  });
  const rightCell = new TableCell({
    width: { size: right, type: WidthType.DXA },
    borders: NO_BORDERS,
    children: [
      para(doc.nation, { bold: true, size: SIZE.header, align: c }),
      para(doc.motto, { bold: true, size: SIZE.motto, align: c }),
      rule(right, Math.round(60 * MM)),
      para(doc.dateLine, { italics: true, size: SIZE.date, align: c, before: 120 }),
    ],
  });
  return new Table({ width: { size: left + right, type: WidthType.DXA }, indent: { size: -spill, type: WidthType.DXA }, columnWidths: [left, right], layout: TableLayoutType.FIXED, borders: TABLE_NO_BORDERS, rows: [new TableRow({ children: [leftCell, rightCell] })] });
}

/** "Nơi nhận:" (left, 12 and 11 pt) and the signature block (right, with room to sign). */
function closingBlock(doc: OfficialDocument, textWidth: number): Table {
  const left = Math.round(textWidth * 0.45);
  const right = textWidth - left;
  const recipients = new TableCell({
    width: { size: left, type: WidthType.DXA },
    borders: NO_BORDERS,
    children: [para(doc.recipients.head, { bold: true, italics: true, size: SIZE.recipientsHead, align: AlignmentType.LEFT }), ...doc.recipients.lines.map((l) => para(l, { size: SIZE.recipients, align: AlignmentType.LEFT }))],
  });
  const c = AlignmentType.CENTER;
  const signature = new TableCell({
    width: { size: right, type: WidthType.DXA },
    borders: NO_BORDERS,
    children: [para(doc.signature.capacity, { bold: true, align: c }), para(doc.signature.position, { bold: true, align: c }), ...[1, 2, 3, 4].map(() => para("", { align: c })), para(doc.signature.name, { bold: true, align: c })],
  });
  return new Table({ width: { size: textWidth, type: WidthType.DXA }, columnWidths: [left, right], layout: TableLayoutType.FIXED, borders: TABLE_NO_BORDERS, rows: [new TableRow({ cantSplit: true, children: [recipients, signature] })] });
}

export function docxWriter(): DocumentWriter {
  return {
    extension: "docx",
    mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    async write(doc: OfficialDocument) {
      const pageWidth = doc.landscape ? A4.height : A4.width;
      const textWidth = pageWidth - MARGINS.left - MARGINS.right;
      const children: (Paragraph | Table)[] = [headerBlock(doc, textWidth)];
      children.push(para(doc.kind, { bold: true, align: AlignmentType.CENTER, before: 360 }));
      for (const line of doc.title) children.push(para(line, { bold: true, align: AlignmentType.CENTER }));
      if (doc.attachedTo) children.push(para(doc.attachedTo, { italics: true, align: AlignmentType.CENTER }));
      children.push(rule(textWidth, Math.round(30 * MM)));
      children.push(para("", { after: 120 }));
      for (const b of doc.body) {
        if (b.kind === "heading") children.push(para(b.text, { bold: true, before: 120, after: 60, indent: true }));
        else if (b.kind === "paragraph") children.push(para(b.text, { italics: b.italic, after: 60, indent: true }));
        else {
          children.push(table(b, textWidth));
          children.push(para("", { after: 60 }));
        }
      }
      children.push(para("", { after: 120 }));
      children.push(closingBlock(doc, textWidth));
      const document = new Document({
        creator: "thidua-bot",
        styles: { default: { document: { run: { font: FONT, size: SIZE.body } } } },
        sections: [
          {
            properties: {
              titlePage: true,
              page: {
                size: { width: A4.width, height: A4.height, orientation: doc.landscape ? PageOrientation.LANDSCAPE : PageOrientation.PORTRAIT },
                margin: { ...MARGINS, header: Math.round(10 * MM), footer: Math.round(10 * MM) },
              },
            },
            headers: {
              first: new Header({ children: [new Paragraph({ children: [] })] }),
              default: new Header({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ font: FONT, size: SIZE.page, children: [PageNumber.CURRENT] })] })] }),
            },
            children,
          },
        ],
      });
      return new Uint8Array(await Packer.toBuffer(document));
    },
  };
}
