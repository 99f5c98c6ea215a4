/**
 * The movement's calendar: commemorative days with their anniversary ordinal ("Kỷ niệm
 * 87 năm … (03/02/1930 – 03/02/2017)") and the dates campaigns add (deadlines, phase
 * ends, congresses). Pure functions over data; nothing here knows about storage.
 */
import type { Campaign, CampaignDate, Commemoration, Locale, LocalDate, Phase } from "./model.js";
import type { Translate } from "./ports.js";
import { addDays, formatDate, makeLocalDate, yearOf } from "./time.js";

export type Roundness = "ten" | "five" | null;

/** Multiples of 10 are "năm tròn", of 5 "năm chẵn": the big celebrations. */
export function roundness(ordinal: number | null): Roundness {
  if (!ordinal || ordinal <= 0) return null;
  if (ordinal % 10 === 0) return "ten";
  if (ordinal % 5 === 0) return "five";
  return null;
}

export interface Occurrence {
  date: LocalDate;
  source: "commemoration" | "campaign";
  key: string;
  ordinal: number | null;
  round: Roundness;
  title: string;
  campaignId: number | null;
}

/** The day `c` falls on in `year` (29/02 in a common year is not observed). */
export function dateIn(c: Pick<Commemoration, "month" | "day">, year: number): LocalDate | null {
  return makeLocalDate(year, c.month, c.day);
}

/** "Kỷ niệm 87 năm Ngày thành lập … (03/02/1930 – 03/02/2017)", or the observance's name for a month. */
export function commemorationTitle(c: Commemoration, year: number, locale: Locale, t: Translate): string {
  const name = locale === "vi" ? c.titleVi : c.titleEn;
  if (c.wholeMonth || c.baseYear === null) return t(locale, "calendar.observance", { name, year });
  const date = dateIn(c, year);
  const base = makeLocalDate(c.baseYear, c.month, c.day);
  return t(locale, "calendar.anniversary", {
    // i18next picks the ordinal form (English 1st/2nd/3rd/4th) from count.
    count: year - c.baseYear,
    ordinal: true,
    name,
    from: base ? formatDate(base) : String(c.baseYear),
    to: date ? formatDate(date) : String(year),
  });
}

/** What a campaign's generated dates are titled from: its year, whether its deadlines are still defaults, its phases. */
export type DatedCampaign = Pick<Campaign, "year" | "deadlinesDefault"> & { phases: Pick<Phase, "ordinal" | "endsOn" | "reportDeadline">[] };

/**
 * The title of a date a campaign generated (its registration deadline, a phase's end or
 * report deadline) in `locale`, from the campaign as it stands; any other date (a congress
 * typed in) keeps the title it was stored with.
 */
export function campaignDateTitle(d: Pick<CampaignDate, "kind" | "date" | "title">, campaign: DatedCampaign | undefined, locale: Locale, t: Translate): string {
  if (!campaign) return d.title;
  const context = campaign.deadlinesDefault ? "default" : undefined;
  if (d.kind === "REGISTRATION_DEADLINE") return t(locale, "campaign.dates.registration", { year: campaign.year, context });
  if (d.kind === "REPORT_DEADLINE") {
    const phase = campaign.phases.find((p) => p.reportDeadline === d.date);
    if (phase) return t(locale, "campaign.dates.report", { ordinal: phase.ordinal, context });
  }
  if (d.kind === "PHASE_END") {
    const phase = campaign.phases.find((p) => p.endsOn === d.date);
    if (phase) return t(locale, "campaign.dates.phase_end", { ordinal: phase.ordinal });
  }
  return d.title;
}

/** A translation bound to one language (a view's `ctx.t`). */
type Say = (key: string, params?: Record<string, unknown>) => string;

/**
 * A campaign's deadline as printed anywhere (progress, reminders, the report dialog): its
 * date, and while the issuing union has not set the deadlines, the words /kehoach and /lich
 * use for the bot's defaults, so a default is never taken for the plan's own date.
 */
export function deadlineText(t: Say, date: LocalDate, campaign: Pick<Campaign, "deadlinesDefault">): string {
  return campaign.deadlinesDefault ? t("campaign.deadline_default", { date: formatDate(date) }) : formatDate(date);
}

/** The context of a "late" text: late against a default deadline says so ("quá hạn đăng ký – hạn mặc định …"). */
export function lateContext(late: boolean, campaign: Pick<Campaign, "deadlinesDefault">): "late" | "late_default" | undefined {
  return late ? (campaign.deadlinesDefault ? "late_default" : "late") : undefined;
}

/** Everything on the calendar between `from` and `to` inclusive, in date order. */
export function occurrencesBetween(
  commemorations: Commemoration[],
  campaignDates: CampaignDate[],
  from: LocalDate,
  to: LocalDate,
  locale: Locale,
  t: Translate,
): Occurrence[] {
  const out: Occurrence[] = [];
  for (let year = yearOf(from); year <= yearOf(to); year++) {
    for (const c of commemorations) {
      const date = dateIn(c, year);
      if (!date || date < from || date > to) continue;
      if (c.baseYear !== null && year < c.baseYear) continue;
      const ordinal = c.baseYear !== null && !c.wholeMonth ? year - c.baseYear : null;
      out.push({
        date,
        source: "commemoration",
        key: c.key,
        ordinal,
        round: roundness(ordinal),
        title: commemorationTitle(c, year, locale, t),
        campaignId: c.campaignId,
      });
    }
  }
  for (const d of campaignDates) {
    if (d.date < from || d.date > to) continue;
    out.push({ date: d.date, source: "campaign", key: `${d.kind}:${d.date}`, ordinal: null, round: null, title: d.title, campaignId: d.campaignId });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.key.localeCompare(b.key));
}

/** Anniversaries of `keys` that fall in [from, to], as the titles a phase "celebrates". */
export function celebratedIn(commemorations: Commemoration[], keys: string[], from: LocalDate, to: LocalDate, locale: Locale, t: Translate): string[] {
  const wanted = commemorations.filter((c) => keys.includes(c.key));
  return occurrencesBetween(wanted, [], from, to, locale, t)
    .sort((a, b) => keys.indexOf(a.key) - keys.indexOf(b.key))
    .map((o) => o.title);
}

/** Upcoming window used by /lich. */
export function window(today: LocalDate, days: number): { from: LocalDate; to: LocalDate } {
  return { from: today, to: addDays(today, days) };
}
