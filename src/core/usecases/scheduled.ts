/**
 * Turning a due job into messages: who gets an anniversary post, which units are reminded,
 * whose officers see the overdue list and the phase summary. A job runs in one
 * transaction that first records its key: a second tick, a restart or another instance
 * finds it done and writes nothing.
 */
import { commemorationTitle, deadlineText } from "../calendar.js";
import { figureText } from "../format.js";
import type { Campaign, Chat, Locale, OutboxItem, Unit } from "../model.js";
import type { Job } from "../schedule.js";
import { formatDate } from "../time.js";
import type { Env } from "./env.js";
import { itemsFor } from "./notify.js";
import { awardPhrase, decisionText } from "./review.js";

/** Stands for the unit's name in a text worded once for many units (never in a translation or a name). */
const UNIT_SLOT = "\u0000unit\u0000";

/** Names listed in an overdue message before "… and N more". */
const MAX_NAMES = 20;

export interface JobResult {
  key: string;
  /** False when another tick or instance had already done it. */
  ran: boolean;
  messages: number;
}

export async function runJob(env: Env, job: Job, campaign: Campaign | null): Promise<JobResult> {
  if (!(await env.tx.claimScheduledRun(job.key, env.now))) return { key: job.key, ran: false, messages: 0 };
  const items = await itemsOf(env, job, campaign);
  const messages = items.length ? await env.tx.enqueue(items) : 0;
  await env.tx.finishScheduledRun(job.key, messages);
  await env.tx.audit(env.actor, { action: "scheduled.run", entity: "job", entityId: job.key, data: { messages } });
  return { key: job.key, ran: true, messages };
}

/** The messages a job would write, without writing them (the CLI shows plans with it). */
export async function itemsOf(env: Env, job: Job, campaign: Campaign | null): Promise<OutboxItem[]> {
  const t = (locale: Locale, key: string, params?: Record<string, unknown>) => env.translate(locale, key, params);
  if (job.kind === "anniversary") {
    const scope = job.commemoration.campaignId !== null && campaign ? await env.tx.getUnit(campaign.issuingUnitId) : null;
    const chats = await allLinkedChats(env, scope);
    return itemsFor(env, chats, {
      cause: job.key,
      kind: "anniversary",
      notice: "anniversary",
      dueAt: job.dueAt,
      render: (locale) =>
        t(locale, job.early ? "scheduled.anniversary_early" : "scheduled.anniversary", {
          date: formatDate(job.day),
          title: commemorationTitle(job.commemoration, job.year, locale, env.translate),
          days: 7,
          context: job.round ?? undefined,
        }),
    });
  }
  if (!campaign) return [];
  const issuer = (await env.tx.getUnit(campaign.issuingUnitId))!;
  const phase = job.phaseId !== null ? campaign.phases.find((p) => p.id === job.phaseId) : undefined;
  const what = (locale: Locale) => (phase ? t(locale, "scheduled.what_report", { ordinal: phase.ordinal }) : t(locale, "scheduled.what_registration", { year: campaign.year }));
  // A default deadline is named as one in reminders and the overdue list, as in /lich.
  const deadline = (locale: Locale) => ("deadline" in job ? deadlineText((key, params) => t(locale, key, params), job.deadline, campaign) : "");

  if (job.kind === "reminder") {
    const units = await env.tx.unsubmittedOfficerChats(issuer, campaign, job.phaseId);
    // Tens of thousands of units get the same words but their name: worded once per
    // language, the name put in after (a translation costs tens of µs; the names are plain text).
    const worded = new Map<Locale, string[]>();
    const text = (locale: Locale, name: string) => {
      let parts = worded.get(locale);
      if (!parts) {
        const params = { unit: UNIT_SLOT, count: job.daysLeft, deadline: deadline(locale), what: what(locale), command: t(locale, phase ? "scheduled.command_report" : "scheduled.command_themes") };
        worded.set(locale, (parts = t(locale, "scheduled.reminder", params).split(UNIT_SLOT)));
      }
      return parts.join(name);
    };
    return [...units].flatMap(([id, u]) =>
      itemsFor(env, u.chats, {
        cause: `${job.key}:${id}`,
        kind: "reminder",
        notice: "reminder",
        dueAt: job.dueAt,
        render: (locale) => text(locale, u.name),
      }),
    );
  }

  if (job.kind === "overdue") {
    const late = await env.tx.unsubmitted(issuer, campaign, job.phaseId);
    // By parent once: a Confederation has 125,000 units and 1,366 parents.
    const withBelow = await env.tx.unitsWithUnitsBelow(issuer);
    const byId = new Map(withBelow.map((p) => [p.unit.id, p.unit]));
    const childCount = new Map(withBelow.map((p) => [p.unit.id, p.children]));
    const parents = new Map<number, Unit[]>();
    for (const u of late) {
      if (u.parentId === null) continue;
      let list = parents.get(u.parentId);
      if (!list) parents.set(u.parentId, (list = []));
      list.push(u);
    }
    const chats = await env.tx.officerChatsOf([...parents.keys()]);
    return [...parents.entries()].flatMap(([parentId, missing]) => {
      const parent = byId.get(parentId);
      if (!parent) return [];
      const expected = childCount.get(parentId) ?? 0;
      return itemsFor(env, chats.get(parentId) ?? [], {
        cause: `${job.key}:${parentId}`,
        kind: "overdue",
        notice: "reminder",
        dueAt: job.dueAt,
        render: (locale) =>
          t(locale, "scheduled.overdue", {
            what: what(locale),
            deadline: deadline(locale),
            missing: missing.length,
            expected,
            unit: parent.name,
            list: names(missing.map((u) => u.name), locale, env),
          }),
      });
    });
  }

  // Phase summary: every unit with units below gets the figures of its subtree; after the
  // last phase it is the year's final review (tổng kết).
  if (phase && phase.ordinal === Math.max(...campaign.phases.map((p) => p.ordinal))) return finalReview(env, job, campaign, issuer);
  const parents = (await env.tx.unitsWithUnitsBelow(issuer)).map((p) => p.unit);
  const chats = await env.tx.officerChatsOf(parents.map((u) => u.id));
  const progress = await env.tx.progressMany(parents, issuer, campaign);
  const members = await env.tx.memberChatsOf(parents.map((u) => u.id));
  const commendedBelow = await env.tx.approvedNominationsBelow(issuer, { phaseId: job.phaseId! }, 5);
  const items: OutboxItem[] = [];
  for (const u of parents) {
    const p = progress.get(u.id)!;
    const r = p.reports.find((x) => x.phaseId === job.phaseId)!;
    const sent = (r.byStatus.SUBMITTED ?? 0) + (r.byStatus.APPROVED ?? 0);
    const commended = commendedBelow.get(u.id) ?? [];
    items.push(
      ...itemsFor(env, [...(chats.get(u.id) ?? []), ...(members.get(u.id) ?? [])], { cause: `${job.key}:${u.id}`, kind: "summary", notice: "summary", dueAt: job.dueAt, render: (locale) =>
        [
          t(locale, "scheduled.summary", { ordinal: phase!.ordinal, unit: u.name, sent, expected: p.expected, late: r.late }),
          ...figureLines(env, locale, campaign, r.totals),
          commended.length
            ? t(locale, "scheduled.commended", { list: commended.map((c) => `${c.name} (${c.unitName})`).join("; "), workers: commended.filter((c) => c.directWorker).length })
            : t(locale, "scheduled.commended_none"),
        ].join("\n"),
      }),
    );
  }
  return items;
}

