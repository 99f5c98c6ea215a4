/**
 * `npm run cli -- <command>`: administration from a shell (entry point: main.ts). Each command opens the same
 * database as the bot (migrating it if needed), runs one use case of the core in one
 * transaction as the "cli" actor, prints the outcome, and exits: 0 done, 1 refused, 2 usage.
 */
import { readFile, writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { ZaloClient } from "../adapters/zalo/client.js";
import { AppError } from "../core/errors.js";
import type { Campaign, Locale, RoleKind, Unit, UnitInviteKind } from "../core/model.js";
import type { Store, Tx } from "../core/ports.js";
import { addDays, formatDate, formatInstant, instantOf, parseUserDate } from "../core/time.js";
import { EARLY_NOTICE_DAYS, jobsBetween, type Job } from "../core/schedule.js";
import { commemorationTitle, deadlineText } from "../core/calendar.js";
import { itemsOf } from "../core/usecases/scheduled.js";
import { systemEnv, type Env } from "../core/usecases/env.js";
import { assertOpen, campaignsFor, closeCampaign, createFromTemplate, pendingDecisions, setDeadlines } from "../core/usecases/campaigns.js";
import { createInvite, findByCode, grantRole, revokeInvite, revokeRole } from "../core/usecases/invites.js";
import { exportReports, progressOf } from "../core/usecases/progress.js";
import { exportDocument } from "../core/usecases/documents.js";
import { docxWriter } from "../infra/docx.js";
import { xlsxWriter } from "../infra/spreadsheet.js";
import { closeUnit, importUnits, moveUnit, type ImportProblem } from "../core/usecases/units.js";
import { setPassThrough } from "../core/usecases/review.js";
import { pendingList, progressView, type ViewCtx } from "../core/bot/views.js";
import { DataDirBusyError, openDatabase } from "../infra/db/open.js";
import { MigrationError } from "../infra/db/migrate.js";
import { createTranslator, type Translator } from "../infra/i18n.js";
import { createStore } from "../infra/store/index.js";
import { loadTemplate, TEMPLATE_FILES } from "../seed/load.js";
import { seedReference } from "../seed/seed.js";

class UsageError extends Error {}

interface Cli {
  store: Store;
  tr: Translator;
  locale: Locale;
  timeZone: string;
  out: (line: string) => void;
  /** A refusal or a warning, on standard error. */
  err: (line: string) => void;
  /** Translate a CLI text. */
  say: (key: string, params?: Record<string, unknown>) => string;
  env: (tx: Tx) => Env;
}

const ROLES: Record<string, RoleKind> = { officer: "OFFICER", member: "MEMBER", admin: "ADMIN" };
const KINDS: Record<string, UnitInviteKind> = { officer: "OFFICER", member: "MEMBER", "group-officers": "GROUP_OFFICERS", "group-members": "GROUP_MEMBERS" };

/** What the chat's views need to render for the CLI: its language and time zone. */
function cliView(cli: Cli): ViewCtx {
  return { t: (k, p) => cli.tr.translate(cli.locale, k, p), locale: cli.locale, deps: { timeZone: cli.timeZone } };
}

/**
 * A planned post in words, in the CLI's language: what it is and whose ("Nhắc hạn gửi báo
 * cáo kết quả Đợt 2 (hạn 10/01/2028) – Kế hoạch 15/KH-CĐCT năm 2027, Công đoàn Công Thương
 * Việt Nam"), never the job's key.
 */
async function plannedPost(cli: Cli, tx: Tx, job: Job, campaign: Campaign | null): Promise<string> {
  const view = cliView(cli);
  const whose = async () => {
    if (!campaign) return cli.say("plan.everywhere");
    const issuer = await tx.getUnit(campaign.issuingUnitId);
    return cli.say("plan.campaign", { campaign: view.t("campaign.label", { number: campaign.number, year: campaign.year }), unit: issuer?.name ?? "?" });
  };
  if (job.kind === "anniversary") {
    const title = commemorationTitle(job.commemoration, job.year, cli.locale, cli.tr.translate);
    return cli.say("plan.what", { what: cli.say(job.early ? "plan.kind.anniversary_early" : "plan.kind.anniversary", { title, days: EARLY_NOTICE_DAYS }), whose: await whose() });
  }
  if (!campaign) return cli.say("plan.what", { what: job.kind, whose: await whose() });
  const phase = job.phaseId !== null ? campaign.phases.find((p) => p.id === job.phaseId) : undefined;
  const item = phase ? view.t("scheduled.what_report", { ordinal: phase.ordinal }) : view.t("scheduled.what_registration", { year: campaign.year });
  const last = phase !== undefined && phase.ordinal === Math.max(...campaign.phases.map((p) => p.ordinal));
  const what =
    job.kind === "reminder"
      ? cli.say("plan.kind.reminder", { item, deadline: deadlineText(view.t, job.deadline, campaign), count: job.daysLeft })
      : job.kind === "overdue"
        ? cli.say("plan.kind.overdue", { item, deadline: deadlineText(view.t, job.deadline, campaign) })
        : last
          ? cli.say("plan.kind.final", { year: campaign.year })
          : cli.say("plan.kind.summary", { ordinal: phase?.ordinal ?? "" });
  return cli.say("plan.what", { what, whose: await whose() });
}

/** "Đợt 1: 10/09/2027, Đợt 2: 10/01/2028". */
function reportDeadlines(cli: Cli, c: Campaign): string {
  return c.phases.map((p) => cli.say("campaign.report_deadline", { ordinal: p.ordinal, date: formatDate(p.reportDeadline) })).join(", ");
}

/** Import problems name levels as stored (GRASSROOTS); the operator reads them in words. */
function problemParams(cli: Cli, p: ImportProblem): Record<string, unknown> | undefined {
  if (p.reason !== "level_order" && p.reason !== "level_differs") return p.params;
  return Object.fromEntries(Object.entries(p.params ?? {}).map(([k, v]) => [k, cli.say(`level.${v}`)]));
}

/** A whole Confederation (125,000 units) imports in one transaction: it may take minutes. */
const IMPORT_TIMEOUT_MS = 15 * 60_000;
/** A file full of mistakes is reported by its first ones (and how many more there are). */
const IMPORT_PROBLEMS_SHOWN = 50;

/** The gist of a failure in one line: drivers' messages run over several, the last says why. */
function oneLine(e: unknown): string {
  // Prisma over a driver adapter keeps the database's own words in meta.driverAdapterError.
  const driver = (e as { meta?: { driverAdapterError?: { cause?: { message?: unknown } } } } | null)?.meta?.driverAdapterError?.cause?.message;
  const text = typeof driver === "string" && driver ? driver : e instanceof Error ? e.message : String(e);
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  return (lines.at(-1) ?? "").slice(0, 300);
}

function need(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || !v) throw new UsageError(`--${name}`);
  return v;
}

