/**
 * A small multipart/form-data reader for the fake Telegram server.
 *
 * Node 20's own parser (`new Request(…).formData()`, undici) refuses what grammY sends:
 * grammY writes part headers as `content-disposition:form-data;name="chat_id"` (no space
 * after the `;`) and file names unquoted (`;filename=bao-cao.xlsx`), and undici answers
 * "Failed to parse body as FormData". This reader accepts both that and the usual
 * browser/curl shape. An unquoted file name runs to the end of its header line, so names
 * with spaces, `;` or Vietnamese letters (sent as raw UTF-8) come through whole.
 */

export interface UploadedFile {
  /** The form field the file arrived in (grammY uses a random id and refers to it as `attach://<id>`). */
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: Map<string, UploadedFile>;
}

export function boundaryOf(contentType: string): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

/** Parses a multipart body; throws an Error with a short reason when it is malformed. */
export function parseMultipart(body: Buffer, boundary: string): MultipartBody {
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  const between = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error("no multipart boundary in the body");
  pos += delimiter.length;
  for (;;) {
    if (body.subarray(pos, pos + 2).toString("latin1") === "--") break; // closing delimiter
    if (body[pos] === 13 && body[pos + 1] === 10) pos += 2;
    const headEnd = body.indexOf("\r\n\r\n", pos);
    if (headEnd < 0) throw new Error("multipart part without a header end");
    const next = body.indexOf(between, headEnd + 4);
    if (next < 0) throw new Error("multipart part without a closing boundary");
    const head = parseHeaders(body.subarray(pos, headEnd).toString("utf8"));
    const content = body.subarray(headEnd + 4, next);
    const disposition = parseDisposition(head.get("content-disposition") ?? "");
    if (disposition.name === undefined) throw new Error("multipart part without a name");
    if (disposition.filename === undefined) {
      fields[disposition.name] = content.toString("utf8");
    } else {
      files.set(disposition.name, {
        field: disposition.name,
        filename: disposition.filename,
        contentType: head.get("content-type") ?? "application/octet-stream",
        bytes: Buffer.from(content),
      });
    }
    pos = next + between.length;
  }
  return { fields, files };
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** `form-data; name="a"; filename="b.xlsx"`, `form-data;name="a";filename=b c.xlsx`, `filename*=UTF-8''…`. */
function parseDisposition(value: string): { name?: string; filename?: string } {
  const out: { name?: string; filename?: string } = {};
  let rest = value.replace(/^\s*form-data\s*/i, "");
  while (rest.startsWith(";")) {
    rest = rest.slice(1).trimStart();
    const eq = rest.indexOf("=");
    if (eq < 0) break;
    const key = rest.slice(0, eq).trim().toLowerCase();
    rest = rest.slice(eq + 1);
    let val: string;
    if (rest.startsWith('"')) {
      const end = rest.indexOf('"', 1);
      val = rest.slice(1, end < 0 ? undefined : end);
      rest = end < 0 ? "" : rest.slice(end + 1).trimStart();
    } else if (key === "filename") {
      // grammY: unquoted, always the last parameter; take the rest of the line.
      val = rest.trim();
      rest = "";
    } else {
      const semi = rest.indexOf(";");
      val = (semi < 0 ? rest : rest.slice(0, semi)).trim();
      rest = semi < 0 ? "" : rest.slice(semi);
    }
    if (key === "name") out.name = val;
    else if (key === "filename") out.filename ??= val;
    else if (key === "filename*") out.filename = decodeURIComponent(val.replace(/^[^']*'[^']*'/, ""));
  }
  return out;
}
