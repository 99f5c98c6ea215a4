/**
 * parse_mode for the fake Telegram server: turns HTML, MarkdownV2 or legacy Markdown into
 * the plain text and entities Telegram stores, and refuses what Telegram refuses with its
 * "can't parse entities" errors — the usual way a bot breaks on a user's name containing
 * "<" or a date containing ".".
 *
 * Close to the Bot API, not byte-identical: error texts keep Telegram's wording and byte
 * offsets, entity offsets are UTF-16 like Telegram's; nesting rules, `tg-emoji`, date-time
 * entities and MarkdownV2 block quotes spanning lines are simplified.
 */
import type { MessageEntity } from "grammy/types";

export interface Formatted {
  text: string;
  entities: MessageEntity[];
}

/** Thrown with the Bot API description (without the "Bad Request: " prefix). */
export class FormatError extends Error {
  override readonly name = "FormatError";
}

export function parseFormatted(source: string, parseMode: string | undefined): Formatted {
  switch (parseMode) {
    case undefined:
    case "":
      return { text: source, entities: [] };
    case "HTML":
      return sorted(parseHtml(source));
    case "MarkdownV2":
      return sorted(parseMarkdown(source, true));
    case "Markdown":
      return sorted(parseMarkdown(source, false));
    default:
      throw new FormatError("unsupported parse_mode");
  }
}

function sorted(f: Formatted): Formatted {
  f.entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return f;
}

function byteOffset(source: string, index: number): number {
  return Buffer.byteLength(source.slice(0, index), "utf8");
}

function cantParse(reason: string): FormatError {
  return new FormatError(`can't parse entities: ${reason}`);
}

type Simple = MessageEntity.CommonMessageEntity["type"];
/** An entity before its place is known. */
type Placeless<E> = E extends MessageEntity ? Omit<E, "offset" | "length"> : never;
type Pending = Placeless<MessageEntity> | undefined;

// ---- HTML ------------------------------------------------------------------------------

const SIMPLE_TAGS: Record<string, Simple> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler", code: "code",
};

function attribute(attrs: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i").exec(attrs);
  return m ? decodeHtml(m[1] ?? m[2] ?? m[3] ?? "") : undefined;
}

function decodeHtml(s: string): string {
  return s.replace(/&(#\d+|#x[0-9a-f]+|lt|gt|amp|quot);/gi, (whole, code: string) => {
    const c = code.toLowerCase();
    if (c === "lt") return "<";
    if (c === "gt") return ">";
    if (c === "amp") return "&";
    if (c === "quot") return '"';
    const n = c.startsWith("#x") ? parseInt(c.slice(2), 16) : parseInt(c.slice(1), 10);
    return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : whole;
  });
}

/** The entity a start tag opens; undefined entity = a tag with no entity; null = unsupported. */
function htmlTag(name: string, attrs: string): { entity: Pending } | null {
  const simple = SIMPLE_TAGS[name];
  if (simple) return { entity: { type: simple } };
  switch (name) {
    case "span":
      return attribute(attrs, "class") === "tg-spoiler" ? { entity: { type: "spoiler" } } : null;
    case "a": {
      const href = attribute(attrs, "href");
      return { entity: href ? { type: "text_link", url: href } : undefined };
    }
    case "pre":
      return { entity: { type: "pre" } };
    case "blockquote":
      return { entity: { type: /(^|\s)expandable(\s|=|$)/i.test(attrs) ? "expandable_blockquote" : "blockquote" } };
    case "tg-emoji": {
      const id = attribute(attrs, "emoji-id");
      return id ? { entity: { type: "custom_emoji", custom_emoji_id: id } } : null;
    }
    default:
      return null;
  }
}

function parseHtml(source: string): Formatted {
  let text = "";
  const entities: MessageEntity[] = [];
  const open: { tag: string; start: number; entity: Pending; language?: string }[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "&") {
      const m = /^&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);/.exec(source.slice(i, i + 12));
      text += m ? decodeHtml(m[0]) : "&";
      i += m ? m[0].length : 1;
      continue;
    }
    if (c !== "<") {
      text += c;
      i++;
      continue;
    }
    const close = source.indexOf(">", i);
    if (close < 0) throw cantParse(`Unclosed start tag at byte offset ${byteOffset(source, i)}`);
    const inner = source.slice(i + 1, close);
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim().toLowerCase();
      const top = open.pop();
      if (!top) throw cantParse(`Unexpected end tag at byte offset ${byteOffset(source, i)}`);
      if (top.tag !== name) {
        throw cantParse(`Unmatched end tag at byte offset ${byteOffset(source, i)}, expected "</${top.tag}>", found "</${name}>"`);
      }
      if (top.entity && text.length > top.start) {
        const parent = open[open.length - 1];
        // <pre><code class="language-x">…</code></pre> is one pre entity with a language.
        if (top.tag === "code" && parent?.tag === "pre" && top.language !== undefined) parent.entity = { type: "pre", language: top.language };
        else entities.push({ ...top.entity, offset: top.start, length: text.length - top.start } as MessageEntity);
      }
    } else {
      const m = /^([a-zA-Z][\w-]*)([\s\S]*)$/.exec(inner);
      const name = (m?.[1] ?? "").toLowerCase();
      const tag = m ? htmlTag(name, m[2] ?? "") : null;
      if (!tag) throw cantParse(`Unsupported start tag "${name}" at byte offset ${byteOffset(source, i)}`);
      const cls = name === "code" ? attribute(m?.[2] ?? "", "class") : undefined;
      open.push({ tag: name, start: text.length, entity: tag.entity, language: cls?.startsWith("language-") ? cls.slice(9) : undefined });
    }
    i = close + 1;
  }
  const last = open.pop();
  if (last) throw cantParse(`Can't find end tag corresponding to start tag "${last.tag}"`);
  return { text, entities };
}

