/**
 * Translations with i18next: one instance per process (not the global one), catalogues
 * read from locales/<lng>/<namespace>.json at start-up. Vietnamese is the fallback.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import i18next, { type i18n, type Resource } from "i18next";
import { formatNumber } from "../core/format.js";
import type { Locale } from "../core/model.js";
import type { Translate } from "../core/ports.js";
import { fromRoot } from "../paths.js";

export const LOCALES_DIR = fromRoot("locales");

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

/** `fast: false` leaves every text to i18next (the tests compare both ways). */
export function createTranslator(defaultLocale: Locale = "vi", dir = LOCALES_DIR, opts: { fast?: boolean } = {}): Translator {
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
  const viaI18next = (locale: Locale, key: string, params: Record<string, unknown> | undefined) => {
    let t = fixed.get(locale);
    if (!t) {
      t = instance.getFixedT(locale, "bot");
      fixed.set(locale, t);
    }
    return t(key, params) as string;
  };
  const fast = opts.fast === false ? () => undefined : fastTexts(resources);
  return {
    translate(locale, key, params) {
      return fast(locale, key, params as Record<string, unknown> | undefined) ?? viaI18next(locale, key, params as Record<string, unknown> | undefined);
    },
    catalogue: (locale, ns) => resources[locale]?.[ns] as Record<string, unknown> | undefined,
  };
}

type Compiled = (params: Record<string, unknown> | undefined) => string | undefined;

/**
 * The common case without i18next: a text of the bot namespace whose placeholders are plain
 * `{{name}}`, with no plural, no format and no nesting. i18next resolves each call through
 * its whole pipeline, about 35 µs, and /help alone makes some thirty calls (it was a sixth
 * of the bot's CPU under load). Anything else — a count, a format such as `{{max, number}}`,
 * `$t(…)`, a missing or non-text value, a context without its own text — returns undefined
 * and goes to i18next, so the results are i18next's (test/unit/i18n-fast.test.ts compares
 * every text of both catalogues).
 */
export function fastTexts(resources: Record<string, Record<string, unknown>>): (locale: Locale, key: string, params: Record<string, unknown> | undefined) => string | undefined {
  const compiled = new Map<string, Compiled | null>();
  const lookup = (locale: string, key: string): unknown => {
    let node: unknown = resources[locale]?.bot;
    for (const part of key.split(".")) node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
    return node;
  };
  const textOf = (locale: Locale, key: string): Compiled | null => {
    const id = `${locale}\u0000${key}`;
    let c = compiled.get(id);
    if (c === undefined) {
      // i18next falls back to Vietnamese for a text the locale lacks.
      const template = lookup(locale, key) ?? lookup("vi", key);
      c = typeof template === "string" && !key.includes(":") ? compile(template) : null;
      compiled.set(id, c);
    }
    return c;
  };
  return (locale, key, params) => {
    if (params?.count !== undefined) return undefined;
    const context = params?.context;
    if (context !== undefined) {
      if (typeof context !== "string" || context === "") return undefined;
      return textOf(locale, `${key}_${context}`)?.(params) ?? undefined;
    }
    return textOf(locale, key)?.(params) ?? undefined;
  };
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/;
const NAME = /^\s*([A-Za-z_]\w*)\s*$/;

function compile(template: string): Compiled | null {
  if (template.includes("$t(")) return null;
  const parts = template.split(new RegExp(PLACEHOLDER.source, "g"));
  const names: string[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const m = NAME.exec(parts[i]!);
    if (!m) return null;
    names.push(m[1]!);
  }
  if (!names.length) return () => template;
  return (params) => {
    let out = parts[0]!;
    for (let i = 0; i < names.length; i++) {
      const v = params?.[names[i]!];
      if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean" && typeof v !== "bigint") return undefined;
      out += String(v) + parts[2 * i + 2]!;
    }
    return out;
  };
}