/** Rewards and exemplars listed by name in the final review before "… and N more". */
const MAX_REWARDS = 10;

/**
 * Tổng kết: per level with units below, the year's figures over both phases, accepted
 * against sent reports per phase, the exemplars commended in the year, the rewards decided
 * ("được … tặng …", with the decision's number and date) and the proposals still waiting
 * for year-end rewards. Its officers are also told where the results go: to their own
 * upper unit (the issuing union's Ban Chính sách pháp luật, as the plan says, when that is
 * the upper unit); members read the review without that line.
 */
async function finalReview(env: Env, job: Job & { kind: "summary" }, campaign: Campaign, issuer: Unit): Promise<OutboxItem[]> {
  const t = (locale: Locale, key: string, params?: Record<string, unknown>) => env.translate(locale, key, params);
  const parents = (await env.tx.unitsWithUnitsBelow(issuer)).map((p) => p.unit);
  const chats = await env.tx.officerChatsOf(parents.map((u) => u.id));
  const forms = await env.tx.commendationForms();
  const progress = await env.tx.progressMany(parents, issuer, campaign);
  const memberChatsBy = await env.tx.memberChatsOf(parents.map((u) => u.id));
  const rewardsBelow = await env.tx.rewardsDecidedBelow(issuer, campaign.id, MAX_REWARDS + 1);
  const commendedBelow = await env.tx.approvedNominationsBelow(issuer, { campaignId: campaign.id }, MAX_REWARDS);
  const byId = new Map(parents.map((u) => [u.id, u]));
  const upperOf = async (u: Unit) => (u.parentId === null ? null : (byId.get(u.parentId) ?? (await env.tx.getUnit(u.parentId))));
  const items: OutboxItem[] = [];
  for (const u of parents) {
    const p = progress.get(u.id)!;
    if (!p.expected) continue;
    const totals: Record<string, bigint> = {};
    for (const r of p.reports) for (const [k, v] of Object.entries(r.totals)) totals[k] = (totals[k] ?? 0n) + v;
    const rewards = rewardsBelow.get(u.id) ?? [];
    const commended = commendedBelow.get(u.id) ?? [];
    const commendedCount = p.nominations.APPROVED ?? 0;
    const pending = p.nominations.SUBMITTED ?? 0;
    const upper = await upperOf(u);
    const review = (locale: Locale) => {
      const award = (id: number) => {
        const f = forms.find((x) => x.id === id);
        return f ? awardPhrase(env, locale, f) : "";
      };
      const list = rewards
        .slice(0, MAX_REWARDS)
        .map((r) => t(locale, "scheduled.final_reward", { name: r.name, unit: r.unitName, grantor: r.grantorName, award: award(r.formId), decision: decisionText(env, locale, r.decisionNumber, r.decisionDate) }));
      const exemplars = commended.map((c) => `${c.name} (${c.unitName})`).join("; ");
      const more = commendedCount > commended.length ? t(locale, "scheduled.final_commended_more", { count: commendedCount - commended.length }) : "";
      return [
        t(locale, "scheduled.final", { year: campaign.year, unit: u.name, campaign: t(locale, "campaign.label", { number: campaign.number, year: campaign.year }) }),
        ...p.reports.map((r) => {
          const ph = campaign.phases.find((x) => x.id === r.phaseId)!;
          return t(locale, "scheduled.final_reports", { ordinal: ph.ordinal, accepted: r.byStatus.APPROVED ?? 0, waiting: r.byStatus.SUBMITTED ?? 0, expected: p.expected, late: r.late });
        }),
        t(locale, "scheduled.final_totals"),
        ...figureLines(env, locale, campaign, totals),
        ...(p.targets.registered ? [t(locale, "progress.targets", p.targets)] : []),
        commended.length
          ? t(locale, "scheduled.final_commended", { count: commendedCount, workers: p.directWorkersApproved, list: `${exemplars}${more}` })
          : t(locale, "scheduled.final_commended_none"),
        rewards.length ? t(locale, "scheduled.final_rewards", { count: rewards.length > MAX_REWARDS ? `${MAX_REWARDS}+` : rewards.length, list: list.join("; ") }) : t(locale, "scheduled.final_rewards_none"),
        pending ? t(locale, "scheduled.final_pending", { count: pending, workers: p.directWorkersWaiting }) : t(locale, "scheduled.final_pending_none"),
      ].join("\n");
    };
    // Where the results go is work for the officers, and only where there is a level above to send them to.
    const sendUp = (locale: Locale) =>
      upper ? `\n${t(locale, "scheduled.final_send", { unit: upper.name, context: upper.id === issuer.id && issuer.level === "SECTOR" ? "cspl" : undefined })}` : "";
    const cause = `${job.key}:${u.id}`;
    const officers = chats.get(u.id) ?? [];
    const members = (memberChatsBy.get(u.id) ?? []).filter((c) => !officers.some((o) => o.key === c.key));
    items.push(
      ...itemsFor(env, officers, { cause, kind: "summary", notice: "summary", dueAt: job.dueAt, render: (locale) => `${review(locale)}${sendUp(locale)}` }),
      ...itemsFor(env, members, { cause, kind: "summary", notice: "summary", dueAt: job.dueAt, render: review }),
    );
  }
  return items;
}

