/**
 * RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes, CRLF or
 * LF, an optional UTF-8 byte-order mark (Excel writes one). Also accepts ";" when the
 * header line uses it, as Excel does in locales with a decimal comma.
 */
export interface CsvRow {
  /** 1-based line number where the record starts, for error reports. */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** The file is not UTF-8: `line` holds its first byte that is not. */
export class NotUtf8Error extends CsvError {}

export function parseCsv(input: string): CsvRow[] {
  const text = input.replace(/^\uFEFF/, "");
  // Decide on the header line, ignoring what is inside quotes ("Họ, tên";Đơn vị is ";").
  const header = text.slice(0, text.search(/\r?\n|$/)).replace(/"(?:[^"]|"")*"/g, "");
  const sep = !header.includes(",") && header.includes(";") ? ";" : ",";
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = "";
  let line = 1;
  let start = 1;
  let quoted = false;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0]!.trim() === "")) rows.push({ line: start, fields });
    fields = [];
    field = "";
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field === "") quoted = true;
    else if (ch === sep) {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
    i++;
  }
  if (quoted) throw new CsvError(start, "unterminated quoted field");
  if (field !== "" || fields.length) endRecord();
  return rows;
}

/**
 * The text of a file that must be UTF-8 (a UTF-8 byte-order mark is dropped). A file in
 * another encoding (Windows-1258, TCVN3…) is refused with the line of its first byte that
 * is not UTF-8, rather than read with U+FFFD in place of its letters.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new NotUtf8Error(lineOfFirstBadByte(bytes), "not UTF-8");
  }
}

/** 1-based line of the first byte sequence that is not valid UTF-8. */
function lineOfFirstBadByte(bytes: Uint8Array): number {
  const strict = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let start = 0;
  // A line feed (0x0A) never occurs inside a UTF-8 sequence: lines can be checked one by one.
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      strict.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    line++;
    start = end + 1;
  }
  return line;
}