async function campaignById(tx: Tx, id: string): Promise<Campaign> {
  const c = /^\d{1,9}$/.test(id) ? await tx.getCampaign(Number(id)) : null;
  if (!c) throw new AppError("campaign_not_found", { id });
  return c;
}

async function unitByCode(tx: Tx, code: string): Promise<Unit> {
  const u = await tx.getUnitByCode(code);
  if (!u) throw new AppError("unit_not_found", { code });
  return u;
}

const COMMANDS: Record<string, { usage: string; run(cli: Cli, args: string[]): Promise<number> }> = {
  "import-units": {
    usage: "import-units <file.csv> [--dry-run]",
    async run(cli, args) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { "dry-run": { type: "boolean" } } });
      if (!positionals[0]) throw new UsageError("<file.csv>");
      // Bytes, not text: a file that is not UTF-8 is refused, never read with U+FFFD in it.
      const csv = await readFile(positionals[0]);
      let result;
      try {
        result = await cli.store.transaction((tx) => importUnits(cli.env(tx), csv, { dryRun: values["dry-run"] }), { timeoutMs: IMPORT_TIMEOUT_MS });
      } catch (e) {
        if (e instanceof AppError) throw e;
        // The transaction was rolled back: say so in one line, without the driver's report.
        cli.out(cli.say("import.failed", { reason: oneLine(e) }));
        return 1;
      }
      if (result.problems.length) {
        for (const p of result.problems.slice(0, IMPORT_PROBLEMS_SHOWN)) {
          cli.out(cli.say("import.problem", { line: p.line, code: p.code || "-", message: cli.say(`import.why.${p.reason}`, problemParams(cli, p)) }));
        }
        if (result.problems.length > IMPORT_PROBLEMS_SHOWN) cli.out(cli.say("import.more", { count: result.problems.length - IMPORT_PROBLEMS_SHOWN, shown: IMPORT_PROBLEMS_SHOWN }));
        cli.out(cli.say("import.nothing", { count: result.problems.length }));
        return 1;
      }
      cli.out(cli.say(values["dry-run"] ? "import.dry_run" : "import.done", { ...result, context: result.updated ? "updated" : undefined }));
      return 0;
    },
  },
  units: {
    usage: "units [--under CODE]",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { under: { type: "string" } } });
      const all = await cli.store.allUnits();
      const root = values.under ? all.find((u) => u.code === values.under) : null;
      if (values.under && !root) throw new AppError("unit_not_found", { code: values.under });
      for (const u of all.filter((x) => !root || x.path.startsWith(root.path)).sort((a, b) => a.path.localeCompare(b.path))) {
        const line = cli.say("units.line", { code: u.code, name: u.name, level: cli.say(`level.${u.level}`), context: u.status === "CLOSED" ? "closed" : undefined });
        cli.out(`${"  ".repeat(u.depth - (root?.depth ?? 0))}${line}`);
      }
      return 0;
    },
  },
  "move-unit": {
    usage: "move-unit --unit CODE --parent CODE",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { unit: { type: "string" }, parent: { type: "string" } } });
      await cli.store.transaction(async (tx) => moveUnit(cli.env(tx), await unitByCode(tx, need(values, "unit")), await unitByCode(tx, need(values, "parent"))));
      cli.out(cli.say("unit.moved", { unit: values.unit, parent: values.parent }));
      return 0;
    },
  },
  "pass-through": {
    usage: "pass-through --unit CODE on|off",
    async run(cli, args) {
      const { values, positionals } = parseArgs({ args, options: { unit: { type: "string" } }, allowPositionals: true });
      const mode = positionals[0];
      if (mode !== "on" && mode !== "off") throw new UsageError("on|off");
      const moved = await cli.store.transaction(async (tx) => setPassThrough(cli.env(tx), await unitByCode(tx, need(values, "unit")), mode === "on"));
      cli.out(cli.say(mode === "on" ? "unit.pass_through_on" : "unit.pass_through_off", { unit: values.unit, count: moved }));
      return 0;
    },
  },
  "close-unit": {
    usage: "close-unit --unit CODE",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { unit: { type: "string" } } });
      await cli.store.transaction(async (tx) => closeUnit(cli.env(tx), await unitByCode(tx, need(values, "unit"))));
      cli.out(cli.say("unit.closed", { unit: values.unit }));
      return 0;
    },
  },
  grant: {
    usage: "grant --person tg:123456 --unit CODE --role officer|member|admin [--name \"Họ tên\"]",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { person: { type: "string" }, unit: { type: "string" }, role: { type: "string" }, name: { type: "string" } } });
      const key = need(values, "person");
      const role = ROLES[need(values, "role")];
      if (!role) throw new UsageError("--role officer|member|admin");
      const platform = /^(tg|zalo|web):[A-Za-z0-9._-]{1,64}$/.exec(key)?.[1];
      if (!platform) throw new UsageError("--person tg:<id> | zalo:<id>");
      const created = await cli.store.transaction(async (tx) => {
        const unit = await unitByCode(tx, need(values, "unit"));
        const person =
          (await tx.findPersonByIdentity(key)) ??
          (await tx.createPerson({ displayName: values.name ?? key, sandbox: platform === "web", locale: null, identityKey: key, platform }));
        if (person.sandbox !== unit.demo) throw new AppError("sandbox_boundary");
        return grantRole(cli.env(tx), person, unit, role as "OFFICER");
      });
      cli.out(cli.say(created ? "role.granted" : "role.already", { person: key, role: cli.say(`role.kind.${role}`), unit: values.unit }));
      return 0;
    },
  },
  revoke: {
    usage: "revoke --person tg:123456 --unit CODE --role officer|member|admin",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { person: { type: "string" }, unit: { type: "string" }, role: { type: "string" } } });
      const role = ROLES[need(values, "role")];
      if (!role) throw new UsageError("--role officer|member|admin");
      const revoked = await cli.store.transaction(async (tx) => {
        const unit = await unitByCode(tx, need(values, "unit"));
        const person = await tx.findPersonByIdentity(need(values, "person"));
        if (!person) throw new AppError("person_not_found");
        return revokeRole(cli.env(tx), person, unit, role as "OFFICER");
      });
      cli.out(cli.say(revoked ? "role.revoked" : "role.none", { person: values.person, role: cli.say(`role.kind.${role}`), unit: values.unit }));
      return revoked ? 0 : 1;
    },
  },
  invite: {
    usage: "invite --unit CODE --kind officer|member|group-officers|group-members [--days N] [--uses N]",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { unit: { type: "string" }, kind: { type: "string" }, days: { type: "string" }, uses: { type: "string" } } });
      const kind = KINDS[need(values, "kind")];
      if (!kind) throw new UsageError("--kind officer|member|group-officers|group-members");
      const days = values.days ? Number(values.days) : undefined;
      const uses = values.uses ? Number(values.uses) : undefined;
      if ((days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 365)) || (uses !== undefined && !(Number.isInteger(uses) && uses >= 1 && uses <= 100_000))) {
        throw new UsageError("--days 1–365, --uses 1–100000");
      }
      const inv = await cli.store.transaction(async (tx) => createInvite(cli.env(tx), await unitByCode(tx, need(values, "unit")), kind, { days, uses }));
      cli.out(cli.say(`invite.${inv.kind}`, { unit: inv.unit.name, code: inv.code, until: formatInstant(inv.expiresAt, cli.timeZone), uses: inv.maxUses }));
      return 0;
    },
  },
  invites: {
    usage: "invites --unit CODE",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { unit: { type: "string" } } });
      const { unit, live } = await cli.store.transaction(async (tx) => {
        const u = await unitByCode(tx, need(values, "unit"));
        return { unit: u, live: await tx.liveInvites({ unitId: u.id }, cli.env(tx).now) };
      });
      if (!live.length) cli.out(cli.say("invite.none_live", { unit: unit.code }));
      for (const i of live) {
        cli.out(cli.say("invite.line", { id: i.id, kind: cli.say(`invite.kind.${i.kind}`), uses: i.uses, max: i.maxUses, created: formatInstant(i.createdAt, cli.timeZone), until: formatInstant(i.expiresAt, cli.timeZone) }));
      }
      return 0;
    },
  },
  "revoke-invite": {
    usage: "revoke-invite --id N | --code XXXX-XXXX-XXXX",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { id: { type: "string" }, code: { type: "string" } } });
      if (!values.id === !values.code) throw new UsageError("--id N | --code XXXX-XXXX-XXXX");
      if (values.id && !/^\d{1,9}$/.test(values.id)) throw new UsageError("--id N");
      const revoked = await cli.store.transaction(async (tx) => {
        const invite = values.id ? await tx.getInvite(Number(values.id)) : await findByCode({ tx }, values.code!);
        if (!invite) throw new AppError("invite_not_found");
        return { id: invite.id, done: await revokeInvite(cli.env(tx), invite) };
      });
      cli.out(cli.say(revoked.done ? "invite.revoked" : "invite.revoked_already", { id: revoked.id }));
      return revoked.done ? 0 : 1;
    },
  },
  campaign: {
    usage:
      'campaign create --year YYYY --number "15/KH-CĐCT" [--template 64-kh-cdct] [--unit CODE] | campaign list | campaign deadlines --campaign ID --registration DATE [--phase N --report DATE]… | campaign close --campaign ID [--yes]',
    async run(cli, args) {
      const [sub, ...rest] = args;
      if (sub === "list") {
        for (const c of await cli.store.listCampaigns()) {
          const issuer = await cli.store.getUnit(c.issuingUnitId);
          cli.out(cli.say("campaign.line", { id: c.id, number: c.number, year: c.year, status: cli.say(`campaign.status.${c.status}`), unit: issuer?.code, title: c.title }));
        }
        return 0;
      }
      if (sub === "deadlines") {
        const { values } = parseArgs({ args: rest, options: { campaign: { type: "string" }, registration: { type: "string" }, phase: { type: "string", multiple: true }, report: { type: "string", multiple: true } } });
        const registration = parseUserDate(need(values, "registration"));
        if (!registration) throw new UsageError("--registration dd/mm/yyyy | YYYY-MM-DD");
        const phases = values.phase ?? [];
        const dates = values.report ?? [];
        if (phases.length !== dates.length) throw new UsageError("--phase N --report DATE");
        const reports: Record<number, string> = {};
        phases.forEach((n, i) => {
          const d = parseUserDate(dates[i]!);
          if (!/^\d{1,2}$/.test(n) || !d) throw new UsageError("--phase N --report dd/mm/yyyy | YYYY-MM-DD");
          reports[Number(n)] = d;
        });
        const c = await cli.store.transaction(async (tx) => setDeadlines(cli.env(tx), await campaignById(tx, need(values, "campaign")), { registration, reports }));
        cli.out(cli.say("campaign.deadlines", { number: c.number, year: c.year, registration: formatDate(c.registrationDeadline), reports: reportDeadlines(cli, c) }));
        return 0;
      }
      if (sub === "close") {
        const { values } = parseArgs({ args: rest, options: { campaign: { type: "string" }, yes: { type: "boolean" } } });
        // What still awaits a decision is told first: closed, it will never be decided. Closing anyway takes --yes.
        const r = await cli.store.transaction(async (tx) => {
          const env = cli.env(tx);
          const campaign = await campaignById(tx, need(values, "campaign"));
          assertOpen(campaign);
          const pending = await pendingDecisions(env, campaign);
          const count = Object.values(pending).reduce((a, n) => a + n, 0);
          if (count && !values.yes) return { closed: null, campaign, pending, count };
          return { closed: await closeCampaign(env, campaign), campaign, pending, count };
        });
        const list = pendingList(cliView(cli), r.pending);
        if (!r.closed) {
          cli.err(cli.say("campaign.close_pending", { number: r.campaign.number, year: r.campaign.year, count: r.count, list, id: r.campaign.id }));
          return 1;
        }
        cli.out(cli.say("campaign.closed", { number: r.closed.number, year: r.closed.year }));
        if (r.count) cli.out(cli.say("campaign.closed_undecided", { count: r.count, list }));
        return 0;
      }
      if (sub !== "create") throw new UsageError("create | list | deadlines | close");
      const { values } = parseArgs({ args: rest, options: { year: { type: "string" }, template: { type: "string" }, unit: { type: "string" }, number: { type: "string" } } });
      const year = Number(need(values, "year"));
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new UsageError("--year 2000–2100");
      const key = values.template ?? "64-kh-cdct";
      const template = loadTemplate(key);
      if (!template) throw new AppError("template_not_found", { key, known: Object.keys(TEMPLATE_FILES).join(", ") });
      // The template's number belongs to its own year: any other year needs its own.
      if (year !== template.year && !values.number?.trim()) throw new UsageError('--number "15/KH-CĐCT"');
      const c = await cli.store.transaction(async (tx) => createFromTemplate(cli.env(tx), template, year, await unitByCode(tx, values.unit ?? template.issuerCode), values.number));
      const phases = c.phases.map((p) => cli.tr.translate(cli.locale, "phase.label", { ordinal: p.ordinal, from: formatDate(p.startsOn), to: formatDate(p.endsOn) }));
      cli.out(cli.say("campaign.created", { id: c.id, number: c.number, year: c.year, phases: phases.join(", ") }));
      cli.out(cli.say("campaign.defaults", { id: c.id, registration: formatDate(c.registrationDeadline), reports: reportDeadlines(cli, c) }));
      return 0;
    },
  },
  announcements: {
    usage: "announcements --from DATE --to DATE [--campaign ID]",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { from: { type: "string" }, to: { type: "string" }, campaign: { type: "string" } } });
      const from = parseUserDate(need(values, "from"));
      const to = parseUserDate(need(values, "to"));
      if (!from || !to || to < from) throw new UsageError("--from/--to dd/mm/yyyy | YYYY-MM-DD");
      // Planned, not sent: what each job would write, computed and shown, nothing stored.
      const lines = await cli.store.transaction(async (tx) => {
        const env = cli.env(tx);
        const campaigns = (await tx.listCampaigns()).filter((c) => c.status === "ACTIVE" && (!values.campaign || String(c.id) === values.campaign));
        const commemorations = await tx.commemorations(campaigns.map((c) => c.id));
        const start = new Date(instantOf(from, "00:00", cli.timeZone).getTime() - 1);
        const end = instantOf(addDays(to, 1), "00:00", cli.timeZone);
        const jobs = jobsBetween(start, new Date(end.getTime() - 1), commemorations, values.campaign ? campaigns : campaigns, cli.timeZone).filter(
          (j) => !values.campaign || j.kind !== "anniversary" || j.commemoration.campaignId === null || String(j.commemoration.campaignId) === values.campaign,
        );
        const out: string[] = [];
        for (const job of jobs) {
          const campaign = "campaignId" in job ? (campaigns.find((c) => c.id === job.campaignId) ?? null) : null;
          const items = await itemsOf(env, job, campaign);
          // A campaign's own anniversary (a congress) is named with its campaign too.
          const whose = campaign ?? (job.kind === "anniversary" ? (campaigns.find((c) => c.id === job.commemoration.campaignId) ?? null) : null);
          out.push(cli.say("plan.line", { at: formatInstant(job.dueAt, cli.timeZone), what: await plannedPost(cli, tx, job, whose), count: items.length }));
          if (items[0]) out.push(`    ${items[0].text.split("\n")[0]}`);
        }
        return out;
      });
      cli.out(lines.length ? lines.join("\n") : cli.say("plan.none"));
      return 0;
    },
  },
  export: {
    usage: "export --unit CODE --year YYYY [--phase N] --kind report|rewards|sheet --out FILE [--number N] [--signer NAME] [--abbr CĐCT] [--place NAME]",
    async run(cli, args) {
      const { values } = parseArgs({
        args,
        options: { unit: { type: "string" }, year: { type: "string" }, phase: { type: "string" }, kind: { type: "string" }, out: { type: "string" }, number: { type: "string" }, signer: { type: "string" }, abbr: { type: "string" }, place: { type: "string" } },
      });
      const kind = need(values, "kind");
      if (kind !== "report" && kind !== "rewards" && kind !== "sheet") throw new UsageError("--kind report|rewards|sheet");
      const year = Number(need(values, "year"));
      if (!Number.isInteger(year)) throw new UsageError("--year YYYY");
      const out = need(values, "out");
      const file = await cli.store.transaction(async (tx) => {
        const env = cli.env(tx);
        const unit = await unitByCode(tx, need(values, "unit"));
        const above = unit.path.split("/").filter(Boolean).map(Number);
        const campaign = (await tx.listCampaigns()).find((c) => c.year === year && above.includes(c.issuingUnitId));
        if (!campaign) throw new AppError("no_campaign", { unit: unit.name });
        const phase = values.phase ? campaign.phases.find((p) => String(p.ordinal) === values.phase) : null;
        if (values.phase && !phase) throw new UsageError(`--phase ${campaign.phases.map((p) => p.ordinal).join("|")}`);
        if (kind === "sheet") return exportReports(env, unit, campaign, xlsxWriter(), cli.locale);
        const options = { number: values.number, signer: values.signer, abbreviation: values.abbr, place: values.place };
        const docKind = kind === "report" ? "report" : out.toLowerCase().endsWith(".xlsx") ? "rewards_sheet" : "rewards";
        return exportDocument(env, { unit, campaign, phase: phase ?? null, kind: docKind, options }, { document: docxWriter(), spreadsheet: xlsxWriter() }, cli.locale);
      });
      await writeFile(out, file.data);
      cli.out(cli.say("export.written", { path: out, bytes: file.data.length }));
      return 0;
    },
  },
  progress: {
    usage: "progress --unit CODE [--campaign ID]",
    async run(cli, args) {
      const { values } = parseArgs({ args, options: { unit: { type: "string" }, campaign: { type: "string" } } });
      const text = await cli.store.transaction(async (tx) => {
        const env = cli.env(tx);
        const unit = await unitByCode(tx, need(values, "unit"));
        const campaign = values.campaign ? await tx.getCampaign(Number(values.campaign)) : (await campaignsFor(env, unit, { below: true }))[0];
        if (!campaign) throw new AppError("no_campaign", { unit: unit.name });
        return progressView(cliView(cli), unit, campaign, await progressOf(env, unit, campaign), env.today);
      });
      cli.out(text);
      return 0;
    },
  },
};

