import { describe, it, expect } from "vitest";
import { CsvError, decodeUtf8, NotUtf8Error, parseCsv } from "../../src/core/csv.js";

const fields = (input: string) => parseCsv(input).map((r) => r.fields);

function csvErrorOf(input: string): CsvError {
  try {
    parseCsv(input);
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error("expected a CsvError, but the input was accepted");
}

describe("reading CSV files of units and people", () => {
  it("reads plain comma-separated records with their line numbers", () => {
    expect(parseCsv("code,name\nCD01,Công đoàn A\nCD02,Công đoàn B\n")).toEqual([
      { line: 1, fields: ["code", "name"] },
      { line: 2, fields: ["CD01", "Công đoàn A"] },
      { line: 3, fields: ["CD02", "Công đoàn B"] },
    ]);
  });

  it("keeps commas inside quoted fields", () => {
    expect(fields('name,unit\n"Nguyễn, Văn An","CĐ cơ sở, Hà Nội"\n')).toEqual([
      ["name", "unit"],
      ["Nguyễn, Văn An", "CĐ cơ sở, Hà Nội"],
    ]);
  });

  it("reads doubled quotes as one quote", () => {
    expect(fields('a,b\n"Phong trào ""Lao động giỏi""",x\n')).toEqual([
      ["a", "b"],
      ['Phong trào "Lao động giỏi"', "x"],
    ]);
  });

  it("keeps newlines inside quoted fields", () => {
    expect(fields('a,b\n"dòng 1\ndòng 2",x\n')).toEqual([
      ["a", "b"],
      ["dòng 1\ndòng 2", "x"],
    ]);
  });

  it("reads Windows line endings (CRLF) without leaving \\r in fields", () => {
    expect(parseCsv("a,b\r\n1,2\r\n3,4\r\n")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 3, fields: ["3", "4"] },
    ]);
  });

  it("ignores the byte-order mark Excel writes", () => {
    const rows = parseCsv("\uFEFFcode,name\nCD01,A\n");
    expect(rows[0]).toEqual({ line: 1, fields: ["code", "name"] });
    expect(rows).toHaveLength(2);
  });

  it("reads semicolon-separated files when the header uses ';' and no ','", () => {
    expect(fields("\uFEFFHọ tên;Đơn vị\nAn;\"CĐ, cơ sở\"\nBình;CĐ B\n")).toEqual([
      ["Họ tên", "Đơn vị"],
      ["An", "CĐ, cơ sở"],
      ["Bình", "CĐ B"],
    ]);
  });

  it("keeps ';' as text in a comma-separated file", () => {
    expect(fields("a,b\nx;y,z\n")).toEqual([
      ["a", "b"],
      ["x;y", "z"],
    ]);
  });

  it("skips blank lines but keeps the line numbers of the records after them", () => {
    expect(parseCsv("a,b\n\n1,2\n   \n\r\n3,4")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 3, fields: ["1", "2"] },
      { line: 6, fields: ["3", "4"] },
    ]);
  });

  it("gives a record after a multi-line quoted field its real starting line", () => {
    const rows = parseCsv('a,b\n"x\ny\nz",1\nnext,2\n');
    expect(rows).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x\ny\nz", "1"] },
      { line: 5, fields: ["next", "2"] },
    ]);
  });

  it("counts lines after a multi-line field in a CRLF file", () => {
    expect(parseCsv('a,b\r\n"x\r\ny",2\r\nz,3\r\n')).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x\r\ny", "2"] },
      { line: 4, fields: ["z", "3"] },
    ]);
  });

  it("reads the last record without a final newline", () => {
    expect(fields("a,b\n1,2")).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("keeps empty fields", () => {
    expect(fields("a,b,c\n1,,3\n,,\n")).toEqual([
      ["a", "b", "c"],
      ["1", "", "3"],
      ["", "", ""],
    ]);
  });

  it("an empty file has no records", () => {
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv("\uFEFF")).toEqual([]);
    expect(parseCsv("\n\n")).toEqual([]);
  });

  it("refuses an unterminated quote, naming the line where the record starts", () => {
    const e = csvErrorOf('a,b\n1,2\n3,"oops\n4,5\n');
    expect(e).toBeInstanceOf(CsvError);
    expect(e.line).toBe(3);
    expect(e.message).toBe("unterminated quoted field");
  });

  it("reports the starting line of an unterminated quote after a multi-line field", () => {
    expect(csvErrorOf('a,b\n"1\n2",x\n"open,y\n').line).toBe(4);
  });
});

describe("the separator is decided outside quotes", () => {
  it("reads a semicolon file whose header quotes a comma", () => {
    expect(parseCsv('"Họ, tên";Đơn vị\r\nAn;CĐCS A\r\n').map((r) => r.fields)).toEqual([
      ["Họ, tên", "Đơn vị"],
      ["An", "CĐCS A"],
    ]);
  });

  it("refuses a file that is not UTF-8, naming the line of its first foreign byte", () => {
    // "Công đoàn" in Windows-1258: ô is 0xF4, đ is 0xF0 — on line 3, after two clean lines.
    const cp1258 = Uint8Array.from([...Buffer.from("code,name,level,parent_code\r\nA,Ok,nganh,\r\nB,C"), 0xf4, ...Buffer.from("ng "), 0xf0, ...Buffer.from("oan,co_so,A\r\n")]);
    let error: unknown;
    try {
      decodeUtf8(cp1258);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotUtf8Error);
    expect((error as CsvError).line).toBe(3);
  });

  it("reads UTF-8 with or without a byte-order mark, never putting U+FFFD in", () => {
    const text = "code,name\nCD01,Công đoàn Dệt may\n";
    expect(decodeUtf8(Buffer.from(text))).toBe(text);
    expect(parseCsv(decodeUtf8(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])))[1]!.fields).toEqual(["CD01", "Công đoàn Dệt may"]);
  });
});
