/** Reads the seed files (JSON under src/seed/catalog) and validates them. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { calendarSchema, formsSchema, templateSchema, type CampaignTemplate } from "../core/templates.js";
import { fromRoot } from "../paths.js";

export const DATA_DIR = fromRoot("src/seed/catalog");

function read<T>(file: string, schema: z.ZodType<T>): T {
  return schema.parse(JSON.parse(readFileSync(path.join(DATA_DIR, file), "utf8")));
}

/** Templates known by key; the file name is the template's key. */
export const TEMPLATE_FILES: Record<string, string> = { "64-kh-cdct": "plan-64-kh-cdct.json" };

export function loadTemplate(key: string): CampaignTemplate | null {
  const file = TEMPLATE_FILES[key];
  return file ? read(file, templateSchema) : null;
}

export const loadCalendar = () => read("calendar.json", calendarSchema);
export const loadForms = () => read("commendation-forms.json", formsSchema);

const demoSchema = z.object({
  /** A made-up number for the demo world's plan: the real 64/KH-CĐCT belongs to 2017 only. */
  campaignNumber: z.string().min(1),
  units: z.array(z.object({ code: z.string(), name: z.string(), level: z.enum(["CONFEDERATION", "SECTOR", "UPPER_GRASSROOTS", "GRASSROOTS", "SECTION"]), parent: z.string().nullable() })),
  personas: z.array(z.object({ userId: z.string(), userName: z.string(), role: z.enum(["OFFICER", "MEMBER"]), unit: z.string() })),
  groups: z.array(z.object({ chatId: z.string(), unit: z.string(), purpose: z.enum(["OFFICERS", "MEMBERS"]), linked: z.boolean() })),
});
export type DemoData = z.infer<typeof demoSchema>;
export const loadDemo = () => read("demo.json", demoSchema);