function usage(say: (k: string) => string): string {
  return [say("usage"), ...Object.values(COMMANDS).map((c) => `  npm run cli -- ${c.usage}`), `  npm run cli -- ${ZALO_WEBHOOK_USAGE}`].join("\n");
}

const ZALO_WEBHOOK_USAGE = "zalo-webhook info|set|delete";

/**
 * Zalo's webhook is set by the operator, never implicitly by the bot: `set` points it at
 * PUBLIC_URL/webhooks/zalo with ZALO_WEBHOOK_SECRET; `delete` returns to polling.
 */
async function zaloWebhook(config: Config, action: string | undefined, say: (k: string, p?: Record<string, unknown>) => string, out: (l: string) => void, err: (l: string) => void): Promise<number> {
  if (!config.zalo) {
    err(say("zalo.no_token"));
    return 2;
  }
  const client = new ZaloClient({ token: config.zalo.token, apiRoot: config.zalo.apiRoot });
  try {
    if (action === "info") {
      const info = await client.call<{ url?: string }>("getWebhookInfo");
      out(info?.url ? say("zalo.info", { url: info.url }) : say("zalo.none"));
      return 0;
    }
    if (action === "set") {
      if (!config.publicUrl || !config.zalo.webhookSecret) {
        err(say("zalo.need_url"));
        return 2;
      }
      const url = `${config.publicUrl}/webhooks/zalo`;
      await client.call("setWebhook", { url, secret_token: config.zalo.webhookSecret });
      out(say("zalo.set", { url }));
      return 0;
    }
    if (action === "delete") {
      await client.call("deleteWebhook");
      out(say("zalo.deleted"));
      return 0;
    }
  } catch (e) {
    err(say("zalo.failed", { error: e instanceof Error ? e.message : String(e) }));
    return 1;
  }
  err(say("bad_usage", { what: action ?? "", usage: ZALO_WEBHOOK_USAGE }));
  return 2;
}

