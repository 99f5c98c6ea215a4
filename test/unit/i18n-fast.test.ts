/**
 * The translator's fast path gives i18next's own result for every text of both catalogues:
 * plain placeholders, contexts, formats, plurals, missing values, the Vietnamese fallback.
 */
import { describe, expect, it } from "vitest";
import { createTranslator, loadCatalogues } from "../../src/infra/i18n.js";
import type { Locale } from "../../src/core/model.js";

const fast = createTranslator("vi");
const slow = createTranslator("vi", undefined, { fast: false });

function leaves(node: unknown, prefix = ""): [string, string][] {
  if (typeof node === "string") return [[prefix, node]];
  if (node === null || typeof node !== "object") return [];
  return Object.entries(node).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
}

const catalogues = loadCatalogues();
const keys = [...new Set(Object.values(catalogues).flatMap((c) => leaves(c.bot).map(([k]) => k)))];

/** Values for every placeholder a text names: texts, numbers, a name with HTML characters. */
function paramsFor(template: string, variant: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of template.matchAll(/\{\{\s*-?\s*(\w+)[^}]*\}\}/g)) {
    const name = m[1]!;
    out[name] = variant === 0 ? `Nguyễn <b>Văn</b> & ${name}` : variant === 1 ? 1234567 : variant === 2 ? true : 0;
  }
  return out;
}

describe("the translator's fast path", () => {
  it("gives i18next's result for every text of both catalogues, with each kind of value", () => {
    let compared = 0;
    for (const locale of ["vi", "en"] as Locale[]) {
      for (const key of keys) {
        const template = leaves(catalogues[locale]?.bot).find(([k]) => k === key)?.[1] ?? leaves(catalogues.vi!.bot).find(([k]) => k === key)?.[1] ?? "";
        for (let variant = 0; variant < 4; variant++) {
          const params = paramsFor(template, variant);
          expect(fast.translate(locale, key, params), `${locale} ${key} #${variant}`).toBe(slow.translate(locale, key, params));
          compared++;
        }
        // A value left out, and no values at all.
        const some = paramsFor(template, 0);
        delete some[Object.keys(some)[0] ?? ""];
        expect(fast.translate(locale, key, some)).toBe(slow.translate(locale, key, some));
        expect(fast.translate(locale, key)).toBe(slow.translate(locale, key));
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it("follows contexts and counts as i18next does", () => {
    for (const locale of ["vi", "en"] as Locale[]) {
      for (const key of keys.filter((k) => /_[a-z]+$/.test(k))) {
        const base = key.replace(/_[a-z]+$/, "");
        const context = key.slice(base.length + 1);
        const template = leaves(catalogues.vi!.bot).find(([k]) => k === key)?.[1] ?? "";
        for (const params of [{ ...paramsFor(template, 0), context }, { ...paramsFor(template, 1), context: "none_such" }, { ...paramsFor(template, 1), count: 1 }, { ...paramsFor(template, 1), count: 5 }]) {
          expect(fast.translate(locale, base, params), `${locale} ${base} ${JSON.stringify(params)}`).toBe(slow.translate(locale, base, params));
        }
      }
    }
  });

  it("answers an unknown key as i18next does", () => {
    expect(fast.translate("en", "no.such.key")).toBe(slow.translate("en", "no.such.key"));
  });
});
