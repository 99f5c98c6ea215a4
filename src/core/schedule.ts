/**
 * What the calendar makes due, as pure data: anniversary posts on the morning of the day
 * (and a week ahead for round anniversaries), deadline reminders 7, 3 and 1 days before,
 * the overdue list the day after, and the phase summary the day after a phase's report
 * deadline. Each job has a key that names the occurrence, so posting it twice is
 * impossible (the key is recorded with the messages, in one transaction).
 */
import { roundness, type Roundness } from "./calendar.js";
import type { Campaign, Commemoration, LocalDate } from "./model.js";
import { addDays, instantOf, localDateOf, makeLocalDate, yearOf } from "./time.js";

/** Local times of day the posts go out. */
export const POST_TIMES = { anniversary: "07:00", reminder: "08:00", overdue: "08:30", summary: "09:00" } as const;
export const REMINDER_DAYS = [7, 3, 1] as const;
/** A round anniversary is announced this many days ahead too. */
export const EARLY_NOTICE_DAYS = 7;

export type Job =
  | { kind: "anniversary"; key: string; dueAt: Date; day: LocalDate; commemoration: Commemoration; year: number; round: Roundness; early: boolean }
  | { kind: "reminder"; key: string; dueAt: Date; campaignId: number; phaseId: number | null; deadline: LocalDate; daysLeft: number }
  | { kind: "overdue"; key: string; dueAt: Date; campaignId: number; phaseId: number | null; deadline: LocalDate }
  | { kind: "summary"; key: string; dueAt: Date; campaignId: number; phaseId: number };

/** Every job due in (from, to], oldest first. */
export function jobsBetween(from: Date, to: Date, commemorations: Commemoration[], campaigns: Campaign[], timeZone: string): Job[] {
  const jobs: Job[] = [];
  const first = addDays(localDateOf(from, timeZone), -1);
  const last = localDateOf(to, timeZone);
  for (let day = first; day <= last; day = addDays(day, 1)) jobs.push(...jobsOn(day, commemorations, campaigns, timeZone));
  return jobs.filter((j) => j.dueAt > from && j.dueAt <= to).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.key.localeCompare(b.key));
}

function jobsOn(day: LocalDate, commemorations: Commemoration[], campaigns: Campaign[], tz: string): Job[] {
  const jobs: Job[] = [];
  const at = (time: string) => instantOf(day, time, tz);
  const year = yearOf(day);
  for (const c of commemorations) {
    if (c.wholeMonth) continue; // a month-long observance has no morning of its own
    for (const [date, early] of [[makeLocalDate(year, c.month, c.day), false], [makeLocalDate(yearOf(addDays(day, EARLY_NOTICE_DAYS)), c.month, c.day), true]] as const) {
      if (!date) continue;
      if (early ? addDays(date, -EARLY_NOTICE_DAYS) !== day : date !== day) continue;
      const y = yearOf(date);
      if (c.baseYear !== null && y <= c.baseYear) continue;
      const round = roundness(c.baseYear === null ? null : y - c.baseYear);
      if (early && !round) continue;
      const scope = c.campaignId === null ? "all" : `c${c.campaignId}`;
      jobs.push({ kind: "anniversary", key: `anniv${early ? "-early" : ""}:${scope}:${c.key}:${date}`, dueAt: at(POST_TIMES.anniversary), day: date, commemoration: c, year: y, round, early });
    }
  }
  for (const camp of campaigns) {
    const deadlines: { phaseId: number | null; tag: string; deadline: LocalDate }[] = [
      { phaseId: null, tag: "reg", deadline: camp.registrationDeadline },
      ...camp.phases.map((p) => ({ phaseId: p.id, tag: `p${p.ordinal}`, deadline: p.reportDeadline })),
    ];
    for (const d of deadlines) {
      for (const n of REMINDER_DAYS) {
        if (addDays(d.deadline, -n) === day) jobs.push({ kind: "reminder", key: `remind:${camp.id}:${d.tag}:${n}`, dueAt: at(POST_TIMES.reminder), campaignId: camp.id, phaseId: d.phaseId, deadline: d.deadline, daysLeft: n });
      }
      if (addDays(d.deadline, 1) === day) {
        jobs.push({ kind: "overdue", key: `overdue:${camp.id}:${d.tag}`, dueAt: at(POST_TIMES.overdue), campaignId: camp.id, phaseId: d.phaseId, deadline: d.deadline });
        if (d.phaseId !== null) jobs.push({ kind: "summary", key: `summary:${camp.id}:${d.tag}`, dueAt: at(POST_TIMES.summary), campaignId: camp.id, phaseId: d.phaseId });
      }
    }
  }
  return jobs;
}

/** An anniversary is only worth posting on its own day (or, for the early notice, before it). */
export function stillTimely(job: Job, now: Date, timeZone: string): boolean {
  if (job.kind !== "anniversary") return true;
  const today = localDateOf(now, timeZone);
  return job.early ? today < job.day : today === job.day;
}
