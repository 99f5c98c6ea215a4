import { describe, it, expect } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../../locales", import.meta.url));
const PLURAL = /(_ordinal)?_(zero|one|two|few|many|other)$/;

/** Keys whose Vietnamese text is legitimately plain ASCII although the English differs. */
const ASCII_VI_ALLOWED = new Set([
  "bot:invite.how.OFFICER", // "/lienket {{code}}": command syntax
  "bot:invite.how.MEMBER",
  "bot:invite.how.GROUP_OFFICERS",
  "bot:invite.how.GROUP_MEMBERS",
  "bot:connect.how", // "/ketnoi {{code}}"
  "bot:scheduled.command_report", // "/baocao"
  "bot:scheduled.command_themes", // "/dangky"
  "bot:export.filename", // file names stay ASCII
  "bot:review.next_page", // "Trang sau" is correct Vietnamese without diacritics
  "bot:doc.col.no", // "STT" (số thứ tự) is how every Vietnamese table heads its order column
]);

function flatten(o: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flatten(v, key, out);
    else out[key] = v;
  }
  return out;
}

function catalogue(lng: string, file: string): Record<string, unknown> {
  return flatten(JSON.parse(readFileSync(path.join(DIR, lng, file), "utf8")));
}

const placeholders = (s: string) => new Set([...s.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]!.split(",")[0]!.trim()));
const base = (key: string) => key.replace(PLURAL, "");
const sorted = (xs: Iterable<string>) => [...xs].sort();

const files = readdirSync(path.join(DIR, "vi")).filter((f) => f.endsWith(".json")).sort();

describe("locale catalogues", () => {
  it("Vietnamese and English have the same catalogue files", () => {
    expect(files.length).toBeGreaterThan(0);
    expect(readdirSync(path.join(DIR, "en")).filter((f) => f.endsWith(".json")).sort()).toEqual(files);
  });

  describe.each(files)("%s", (file) => {
    const vi = catalogue("vi", file);
    const en = catalogue("en", file);
    const ns = file.replace(/\.json$/, "");

    it("every value is a non-empty string", () => {
      for (const [lng, cat] of [["vi", vi], ["en", en]] as const) {
        const bad = Object.entries(cat).filter(([, v]) => typeof v !== "string" || v.trim() === "").map(([k]) => `${lng}:${k}`);
        expect(bad).toEqual([]);
      }
    });

    it("has the same keys in both languages (plural and ordinal forms aside)", () => {
      const viKeys = new Set(Object.keys(vi).map(base));
      const enKeys = new Set(Object.keys(en).map(base));
      expect(sorted([...viKeys].filter((k) => !enKeys.has(k)))).toEqual([]);
      expect(sorted([...enKeys].filter((k) => !viKeys.has(k)))).toEqual([]);
    });

    it("Vietnamese texts carry their diacritics (not typed in plain ASCII)", () => {
      const suspicious: string[] = [];
      for (const [key, v] of Object.entries(vi)) {
        if (typeof v !== "string" || ASCII_VI_ALLOWED.has(`${ns}:${key}`)) continue;
        const words = v.replace(/\{\{[^}]*\}\}/g, "");
        if (!/[A-Za-z]/.test(words)) continue;
        const counterpart = en[key] ?? en[`${base(key)}_other`] ?? en[`${base(key)}_ordinal_other`];
        if (counterpart === v) continue; // brand names, "English", "Bot"…
        if (![...v].some((ch) => ch.charCodeAt(0) > 0x7f)) suspicious.push(`${key}: ${JSON.stringify(v)}`);
      }
      expect(suspicious).toEqual([]);
    });

    it("uses the same {{placeholders}} in both languages", () => {
      const union = (cat: Record<string, unknown>) => {
        const out = new Map<string, Set<string>>();
        for (const [key, v] of Object.entries(cat)) {
          if (typeof v !== "string") continue;
          const set = out.get(base(key)) ?? new Set<string>();
          for (const p of placeholders(v)) set.add(p);
          out.set(base(key), set);
        }
        return out;
      };
      const viP = union(vi);
      const enP = union(en);
      const mismatches: string[] = [];
      for (const key of new Set([...viP.keys(), ...enP.keys()])) {
        const a = sorted(viP.get(key) ?? []);
        const b = sorted(enP.get(key) ?? []);
        if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push(`${key}: vi {${a.join(",")}} en {${b.join(",")}}`);
      }
      expect(mismatches).toEqual([]);
    });
  });

  it("the English anniversary title has all the ordinal forms English needs", () => {
    const en = catalogue("en", "bot.json");
    for (const form of ["one", "two", "few", "other"]) expect(typeof en[`calendar.anniversary_ordinal_${form}`]).toBe("string");
  });
});