/** "   – Lượt người tham gia: 1.250 lượt người", one line per figure of the plan. */
function figureLines(env: Env, locale: Locale, campaign: Campaign, totals: Record<string, bigint>): string[] {
  const t = (key: string, params?: Record<string, unknown>) => env.translate(locale, key, params);
  return campaign.figureKeys.map((k) => t("progress.total", figureText(t, locale, k, totals[k] ?? 0n)));
}

function names(list: string[], locale: Locale, env: Env): string {
  const shown = list.slice(0, MAX_NAMES).join(", ");
  return list.length > MAX_NAMES ? `${shown}${env.translate(locale, "scheduled.and_more", { count: list.length - MAX_NAMES })}` : shown;
}

/** Every linked group and every member's private chat (in `scope`'s subtree, or everywhere). */
async function allLinkedChats(env: Env, scope: Unit | null): Promise<Chat[]> {
  const members = await env.tx.memberChatsBelow(scope);
  const units = scope ? [scope, ...(await env.tx.descendantsOf(scope))] : await env.tx.allUnits();
  const officers = await env.tx.officerChatsOf(units.filter((u) => u.status === "ACTIVE").map((u) => u.id));
  // Officers' private chats are only a fallback for notices about their unit's work: not here.
  const groups = [...officers.values()].flat().filter((c) => c.kind === "group");
  return [...members, ...groups];
}