export async function runCli(argv: string[], envVars: Record<string, string | undefined> = process.env, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`), err: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<number> {
  let config;
  try {
    config = loadConfig({ ...envVars, SANDBOX: "off" });
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 2;
    }
    throw e;
  }
  const tr = createTranslator(config.defaultLocale);
  const locale = config.defaultLocale;
  const say = (key: string, params?: Record<string, unknown>) => tr.translate(locale, `cli:${key}`, params);
  const [name, ...args] = argv;
  if (name === "zalo-webhook") return zaloWebhook(config, args[0], say, out, err);
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    err(usage(say));
    return 2;
  }
  let db;
  try {
    db = await openDatabase(config.database);
  } catch (e) {
    if (e instanceof DataDirBusyError || e instanceof MigrationError) {
      err(e.message);
      return 1;
    }
    throw e;
  }
  try {
    const store = createStore(db);
    const now = new Date();
    await seedReference({ store, translate: tr.translate, defaultLocale: locale, timeZone: config.timeZone, now });
    const cli: Cli = {
      store,
      tr,
      locale,
      timeZone: config.timeZone,
      out,
      err,
      say,
      env: (tx) => systemEnv("cli", { tx, now, translate: tr.translate, defaultLocale: locale, timeZone: config.timeZone }),
    };
    return await command.run(cli, args);
  } catch (e) {
    if (e instanceof UsageError) {
      err(say("bad_usage", { what: e.message, usage: command.usage }));
      return 2;
    }
    if (e instanceof AppError) {
      err(tr.translate(locale, `errors.${e.code}`, e.params));
      return 1;
    }
    if ((e as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" || (e as { code?: string }).code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      err(say("bad_usage", { what: (e as Error).message, usage: command.usage }));
      return 2;
    }
    if ((e as NodeJS.ErrnoException).code === "ENOENT") {
      err(say("no_file", { path: (e as NodeJS.ErrnoException).path }));
      return 1;
    }
    throw e;
  } finally {
    await db.close();
  }
}
