/**
 * Translations with i18next: one instance per process (not the global one), catalogues
 * read from locales/<lng>/<namespace>.json at start-up. Vietnamese is the fallback.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type i18n, type Resource } from "i18next";
import { formatNumber } from "../core/format.js";
import type { Locale } from "../core/model.js";
import type { Translate } from "../core/ports.js";

export const LOCALES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../locales");

export function loadCatalogues(dir = LOCALES_DIR): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const lng of readdirSync(dir)) {
    out[lng] = {};
    for (const file of readdirSync(path.join(dir, lng)).filter((f) => f.endsWith(".json"))) {
      out[lng]![file.replace(/\.json$/, "")] = JSON.parse(readFileSync(path.join(dir, lng, file), "utf8"));
    }
  }
  return out;
}

export interface Translator {
  translate: Translate;
  /** The raw catalogue of a namespace (the sandbox page renders its own strings). */
  catalogue(locale: Locale, ns: string): Record<string, unknown> | undefined;
}

export function createTranslator(defaultLocale: Locale = "vi", dir = LOCALES_DIR): Translator {
  const resources = loadCatalogues(dir);
  const instance: i18n = i18next.createInstance();
  void instance.init({
    resources: resources as Resource,
    lng: defaultLocale,
    fallbackLng: "vi",
    ns: ["bot"],
    defaultNS: "bot",
    initAsync: false,
    // Texts are sent as plain text: nothing to escape, and names must appear as typed.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  // "{{max, number}}" groups thousands as the rest of the bot does (1.000 / 1,000). The built-in
  // formatter hands every parameter to Intl.NumberFormat, which refuses a text's own {{unit}}.
  instance.services.formatter?.add("number", (value: unknown, lng) => (typeof value === "number" || typeof value === "bigint" ? formatNumber(value, lng === "en" ? "en" : "vi") : String(value)));
  const fixed = new Map<Locale, ReturnType<i18n["getFixedT"]>>();
  return {
    translate(locale, key, params) {
      let t = fixed.get(locale);
      if (!t) {
        t = instance.getFixedT(locale, "bot");
        fixed.set(locale, t);
      }
      return t(key, params as Record<string, unknown>) as string;
    },
    catalogue: (locale, ns) => resources[locale]?.[ns] as Record<string, unknown> | undefined,
  };
}