// ---- Markdown (legacy) and MarkdownV2 --------------------------------------------------

const RESERVED_V2 = "_*[]()~`>#+-=|{}.!";
const MARKERS_V2: [string, Simple, string][] = [
  ["||", "spoiler", "Spoiler"], ["__", "underline", "Underline"], ["*", "bold", "Bold"],
  ["_", "italic", "Italic"], ["~", "strikethrough", "Strikethrough"],
];
const MARKERS_V1: [string, Simple, string][] = [["*", "bold", "Bold"], ["_", "italic", "Italic"]];

function parseMarkdown(source: string, v2: boolean): Formatted {
  let text = "";
  const entities: MessageEntity[] = [];
  const open: { marker: string; start: number; at: number; entity: Pending; name: string }[] = [];
  const markers = v2 ? MARKERS_V2 : MARKERS_V1;
  const unclosed = (name: string, at: number) =>
    cantParse(v2 ? `Can't find end of ${name} entity at byte offset ${byteOffset(source, at)}` : `Can't find end of the entity starting at byte offset ${byteOffset(source, at)}`);
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\\" && (v2 || "_*`[".includes(source[i + 1] ?? " "))) {
      const next = source.codePointAt(i + 1);
      if (next === undefined) throw cantParse(`Character '\\' is reserved and must be escaped with the preceding '\\'`);
      text += String.fromCodePoint(next);
      i += next > 0xffff ? 3 : 2;
      continue;
    }
    if (c === "`") {
      const fence = source.startsWith("```", i);
      const end = findUnescaped(source, fence ? "```" : "`", i + (fence ? 3 : 1), v2);
      if (end < 0) throw unclosed(fence ? "Pre" : "Code", i);
      let body = source.slice(i + (fence ? 3 : 1), end);
      let language: string | undefined;
      if (fence) {
        const nl = body.indexOf("\n");
        if (nl > 0 && /^[\w+#-]+$/.test(body.slice(0, nl))) language = body.slice(0, nl);
        if (nl >= 0) body = body.slice(nl + 1);
      }
      if (v2) body = body.replace(/\\([`\\])/g, "$1");
      if (body.length > 0) {
        entities.push(fence ? { type: "pre", offset: text.length, length: body.length, ...(language ? { language } : {}) } : { type: "code", offset: text.length, length: body.length });
      }
      text += body;
      i = end + (fence ? 3 : 1);
      continue;
    }
    if (c === "[") {
      open.push({ marker: "[", start: text.length, at: i, entity: undefined, name: "TextUrl" });
      i++;
      continue;
    }
    if (c === "]" && open[open.length - 1]?.marker === "[") {
      const top = open.pop() as (typeof open)[number];
      if (source[i + 1] !== "(") throw v2 ? cantParse(`Character ']' is reserved and must be escaped with the preceding '\\'`) : unclosed("TextUrl", top.at);
      const end = findUnescaped(source, ")", i + 2, v2);
      if (end < 0) throw unclosed("TextUrl", top.at);
      const url = source.slice(i + 2, end).replace(/\\([)\\])/g, "$1");
      if (text.length > top.start) entities.push({ type: "text_link", url, offset: top.start, length: text.length - top.start });
      i = end + 1;
      continue;
    }
    const marker = markers.find(([m]) => source.startsWith(m, i));
    if (marker) {
      const [m, type, name] = marker;
      const top = open[open.length - 1];
      if (top?.marker === m) {
        open.pop();
        if (text.length > top.start) entities.push({ type, offset: top.start, length: text.length - top.start });
      } else {
        open.push({ marker: m, start: text.length, at: i, entity: { type }, name });
      }
      i += m.length;
      continue;
    }
    if (v2 && c === ">" && (i === 0 || source[i - 1] === "\n")) {
      const eol = source.indexOf("\n", i);
      const line = source.slice(i + 1, eol < 0 ? undefined : eol);
      const inner = parseMarkdown(line, true);
      entities.push({ type: "blockquote", offset: text.length, length: inner.text.length });
      for (const e of inner.entities) entities.push({ ...e, offset: e.offset + text.length });
      text += inner.text;
      i = eol < 0 ? source.length : eol;
      continue;
    }
    if (v2 && RESERVED_V2.includes(c)) throw cantParse(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
    text += c;
    i++;
  }
  const top = open.pop();
  if (top) throw unclosed(top.name, top.at);
  return { text, entities };
}

function findUnescaped(source: string, needle: string, from: number, v2: boolean): number {
  for (let i = from; i < source.length; i++) {
    if (v2 && source[i] === "\\") {
      i++;
      continue;
    }
    if (source.startsWith(needle, i)) return i;
  }
  return -1;
}
