/**
 * Campaign templates: a plan document (e.g. 64/KH-CĐCT of 2017) as data, from which the
 * same campaign is created for any year. Dates are month-day; anniversaries are computed
 * for the target year, so the 2017 plan's "87 năm" becomes "96 năm" in 2026.
 */
import { z } from "zod";

const monthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "MM-DD");

export const templateSchema = z.object({
  key: z.string().regex(/^[a-z0-9-]+$/),
  number: z.string().min(1),
  year: z.number().int().min(1900).max(2200),
  issuerCode: z.string().min(1),
  issuedOn: monthDay,
  title: z.string().min(1),
  /** Title for other years; "{year}" is replaced. */
  titleForYear: z.string().includes("{year}"),
  goals: z.string().min(1),
  registrationDeadline: monthDay,
  figureKeys: z.array(z.string().regex(/^[a-z_]+$/)).min(1),
  areas: z.array(z.object({ title: z.string().min(1), summary: z.string().min(1) })).min(1),
  phases: z
    .array(
      z.object({
        start: monthDay,
        end: monthDay,
        /** Days after the phase ends by which its report is due. */
        reportDueDays: z.number().int().min(0).max(90),
        /** Commemoration keys the phase celebrates (their anniversaries are computed per year). */
        celebrates: z.array(z.string()),
        /** The plan's own wording, used for the template's year. */
        dedication: z.string().min(1),
      }),
    )
    .min(1),
});

export type CampaignTemplate = z.infer<typeof templateSchema>;

export const calendarSchema = z.array(
  z.object({
    key: z.string().regex(/^[a-z0-9_]+$/),
    month: z.number().int().min(1).max(12),
    day: z.number().int().min(1).max(31),
    baseYear: z.number().int().nullable(),
    wholeMonth: z.boolean().default(false),
    vi: z.string().min(1),
    en: z.string().min(1),
  }),
);

export const formsSchema = z.array(
  z.object({
    code: z.string().regex(/^[a-z0-9_]+$/),
    vi: z.string().min(1),
    en: z.string().min(1),
    grantorLevel: z.enum(["CONFEDERATION", "SECTOR", "UPPER_GRASSROOTS", "GRASSROOTS", "SECTION"]).nullable(),
    forPerson: z.boolean(),
    forCollective: z.boolean(),
  }),
);
