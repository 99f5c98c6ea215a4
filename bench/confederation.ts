/**
 * The Confederation-size tree at work (issue 10): 1 TLĐ + 65 sector unions + 1,300
 * upper-grassroots unions + 123,000 grassroots unions, with the state of a movement in
 * progress, on a fresh database per backend. Measured, each warm and repeated:
 *
 * 1. /tiendo at the top: what the command runs in its transaction for an officer of TLĐ
 *    (the issuing union): the officer's roles, `progressOf`, the text and the chart's
 *    description. In this process, through the real store on the real database.
 * 2. CLI `progress --unit TLD`: the command's transaction in this process (as cli.ts runs
 *    it), and the CLI as its own process, spawn to exit, with the start-up of a CLI that
 *    opens no database (`src/cli/main.ts` without a command) measured apart.
 * 3. A scheduler minute when the phase-1 report reminders (3 days before the deadline) are
 *    due: `Scheduler.tick` at 08:00:30 that day, with a one-minute window so that only this
 *    minute's job runs; the outbox rows it wrote are counted, then deleted for the next run.
 *    The same the day after the deadline for the overdue lists (08:30:30: each parent with
 *    units not sent) and the phase summaries (09:00:30: every unit with units below).
 * 4. /xuat's spreadsheet (`exportReports` with the xlsx writer) of a sector union's subtree,
 *    by an officer of that union, in one transaction as the bot runs it.
 * 5. The year's documents of the same subtree, after the rest of the year is written
 *    (`YEAR_SQL`: phase-2 reports, figures and results, phase-2 nominations, some granted):
 *    the year report (.docx, `exportDocument` kind "report", no phase) and the spreadsheet,
 *    at the year's end, each timed with the memory of this process while it is made.
 *
 * The state is written in bulk SQL, but only rows the app itself writes (see `STATE_SQL`):
 * every unit has one officer (a person with a Telegram identity, an OFFICER role, consent
 * and a private chat); every unit above grassroots also has its officers' group. Of the
 * units below TLĐ: 45 % registered and accepted (forwarded up), 15 % registered and waiting,
 * 3 % returned, 7 % a draft, 30 % nothing; phase-1 reports: 15 % accepted, 25 % waiting,
 * 4 % returned, 56 % not sent; 5 % of grassroots units proposed a person for a Giấy khen,
 * 2 % registered a work for a plaque. The scenario's moment is 08:00:30 (Asia/Ho_Chi_Minh)
 * three days before the phase-1 report deadline of the current year's campaign.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { openDatabase, type Database } from "../src/infra/db/open.js";
import { createStore } from "../src/infra/store/index.js";
import { createTranslator } from "../src/infra/i18n.js";
import { xlsxWriter } from "../src/infra/spreadsheet.js";
import { docxWriter } from "../src/infra/docx.js";
import { exportDocument } from "../src/core/usecases/documents.js";
import v8 from "node:v8";
import vm from "node:vm";
import { Scheduler } from "../src/infra/scheduler.js";
import { seedReference } from "../src/seed/seed.js";
import { loadTemplate } from "../src/seed/load.js";
import { createFromTemplate } from "../src/core/usecases/campaigns.js";
import { progressOf, exportReports } from "../src/core/usecases/progress.js";
import { systemEnv, type Env } from "../src/core/usecases/env.js";
import { CONSENT_PURPOSE, NOTICE_VERSION } from "../src/core/usecases/people.js";
import { progressView } from "../src/core/bot/views.js";
import { progressChart } from "../src/core/charts.js";
import { POST_TIMES } from "../src/core/schedule.js";
import { addDays, instantOf, localDateOf, yearOf } from "../src/core/time.js";
import type { Campaign, Person, Role, Unit, UnitLevel } from "../src/core/model.js";
import type { NewUnitInBatch, Store, Tx } from "../src/core/ports.js";
import { percentile } from "./load.js";
import { REPO_ROOT } from "./server.js";
import { emptyDatabase, type Backend } from "./setup.js";

export const CONFED_SECTORS = 65;
export const CONFED_UPPERS = 1300;
const TZ = "Asia/Ho_Chi_Minh";
const TOP = "TLD";
/** The sector union whose subtree is exported (1 + 20 + ~1,890 units at full scale). */
const EXPORT_UNIT = "N0";
const CAMPAIGN_NUMBER = "01/KH-TLĐ";
/** The goals of issue 10. */
export interface SchedulerMinute {
  at: string;
  jobs: string[];
  runs: number;
  ms: { p50: number; max: number };
  firstMs: number;
  outboxRows: number;
  unitsNotSent: number;
  storeCalls: StoreCalls;
}

export const CONFED_GOALS = { tiendoP99Ms: 300, cliQueryP99Ms: 300, schedulerMs: 5000, exportMs: 10_000 } as const;

export interface Timing {
  runs: number;
  warmup: number;
  ms: { p50: number; p99: number; max: number };
  /** The first call on the freshly prepared database (before the warm-up). */
  firstMs: number;
}

type Failed = { failed: string };

/**
 * This process's memory while one document was made, in a run of its own before the timed
 * ones, after a full garbage collection (which would slow a timed run). Sampled with
 * `process.memoryUsage()` every `sampleMs` and once at the end: `peakRssMB` the largest
 * resident set seen, `rssGrowthMB` its rise over the run's start (what the process took
 * from the system for it), `heapGrowthMB` the rise of V8's used heap, `externalGrowthMB`
 * of the memory outside it (buffers). A synchronous stretch longer than `sampleMs` is seen
 * only at its ends. On PGlite the database runs in this process too, so its memory
 * counts; PostgreSQL's does not.
 */
export interface MemoryUse {
  sampleMs: number;
  samples: number;
  peakRssMB: number;
  rssGrowthMB: number;
  heapGrowthMB: number;
  externalGrowthMB: number;
}

export type DocumentTiming = Timing & { bytes: number; memory: MemoryUse; storeCalls: StoreCalls };

export interface YearDocuments {
  unit: string;
  units: number;
  /** The moment the documents are made: five days after the phase-2 report deadline, 09:00 local. */
  at: string;
  /** Writing the rest of the year (YEAR_SQL) and ANALYZE. */
  setupMs: number;
  state: { phase2Reports: Record<string, number>; phase2Nominations: number; granted: number };
  /** The year report (tổng kết), .docx. */
  report: DocumentTiming | Failed;
  /** The spreadsheet, now with both phases. */
  spreadsheet: DocumentTiming | Failed;
  /** `process.resourceUsage().maxRSS` at the end: the bench process's peak over its whole life, for scale. */
  processMaxRssMB: number;
}

export interface ConfedResult {
  units: { total: number; grassroots: number };
  setupMs: { tree: number; campaign: number; state: number; analyze: number };
  state: {
    officers: number;
    officerGroups: number;
    registrations: Record<string, number>;
    phase1Reports: Record<string, number>;
    nominations: number;
    works: number;
  };
  /** 1. /tiendo of an officer of TLĐ. `storeCalls`: Tx methods called by one run. */
  tiendo: (Timing & { unit: string; expected: number; textChars: number; storeCalls: StoreCalls }) | Failed;
  /** 2. CLI progress: the command's transaction here; the process spawn to exit; the start-up of a CLI without a database. */
  cliProgress:
    | {
        unit: string;
        inProcess: Timing;
        process: { runs: number; ms: { p50: number; max: number }; exitCode: number | null };
        startUp: { runs: number; ms: { p50: number; max: number } };
      }
    | Failed;
  /** 3. One scheduler minute with the phase-1 reminders due. */
  scheduler: SchedulerMinute | Failed;
  /** 3b. The day after the deadline: the overdue lists (08:30), then the phase summaries to every level (09:00). */
  overdue: SchedulerMinute | Failed;
  summary: SchedulerMinute | Failed;
  /** 4. /xuat spreadsheet of a sector union's subtree. */
  export: (Timing & { unit: string; units: number; bytes: number; storeCalls: StoreCalls }) | Failed;
  /** 5. The year's documents of the same subtree at the year's end, with a year of data. */
  yearDocuments: YearDocuments | Failed;
  goalsMs: typeof CONFED_GOALS;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function summary(times: number[]): { p50: number; p99: number; max: number } {
  const s = [...times].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p99: round(percentile(s, 99)), max: round(s.at(-1) ?? NaN) };
}

/** `warmup` untimed calls after a first timed one, then `runs` timed calls. */
async function timed<T>(runs: number, warmup: number, fn: () => Promise<T>): Promise<Timing & { last: T }> {
  let t = performance.now();
  let last = await fn();
  const firstMs = performance.now() - t;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    last = await fn();
    times.push(performance.now() - t);
  }
  return { runs, warmup, ms: summary(times), firstMs: round(firstMs), last };
}

/** A full garbage collection, so that a run's memory starts from what is live (V8's gc, reached without --expose-gc). */
let collect: (() => void) | null = null;
function fullGc(): void {
  if (!collect) {
    v8.setFlagsFromString("--expose-gc");
    collect = vm.runInNewContext("gc") as () => void;
  }
  collect();
}

const MB = 1024 * 1024;
const SAMPLE_MS = 10;

/** `fn` once after a full collection, with this process's memory sampled while it runs (see MemoryUse). */
async function withMemory<T>(fn: () => Promise<T>): Promise<{ value: T; memory: MemoryUse }> {
  fullGc();
  const start = process.memoryUsage();
  let peak = { rss: start.rss, heap: start.heapUsed, external: start.external };
  let samples = 0;
  const sample = () => {
    const m = process.memoryUsage();
    samples++;
    peak = { rss: Math.max(peak.rss, m.rss), heap: Math.max(peak.heap, m.heapUsed), external: Math.max(peak.external, m.external) };
  };
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const value = await fn();
    sample();
    return {
      value,
      memory: {
        sampleMs: SAMPLE_MS,
        samples,
        peakRssMB: round(peak.rss / MB),
        rssGrowthMB: round((peak.rss - start.rss) / MB),
        heapGrowthMB: round((peak.heap - start.heapUsed) / MB),
        externalGrowthMB: round((peak.external - start.external) / MB),
      },
    };
  } finally {
    clearInterval(timer);
  }
}

/** Store methods called by one run: how many times, and the wall time spent in them (ms). */
export type StoreCalls = Record<string, { calls: number; ms: number }>;

/** A Tx that counts the calls made on it and the time they take, by method. */
function counting(tx: Tx, calls: StoreCalls): Tx {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || typeof prop !== "string") return value;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          const c = (calls[prop] ??= { calls: 0, ms: 0 });
          c.calls++;
          c.ms = round(c.ms + performance.now() - t0);
        }
      };
    },
  });
}

/** The tree of `confederationCsv` (bench/unit-import.ts), same codes and names, as one bulk creation. */
function treeItems(grassroots: number): NewUnitInBatch[] {
  const items: NewUnitInBatch[] = [{ code: TOP, name: "Tổng Liên đoàn Lao động Việt Nam", level: "CONFEDERATION" as UnitLevel, parent: null, demo: false }];
  for (let s = 0; s < CONFED_SECTORS; s++) items.push({ code: `N${s}`, name: `Công đoàn ngành số ${s + 1}`, level: "SECTOR", parent: 0, demo: false });
  for (let u = 0; u < CONFED_UPPERS; u++) {
    items.push({ code: `N${u % CONFED_SECTORS}-T${u}`, name: `Công đoàn cấp trên cơ sở số ${u + 1}, khu vực ${(u % 63) + 1}`, level: "UPPER_GRASSROOTS", parent: 1 + (u % CONFED_SECTORS), demo: false });
  }
  for (let g = 0; g < grassroots; g++) {
    const u = g % CONFED_UPPERS;
    items.push({ code: `N${u % CONFED_SECTORS}-T${u}-C${g}`, name: `Công đoàn cơ sở Công ty số ${g + 1}`, level: "GRASSROOTS", parent: 1 + CONFED_SECTORS + u, demo: false });
  }
  return items;
}

/**
 * The movement's state, one set-based statement per table. Ids of the tables that refer to
 * each other are derived from the unit's id (offsets read first, sequences moved after), so
 * no statement needs another's output. Per unit, `hr` (registration) and `hp` (phase-1
 * report) are stable pseudo-random numbers 0–99 from its code.
 * Parameters: $1 campaign, $2 phase 1, $3 top unit, $4 area 1, $5 area 2, $6 registration
 * deadline (date), $7 phase-1 end (date), $8 figure keys, $9 Giấy khen form, $10 consent
 * purpose, $11 notice version, $12 the moment people joined (timestamp).
 * Offsets: {P} person, {R} registration, {T} theme, {G} target, {Q} report.
 */
const UNITS = `(SELECT u.*, pu."parentId" AS grand, (abs(hashtext(u.code || ':r')::bigint) % 100)::int AS hr, (abs(hashtext(u.code || ':p')::bigint) % 100)::int AS hp,
                       (abs(hashtext(u.code || ':n')::bigint) % 100)::int AS hn FROM "Unit" u LEFT JOIN "Unit" pu ON pu.id = u."parentId" WHERE u.id <> $3::int) s`;
const REG_SENT = `(CASE WHEN s.hr < 4 THEN $6::date + 3 + s.hr ELSE $6::date - 25 + s.hr % 20 END)::timestamp + interval '2 hours'`;
const REP_SENT = `($7::date - 6 + s.hp % 12)::timestamp + interval '3 hours'`;
const STATE_SQL: string[] = [
  // One officer per unit: person, Telegram identity, role, consent, private chat.
  `INSERT INTO "Person" ("id", "displayName", "sandbox", "createdAt") SELECT {P} + u.id, 'Cán bộ ' || u.name, false, $12::timestamp FROM "Unit" u`,
  `INSERT INTO "Identity" ("key", "platform", "personId", "createdAt") SELECT 'tg:' || (7000000000 + u.id), 'tg', {P} + u.id, $12::timestamp FROM "Unit" u`,
  `INSERT INTO "Role" ("personId", "unitId", "kind", "grantedAt") SELECT {P} + u.id, u.id, 'OFFICER', $12::timestamp FROM "Unit" u`,
  `INSERT INTO "Consent" ("personId", "purpose", "noticeVersion", "givenAt", "chatKey") SELECT {P} + u.id, $10::text, $11::text, $12::timestamp, 'tg:' || (7000000000 + u.id) FROM "Unit" u`,
  `INSERT INTO "Chat" ("key", "platform", "kind", "personId", "active", "createdAt") SELECT 'tg:' || (7000000000 + u.id), 'tg', 'PRIVATE', {P} + u.id, true, $12::timestamp FROM "Unit" u`,
  // Officers' groups of every unit above grassroots, linked by its officer.
  `INSERT INTO "Chat" ("key", "platform", "kind", "title", "unitId", "purpose", "linkedById", "linkedAt", "active", "createdAt")
   SELECT 'tg:-100' || (5000000000 + u.id), 'tg', 'GROUP', 'Cán bộ ' || u.name, u.id, 'OFFICERS', {P} + u.id, $12::timestamp, true, $12::timestamp FROM "Unit" u WHERE u.level <> 'GRASSROOTS'`,
  // Registrations: accepted and forwarded up (hr < 45), waiting at the level above (< 60), returned (< 63), draft (< 70).
  `INSERT INTO "ThemeRegistration" ("id", "unitId", "campaignId", "status", "submittedAt", "submittedById", "decidedAt", "returnReason", "late", "atUnitId", "createdAt", "updatedAt")
   SELECT {R} + s.id, s.id, $1::int,
          (CASE WHEN s.hr < 45 THEN 'APPROVED' WHEN s.hr < 60 THEN 'SUBMITTED' WHEN s.hr < 63 THEN 'RETURNED' ELSE 'DRAFT' END)::"SubmissionStatus",
          CASE WHEN s.hr < 63 THEN ${REG_SENT} END,
          CASE WHEN s.hr < 63 THEN {P} + s.id END,
          CASE WHEN s.hr < 45 OR s.hr >= 60 AND s.hr < 63 THEN ${REG_SENT} + interval '3 days' END,
          CASE WHEN s.hr >= 60 AND s.hr < 63 THEN 'Đề nghị bổ sung chỉ tiêu cụ thể cho nội dung thứ hai' END,
          s.hr < 4,
          CASE WHEN s.hr < 45 THEN s.grand WHEN s.hr < 60 THEN s."parentId" END,
          ${REG_SENT} - interval '2 days',
          ${REG_SENT} + CASE WHEN s.hr < 45 OR s.hr >= 60 AND s.hr < 63 THEN interval '3 days' ELSE interval '0' END
     FROM ${UNITS} WHERE s.hr < 70`,
  // Two complete themes per sent registration (one incomplete theme in a draft).
  `INSERT INTO "Theme" ("id", "registrationId", "contentAreaId", "title", "keyTask", "responsible", "createdAt")
   SELECT {T} + 2 * s.id + k, {R} + s.id, CASE k WHEN 0 THEN $4::int ELSE $5::int END,
          CASE k WHEN 0 THEN 'Phát huy sáng kiến cải tiến kỹ thuật, nâng cao năng suất lao động' ELSE 'Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh' END,
          CASE WHEN s.hr < 63 THEN 'Hoàn thành kế hoạch sản xuất kinh doanh năm' END,
          CASE WHEN s.hr < 63 THEN 'Ban Chấp hành công đoàn' END,
          ${REG_SENT} - interval '2 days'
     FROM ${UNITS} CROSS JOIN generate_series(0, 1) AS k WHERE s.hr < 63 OR s.hr < 70 AND k = 0`,
  `INSERT INTO "ThemeTarget" ("id", "themeId", "indicator", "measure", "planned", "createdAt")
   SELECT {G} + 2 * s.id + k, {T} + 2 * s.id + k, CASE k WHEN 0 THEN 'Sáng kiến được công nhận' ELSE 'Đoàn viên tham gia học tập' END,
          CASE k WHEN 0 THEN 'sáng kiến' ELSE 'người' END, CASE k WHEN 0 THEN 2 + s.hr % 8 ELSE 20 + s.hp END, ${REG_SENT} - interval '2 days'
     FROM ${UNITS} CROSS JOIN generate_series(0, 1) AS k WHERE s.hr < 63`,
  // Phase-1 reports: accepted and forwarded up (hp < 15), waiting (< 40), returned (< 44).
  `INSERT INTO "PhaseReport" ("id", "unitId", "phaseId", "status", "narrative", "late", "submittedAt", "submittedById", "decidedAt", "returnReason", "atUnitId", "createdAt", "updatedAt")
   SELECT {Q} + s.id, s.id, $2::int,
          (CASE WHEN s.hp < 15 THEN 'APPROVED' WHEN s.hp < 40 THEN 'SUBMITTED' ELSE 'RETURNED' END)::"SubmissionStatus",
          'Đợt 1 đơn vị đã tổ chức phát động thi đua đến toàn thể đoàn viên, người lao động; hoàn thành kế hoạch sản xuất 8 tháng, '
            || 'tổ chức các hoạt động chào mừng các ngày lễ lớn, Tháng Công nhân và Tháng hành động về an toàn, vệ sinh lao động.',
          false, ${REP_SENT}, {P} + s.id,
          CASE WHEN s.hp < 15 OR s.hp >= 40 THEN ${REP_SENT} + interval '1 day' END,
          CASE WHEN s.hp >= 40 THEN 'Đề nghị bổ sung số liệu giá trị làm lợi của sáng kiến' END,
          CASE WHEN s.hp < 15 THEN s.grand WHEN s.hp < 40 THEN s."parentId" END,
          ${REP_SENT}, ${REP_SENT} + CASE WHEN s.hp < 15 OR s.hp >= 40 THEN interval '1 day' ELSE interval '0' END
     FROM ${UNITS} WHERE s.hp < 44`,
  `INSERT INTO "ReportFigure" ("reportId", "key", "value")
   SELECT {Q} + s.id, f.key,
          CASE f.key WHEN 'participants' THEN 40 + abs(hashtext(s.code || f.key)::bigint) % 2000 WHEN 'initiative_value' THEN abs(hashtext(s.code || f.key)::bigint) % 500 * 1000000
                     WHEN 'savings' THEN abs(hashtext(s.code || f.key)::bigint) % 300 * 1000000 ELSE abs(hashtext(s.code || f.key)::bigint) % 12 END
     FROM ${UNITS} CROSS JOIN unnest($8::text[]) AS f(key) WHERE s.hp < 44`,
  // What each report says was reached on the targets of a registration sent before it.
  `INSERT INTO "TargetResult" ("reportId", "targetId", "value")
   SELECT {Q} + s.id, {G} + 2 * s.id + k, CASE k WHEN 0 THEN (2 + s.hr % 8) * (s.hp % 7) / 4.0 ELSE (20 + s.hp) * (s.hr % 9) / 6.0 END
     FROM ${UNITS} CROSS JOIN generate_series(0, 1) AS k WHERE s.hp < 44 AND s.hr < 63`,
  `INSERT INTO "Nomination" ("unitId", "campaignId", "phaseId", "nomineeKind", "nomineeName", "position", "achievement", "directWorker", "formId", "status", "submittedById", "submittedAt", "atUnitId", "createdAt", "updatedAt")
   SELECT s.id, $1::int, $2::int, 'PERSON', 'Nguyễn Văn ' || s.id, 'Công nhân vận hành, ' || s.name, 'Có 2 sáng kiến cải tiến kỹ thuật được công nhận, làm lợi 150 triệu đồng',
          s.hn < 3, $9::int, 'SUBMITTED', {P} + s.id, ${REP_SENT}, s."parentId", ${REP_SENT}, ${REP_SENT}
     FROM ${UNITS} WHERE s.level = 'GRASSROOTS' AND s.hn < 5`,
  `INSERT INTO "PlaqueWork" ("unitId", "campaignId", "name", "description", "occasionLevel", "status", "submittedById", "submittedAt", "atUnitId", "createdAt", "updatedAt")
   SELECT s.id, $1::int, 'Công trình cải tạo nhà xưởng ' || s.id, 'Cải tạo nhà xưởng, bảo đảm an toàn, vệ sinh lao động cho 300 người lao động', 'UPPER_GRASSROOTS', 'REGISTERED',
          {P} + s.id, ${REP_SENT}, s."parentId", ${REP_SENT}, ${REP_SENT}
     FROM ${UNITS} WHERE s.level = 'GRASSROOTS' AND s.hn >= 95 AND s.hn < 97`,
  // Each item's path: sent up by its unit; accepted and forwarded (or approved at the top), or returned, by the level above.
  `INSERT INTO "ReviewDecision" ("subjectType", "subjectId", "decision", "reviewerId", "reviewerUnitId", "toUnitId", "at")
   SELECT 'REGISTRATION'::"SubjectType", r.id, 'SUBMIT'::"Decision", r."submittedById", r."unitId", u."parentId", r."submittedAt" FROM "ThemeRegistration" r JOIN "Unit" u ON u.id = r."unitId" WHERE r.status <> 'DRAFT'
   UNION ALL
   SELECT 'REPORT'::"SubjectType", p.id, 'SUBMIT'::"Decision", p."submittedById", p."unitId", u."parentId", p."submittedAt" FROM "PhaseReport" p JOIN "Unit" u ON u.id = p."unitId"
   UNION ALL
   SELECT 'NOMINATION'::"SubjectType", n.id, 'SUBMIT'::"Decision", n."submittedById", n."unitId", n."atUnitId", n."submittedAt" FROM "Nomination" n
   UNION ALL
   SELECT 'WORK'::"SubjectType", w.id, 'SUBMIT'::"Decision", w."submittedById", w."unitId", w."atUnitId", w."submittedAt" FROM "PlaqueWork" w`,
  `INSERT INTO "ReviewDecision" ("subjectType", "subjectId", "decision", "reason", "reviewerId", "reviewerUnitId", "toUnitId", "at")
   SELECT 'REGISTRATION'::"SubjectType", r.id, (CASE WHEN r.status = 'RETURNED' THEN 'RETURN' WHEN r."atUnitId" IS NULL THEN 'APPROVE' ELSE 'FORWARD' END)::"Decision", r."returnReason",
          {P} + u."parentId", u."parentId", r."atUnitId", r."decidedAt"
     FROM "ThemeRegistration" r JOIN "Unit" u ON u.id = r."unitId" WHERE r.status IN ('APPROVED', 'RETURNED')
   UNION ALL
   SELECT 'REPORT'::"SubjectType", p.id, (CASE WHEN p.status = 'RETURNED' THEN 'RETURN' WHEN p."atUnitId" IS NULL THEN 'APPROVE' ELSE 'FORWARD' END)::"Decision", p."returnReason",
          {P} + u."parentId", u."parentId", p."atUnitId", p."decidedAt"
     FROM "PhaseReport" p JOIN "Unit" u ON u.id = p."unitId" WHERE p.status IN ('APPROVED', 'RETURNED')`,
  `INSERT INTO "AuditEvent" ("at", "actorId", "action", "entity", "entityId", "unitId", "data")
   SELECT r."submittedAt", r."submittedById", 'registration.submitted', 'registration', r.id::text, r."unitId", jsonb_build_object('themes', 2, 'late', r.late)
     FROM "ThemeRegistration" r WHERE r.status <> 'DRAFT'
   UNION ALL
   SELECT p."submittedAt", p."submittedById", 'report.submitted', 'report', p.id::text, p."unitId", jsonb_build_object('phase', 1, 'late', p.late) FROM "PhaseReport" p`,
];
/**
 * The rest of the year, written after measures 1–4 (which see the state of mid-year), in
 * the same way. Per unit, `hq` (phase-2 report) and `hm` (phase-2 nomination) are stable
 * pseudo-random numbers 0–99 from its code. Phase-2 reports: accepted and forwarded up
 * (hq < 55), waiting (< 75), returned (< 78), 22 % not sent; 8 % sent after the deadline;
 * each with the plan's figures and what was reached on every target of a registration sent.
 * 5 % of grassroots units proposed a person in phase 2 (hm < 5); 2 in 5 of them were
 * granted a Giấy khen by the level above, with a decision number. Each item has its path
 * and its audit row, as in STATE_SQL; phase 1 stays as it was at mid-year.
 * Parameters: $1 campaign, $2 phase 2, $3 top unit, $4 phase-2 end (date), $5 phase-2 report
 * deadline (date), $6 figure keys, $7 Giấy khen form. Offsets: {P} person.
 */
const YEAR_UNITS = `(SELECT u.*, (abs(hashtext(u.code || ':q')::bigint) % 100)::int AS hq, (abs(hashtext(u.code || ':m')::bigint) % 100)::int AS hm
                       FROM "Unit" u WHERE u.id <> $3::int) s`;
const REP2_SENT = `(CASE WHEN s.hq < 8 THEN $5::date + 1 + s.hq % 5 ELSE $4::date - 8 + s.hq % 14 END)::timestamp + interval '3 hours'`;
const YEAR_SQL: string[] = [
  `INSERT INTO "PhaseReport" ("unitId", "phaseId", "status", "narrative", "late", "submittedAt", "submittedById", "decidedAt", "returnReason", "atUnitId", "createdAt", "updatedAt")
   SELECT s.id, $2::int,
          (CASE WHEN s.hq < 55 THEN 'APPROVED' WHEN s.hq < 75 THEN 'SUBMITTED' ELSE 'RETURNED' END)::"SubmissionStatus",
          'Đợt 2 đơn vị đã hoàn thành vượt mức kế hoạch sản xuất kinh doanh năm; tổ chức các hoạt động chào mừng Đại hội Công đoàn các cấp, '
            || 'kỷ niệm Cách mạng tháng Tám và Quốc khánh 2/9; tiếp tục phát động thi đua lao động giỏi, lao động sáng tạo trong năm tới.',
          s.hq < 8, ${REP2_SENT}, {P} + s.id,
          CASE WHEN s.hq < 55 OR s.hq >= 75 THEN ${REP2_SENT} + interval '2 days' END,
          CASE WHEN s.hq >= 75 THEN 'Đề nghị bổ sung kết quả thực hiện chỉ tiêu đã đăng ký' END,
          CASE WHEN s.hq < 55 THEN (SELECT pu."parentId" FROM "Unit" pu WHERE pu.id = s."parentId") WHEN s.hq < 75 THEN s."parentId" END,
          ${REP2_SENT}, ${REP2_SENT} + CASE WHEN s.hq < 55 OR s.hq >= 75 THEN interval '2 days' ELSE interval '0' END
     FROM ${YEAR_UNITS} WHERE s.hq < 78`,
  `INSERT INTO "ReportFigure" ("reportId", "key", "value")
   SELECT p.id, f.key,
          CASE f.key WHEN 'participants' THEN 40 + abs(hashtext(u.code || f.key || ':2')::bigint) % 2000 WHEN 'initiative_value' THEN abs(hashtext(u.code || f.key || ':2')::bigint) % 500 * 1000000
                     WHEN 'savings' THEN abs(hashtext(u.code || f.key || ':2')::bigint) % 300 * 1000000 ELSE abs(hashtext(u.code || f.key || ':2')::bigint) % 12 END
     FROM "PhaseReport" p JOIN "Unit" u ON u.id = p."unitId" CROSS JOIN unnest($6::text[]) AS f(key) WHERE p."phaseId" = $2::int`,
  `INSERT INTO "TargetResult" ("reportId", "targetId", "value")
   SELECT p.id, tt.id, round(tt.planned * (60 + abs(hashtext(u.code || ':t' || tt.id)::bigint) % 70) / 100.0, 2)
     FROM "PhaseReport" p JOIN "Unit" u ON u.id = p."unitId"
     JOIN "ThemeRegistration" r ON r."unitId" = p."unitId" AND r."campaignId" = $1::int AND r.status <> 'DRAFT'
     JOIN "Theme" th ON th."registrationId" = r.id JOIN "ThemeTarget" tt ON tt."themeId" = th.id
    WHERE p."phaseId" = $2::int`,
  `INSERT INTO "Nomination" ("unitId", "campaignId", "phaseId", "nomineeKind", "nomineeName", "position", "achievement", "directWorker", "formId", "status", "submittedById", "submittedAt",
                            "decidedAt", "atUnitId", "grantedFormId", "grantedByUnitId", "decisionNumber", "decisionDate", "createdAt", "updatedAt")
   SELECT s.id, $1::int, $2::int, 'PERSON', 'Trần Thị ' || s.id, 'Tổ trưởng tổ sản xuất, ' || s.name, 'Hoàn thành vượt 15 % kế hoạch sản lượng năm; 1 sáng kiến được công nhận, làm lợi 80 triệu đồng',
          s.hm IN (0, 3), $7::int, (CASE WHEN s.hm < 2 THEN 'APPROVED' ELSE 'SUBMITTED' END)::"SubmissionStatus", {P} + s.id, ${REP2_SENT},
          CASE WHEN s.hm < 2 THEN ${REP2_SENT} + interval '6 days' END,
          CASE WHEN s.hm >= 2 THEN s."parentId" END,
          CASE WHEN s.hm < 2 THEN $7::int END,
          CASE WHEN s.hm < 2 THEN s."parentId" END,
          CASE WHEN s.hm < 2 THEN (s.id % 900 + 1) || '/QĐ-CĐ' END,
          CASE WHEN s.hm < 2 THEN ($5::date + 6) END,
          ${REP2_SENT}, ${REP2_SENT} + CASE WHEN s.hm < 2 THEN interval '6 days' ELSE interval '0' END
     FROM ${YEAR_UNITS} WHERE s.level = 'GRASSROOTS' AND s.hm < 5`,
  `INSERT INTO "ReviewDecision" ("subjectType", "subjectId", "decision", "reviewerId", "reviewerUnitId", "toUnitId", "at")
   SELECT 'REPORT'::"SubjectType", p.id, 'SUBMIT'::"Decision", p."submittedById", p."unitId", u."parentId", p."submittedAt"
     FROM "PhaseReport" p JOIN "Unit" u ON u.id = p."unitId" WHERE p."phaseId" = $2::int
   UNION ALL
   SELECT 'NOMINATION'::"SubjectType", n.id, 'SUBMIT'::"Decision", n."submittedById", n."unitId", u."parentId", n."submittedAt"
     FROM "Nomination" n JOIN "Unit" u ON u.id = n."unitId" WHERE n."phaseId" = $2::int`,
  `INSERT INTO "ReviewDecision" ("subjectType", "subjectId", "decision", "reason", "reviewerId", "reviewerUnitId", "toUnitId", "formId", "decisionNumber", "decisionDate", "at")
   SELECT 'REPORT'::"SubjectType", p.id, (CASE WHEN p.status = 'RETURNED' THEN 'RETURN' WHEN p."atUnitId" IS NULL THEN 'APPROVE' ELSE 'FORWARD' END)::"Decision", p."returnReason",
          {P} + u."parentId", u."parentId", p."atUnitId", NULL::int, NULL::text, NULL::date, p."decidedAt"
     FROM "PhaseReport" p JOIN "Unit" u ON u.id = p."unitId" WHERE p."phaseId" = $2::int AND p.status IN ('APPROVED', 'RETURNED')
   UNION ALL
   SELECT 'NOMINATION'::"SubjectType", n.id, 'GRANT'::"Decision", NULL, {P} + n."grantedByUnitId", n."grantedByUnitId", NULL, n."grantedFormId", n."decisionNumber", n."decisionDate", n."decidedAt"
     FROM "Nomination" n WHERE n."phaseId" = $2::int AND n."grantedFormId" IS NOT NULL`,
  `INSERT INTO "AuditEvent" ("at", "actorId", "action", "entity", "entityId", "unitId", "data")
   SELECT p."submittedAt", p."submittedById", 'report.submitted', 'report', p.id::text, p."unitId", jsonb_build_object('phase', 2, 'late', p.late) FROM "PhaseReport" p WHERE p."phaseId" = $2::int`,
];

/** Tables whose ids the statements above set themselves: their sequences move past them. */
const OWN_IDS = ["Person", "ThemeRegistration", "Theme", "ThemeTarget", "PhaseReport"] as const;

async function maxId(db: Database, table: string): Promise<number> {
  const [r] = await db.prisma.$queryRawUnsafe<{ m: number | null }[]>(`SELECT max("id")::int AS m FROM "${table}"`);
  return Number(r?.m ?? 0);
}

const num = (v: unknown) => Number(v ?? 0);

async function countBy(db: Database, sql: string): Promise<Record<string, number>> {
  const rows = await db.prisma.$queryRawUnsafe<{ k: string; n: bigint }[]>(sql);
  return Object.fromEntries(rows.map((r) => [r.k, num(r.n)]));
}

export interface World {
  campaign: Campaign;
  top: Unit;
  exportUnit: Unit;
  /** Where the ids written in bulk start (`{P}` person, …): unit u's officer is person P + u.id. */
  offsets: Record<string, number>;
  /** The scenario's moment: 08:00:30 local, three days before the phase-1 report deadline. */
  at: Date;
}

/** Reference data, the tree, the campaign and the movement's state on an empty database; `setupMs` gets the times. */
export async function prepareConfederation(db: Database, store: Store, grassroots: number, say: (l: string) => void, setupMs: ConfedResult["setupMs"]): Promise<World> {
  const translator = createTranslator("vi");
  const realNow = new Date();
  await seedReference({ store, translate: translator.translate, defaultLocale: "vi", timeZone: TZ, now: realNow });

  let t = performance.now();
  const items = treeItems(grassroots);
  await store.transaction((tx) => tx.createUnits(items), { timeoutMs: 15 * 60_000 });
  setupMs.tree = Math.round(performance.now() - t);
  say(`${items.length} units created in ${setupMs.tree} ms`);

  t = performance.now();
  const year = yearOf(localDateOf(realNow, TZ));
  const template = loadTemplate("64-kh-cdct")!;
  const top = (await store.getUnitByCode(TOP))!;
  const campaign = await store.transaction((tx) => createFromTemplate(systemEnv("seed", { tx, now: realNow, translate: translator.translate, defaultLocale: "vi", timeZone: TZ }), template, year, top, CAMPAIGN_NUMBER));
  setupMs.campaign = Math.round(performance.now() - t);

  t = performance.now();
  const phase1 = campaign.phases.find((p) => p.ordinal === 1)!;
  const forms = await store.commendationForms();
  const form = forms.find((f) => f.code === "giay_khen_ctcs") ?? forms[0]!;
  const [a1, a2] = campaign.areas;
  const joined = `${campaign.issuedOn} 02:00:00`;
  const offsets: Record<string, number> = {
    P: await maxId(db, "Person"),
    R: await maxId(db, "ThemeRegistration"),
    T: await maxId(db, "Theme"),
    G: await maxId(db, "ThemeTarget"),
    Q: await maxId(db, "PhaseReport"),
  };
  const params = [campaign.id, phase1.id, top.id, a1!.id, a2!.id, campaign.registrationDeadline, phase1.endsOn, campaign.figureKeys, form.id, CONSENT_PURPOSE, NOTICE_VERSION, joined];
  await runStatements(db, STATE_SQL, params, offsets);
  for (const table of OWN_IDS) await db.prisma.$executeRawUnsafe(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT max("id") FROM "${table}"))`);
  setupMs.state = Math.round(performance.now() - t);
  say(`state written in ${setupMs.state} ms`);

  // A database that has lived has its planner statistics; a bulk-loaded one needs them now.
  t = performance.now();
  await db.prisma.$executeRawUnsafe("ANALYZE");
  setupMs.analyze = Math.round(performance.now() - t);

  const at = new Date(instantOf(addDays(phase1.reportDeadline, -3), POST_TIMES.reminder, TZ).getTime() + 30_000);
  return { campaign, top, exportUnit: (await store.getUnitByCode(EXPORT_UNIT))!, offsets, at };
}

/** Run bulk statements: `{X}` replaced by `offsets.X`; of `params`, each gets those it names, renumbered. */
async function runStatements(db: Database, statements: string[], params: unknown[], offsets: Record<string, number>): Promise<void> {
  for (const sql of statements) {
    const text = sql.replace(/\{([A-Z])\}/g, (_, k: string) => String(offsets[k]));
    const used = [...new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
    const renumbered = text.replace(/\$(\d+)/g, (_, n: string) => `$${used.indexOf(Number(n)) + 1}`);
    await db.prisma.$executeRawUnsafe(renumbered, ...used.map((n) => params[n - 1]));
  }
}

/** The rest of the year (YEAR_SQL), then ANALYZE; returns the moment the year's documents are made. */
export async function writeYear(db: Database, store: Store, world: World): Promise<Date> {
  const { campaign, top, offsets } = world;
  const phase2 = campaign.phases.find((p) => p.ordinal === 2)!;
  const forms = await store.commendationForms();
  const form = forms.find((f) => f.code === "giay_khen_ctcs") ?? forms[0]!;
  await runStatements(db, YEAR_SQL, [campaign.id, phase2.id, top.id, phase2.endsOn, phase2.reportDeadline, campaign.figureKeys, form.id], offsets);
  await db.prisma.$executeRawUnsafe("ANALYZE");
  return instantOf(addDays(phase2.reportDeadline, 5), "09:00", TZ);
}

/** The env of a chat update by the officer of `unit` (every unit has one: person id = offset + unit id). */
async function officerOf(tx: Tx, unit: Unit): Promise<{ person: Person; roles: Role[] }> {
  const [row] = await tx.holdersOf(unit.id, "OFFICER");
  if (!row) throw new Error(`no officer at ${unit.code}`);
  return { person: row, roles: await tx.activeRoles(row.id) };
}

function personEnv(tx: Tx, person: Person, now: Date, translate: Env["translate"]): Env {
  let roles: Promise<Role[]> | null = null;
  return {
    tx,
    actor: { kind: "person", person },
    now,
    today: localDateOf(now, TZ),
    translate,
    defaultLocale: "vi",
    timeZone: TZ,
    // As the bot's context: loaded once per update.
    roles: () => (roles ??= tx.activeRoles(person.id)),
  };
}

/** Spawn `src/cli/main.ts` with `args`; resolves with the wall time spawn → exit. */
function runCliProcess(args: string[], env: Record<string, string>): Promise<{ ms: number; code: number | null; out: string; err: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !/^(DATABASE_URL|DATA_DIR|SANDBOX|DEMO_SEED)$/.test(k))) as Record<string, string>;
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: REPO_ROOT, env: { ...base, SANDBOX: "off", DEMO_SEED: "off", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ ms: performance.now() - t0, code, out, err }));
  });
}

async function spawnRuns(runs: number, args: string[], env: Record<string, string>): Promise<{ ms: { p50: number; max: number }; code: number | null; err: string }> {
  await runCliProcess(args, env); // untimed: tsx's transform cache, the page cache
  const times: number[] = [];
  let last = { code: null as number | null, err: "" };
  for (let i = 0; i < runs; i++) {
    const r = await runCliProcess(args, env);
    times.push(r.ms);
    last = r;
  }
  const s = summary(times);
  return { ms: { p50: s.p50, max: s.max }, code: last.code, err: last.err };
}

export interface ConfedOptions {
  backend: Backend;
  grassroots: number;
  /** Timed runs of /tiendo and of the CLI's transaction (after `warmup` untimed ones). */
  runs: number;
  warmup: number;
  schedulerRuns: number;
  exportRuns: number;
  processRuns: number;
  say: (line: string) => void;
  owing: <T>(cleanup: () => Promise<unknown>, body: () => Promise<T>) => Promise<T>;
}

async function attempt<T>(name: string, say: (l: string) => void, fn: () => Promise<T>): Promise<T | Failed> {
  try {
    return await fn();
  } catch (e) {
    say(`${name} failed: ${messageOf(e)}`);
    return { failed: messageOf(e) };
  }
}

export async function benchConfederation(o: ConfedOptions): Promise<ConfedResult> {
  const fresh = await emptyDatabase(o.backend);
  return o.owing(fresh.cleanup, async () => {
    const translator = createTranslator("vi");
    const t = translator.translate;
    const view = { t: (k: string, p?: Record<string, unknown>) => t("vi", k, p), locale: "vi" as const, deps: { timeZone: TZ } };
    const setupMs = { tree: 0, campaign: 0, state: 0, analyze: 0 };
    let db: Database | null = await openDatabase(fresh.config);
    const closeDb = async () => {
      const d = db;
      db = null;
      await d?.close();
    };
    const partial = await o.owing(closeDb, async () => {
      const store = createStore(db!);
      const world = await prepareConfederation(db!, store, o.grassroots, o.say, setupMs);
      const { campaign, top, exportUnit, at } = world;
      const state: ConfedResult["state"] = {
        officers: num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Role" WHERE kind = 'OFFICER'`))[0]?.n),
        officerGroups: num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Chat" WHERE purpose = 'OFFICERS'`))[0]?.n),
        registrations: await countBy(db!, `SELECT status::text AS k, count(*) AS n FROM "ThemeRegistration" GROUP BY 1 ORDER BY 1`),
        phase1Reports: await countBy(db!, `SELECT status::text AS k, count(*) AS n FROM "PhaseReport" GROUP BY 1 ORDER BY 1`),
        nominations: num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Nomination"`))[0]?.n),
        works: num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "PlaqueWork"`))[0]?.n),
      };
      o.say(`state ${JSON.stringify(state)}`);

      // 1. /tiendo at the top, as the command runs it in the update's transaction.
      const tiendo = await attempt("/tiendo", o.say, async () => {
        const { person } = await officerOf(store, top);
        let storeCalls: StoreCalls = {};
        const r = await timed(o.runs, o.warmup, () => {
          storeCalls = {};
          return store.transaction(async (raw) => {
            const tx = counting(raw, storeCalls);
            const env = personEnv(tx, person, at, t);
            const p = await progressOf(env, top, campaign);
            const chart = progressChart({ unit: top, campaign, progress: p, today: env.today, locale: "vi" }, view.t);
            return { text: progressView(view, top, campaign, p, env.today), chart, expected: p.expected };
          });
        });
        o.say(`/tiendo ${TOP}: p50 ${r.ms.p50} ms, p99 ${r.ms.p99} ms (first ${r.firstMs} ms), ${r.last.expected} units expected`);
        const { last, ...timing } = r;
        return { unit: TOP, ...timing, expected: last.expected, textChars: last.text.length, storeCalls };
      });

      // 2a. The CLI's transaction, as cli.ts runs it.
      const cliInProcess = await attempt("cli progress (in process)", o.say, async () => {
        const r = await timed(o.runs, o.warmup, () =>
          store.transaction(async (tx) => {
            const env = systemEnv("cli", { tx, now: new Date(), translate: t, defaultLocale: "vi", timeZone: TZ });
            const unit = (await tx.getUnitByCode(TOP))!;
            const c = (await tx.activeCampaignsIssuedBy(unit.path.split("/").filter(Boolean).map(Number)))[0]!;
            return progressView(view, unit, c, await progressOf(env, unit, c), env.today);
          }),
        );
        o.say(`cli progress ${TOP} in process: p50 ${r.ms.p50} ms, p99 ${r.ms.p99} ms (first ${r.firstMs} ms)`);
        const { last: _last, ...timing } = r;
        return timing;
      });

      // 3. Scheduler minutes: the phase-1 reminders 3 days before the deadline; the day after
      // it, the overdue lists (08:30) and the phase summaries (09:00) to every level.
      const minute = (what: string, when: Date) =>
        attempt(what, o.say, async () => {
          let storeCalls: StoreCalls = {};
          const counted: Store = { ...store, transaction: (fn, opts) => store.transaction((tx) => fn(counting(tx, storeCalls)), opts) };
          const sched = new Scheduler({ store: counted, clock: { now: () => when }, translate: t, defaultLocale: "vi", timeZone: TZ, log: silent, graceMs: 60_000 });
          const times: number[] = [];
          let first = 0;
          let jobs: string[] = [];
          let outboxRows = 0;
          for (let i = 0; i < 1 + o.schedulerRuns; i++) {
            storeCalls = {};
            const t0 = performance.now();
            const results = await sched.tick(when);
            const ms = performance.now() - t0;
            if (i === 0) first = ms;
            else times.push(ms);
            jobs = results.map((r) => `${r.key}${r.ran ? "" : " (not run)"}`);
            const keys = results.map((r) => r.key);
            if (!keys.length) throw new Error(`no job due at ${when.toISOString()}`);
            outboxRows = num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "OutboxMessage" WHERE "key" LIKE ANY($1::text[])`, keys.map((k) => `${k}:%`)))[0]?.n);
            o.say(`${what} run ${i}${i === 0 ? " (untimed)" : ""}: ${Math.round(ms)} ms, jobs ${jobs.join(", ")}, ${outboxRows} outbox rows`);
            // Undo it for the next run (untimed): the rows, the run's key, its audit row.
            await db!.prisma.$executeRawUnsafe(`DELETE FROM "OutboxMessage" WHERE "key" LIKE ANY($1::text[])`, keys.map((k) => `${k}:%`));
            await db!.prisma.$executeRawUnsafe(`DELETE FROM "ScheduledRun" WHERE "key" = ANY($1::text[])`, keys);
            await db!.prisma.$executeRawUnsafe(`DELETE FROM "AuditEvent" WHERE "action" = 'scheduled.run' AND "entityId" = ANY($1::text[])`, keys);
            await db!.prisma.$executeRawUnsafe(`VACUUM ANALYZE "OutboxMessage"`);
          }
          const phase1 = campaign.phases.find((p) => p.ordinal === 1)!;
          const unitsNotSent = (await store.unsubmitted(top, campaign, phase1.id)).length;
          const s = summary(times);
          return { at: when.toISOString(), jobs, runs: o.schedulerRuns, ms: { p50: s.p50, max: s.max }, firstMs: round(first), outboxRows, unitsNotSent, storeCalls };
        });
      const scheduler = await minute("scheduler", at);
      const dayAfter = addDays(campaign.phases.find((p) => p.ordinal === 1)!.reportDeadline, 1);
      const overdue = await minute("overdue minute", new Date(instantOf(dayAfter, POST_TIMES.overdue, TZ).getTime() + 30_000));
      const phaseSummary = await minute("summary minute", new Date(instantOf(dayAfter, POST_TIMES.summary, TZ).getTime() + 30_000));

      // 4. /xuat: the spreadsheet of a sector union's subtree, by its officer.
      const exported = await attempt("export", o.say, async () => {
        const { person } = await officerOf(store, exportUnit);
        const units = 1 + (await store.descendantsOf(exportUnit)).length;
        let storeCalls: StoreCalls = {};
        const r = await timed(o.exportRuns, 1, () => {
          storeCalls = {};
          return store.transaction((raw) => exportReports(personEnv(counting(raw, storeCalls), person, at, t), exportUnit, campaign, xlsxWriter(), "vi"));
        });
        o.say(`export ${EXPORT_UNIT} (${units} units): p50 ${r.ms.p50} ms, max ${r.ms.max} ms (first ${r.firstMs} ms), ${r.last.data.length} bytes`);
        const { last, ...timing } = r;
        return { unit: EXPORT_UNIT, units, ...timing, bytes: last.data.length, storeCalls };
      });

      // 5. The rest of the year, then the year's documents of the same subtree at its end.
      const yearDocuments = await attempt("year documents", o.say, async (): Promise<YearDocuments> => {
        const t0 = performance.now();
        const yearEnd = await writeYear(db!, store, world);
        const setupMs = Math.round(performance.now() - t0);
        const phase2 = campaign.phases.find((p) => p.ordinal === 2)!;
        const yearState = {
          phase2Reports: await countBy(db!, `SELECT status::text AS k, count(*) AS n FROM "PhaseReport" WHERE "phaseId" = ${phase2.id} GROUP BY 1 ORDER BY 1`),
          phase2Nominations: num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Nomination" WHERE "phaseId" = ${phase2.id}`))[0]?.n),
          granted: num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Nomination" WHERE "grantedFormId" IS NOT NULL`))[0]?.n),
        };
        o.say(`the rest of the year written in ${setupMs} ms: ${JSON.stringify(yearState)}`);
        const { person } = await officerOf(store, exportUnit);
        const units = 1 + (await store.descendantsOf(exportUnit)).length;
        const document = (name: string, make: (env: Env) => Promise<{ data: Uint8Array }>) =>
          attempt(name, o.say, async (): Promise<DocumentTiming> => {
            let storeCalls: StoreCalls = {};
            const run = () => {
              storeCalls = {};
              return store.transaction((raw) => make(personEnv(counting(raw, storeCalls), person, yearEnd, t)));
            };
            // Memory in a run of its own, before the timed ones: the full collection before it
            // slows the run that follows (2–3× here), and V8 keeps the pages runs grew into, so
            // the RSS rise is seen only in the first run that needs them.
            const { memory: m } = await withMemory(run);
            const r = await timed(o.exportRuns, 1, run);
            o.say(`${name} ${EXPORT_UNIT} (${units} units): p50 ${r.ms.p50} ms, max ${r.ms.max} ms (first ${r.firstMs} ms), ${r.last.data.length} bytes; peak RSS ${m.peakRssMB} MB (+${m.rssGrowthMB}), heap +${m.heapGrowthMB} MB, external +${m.externalGrowthMB} MB`);
            const { last, ...timing } = r;
            return { ...timing, bytes: last.data.length, memory: m, storeCalls };
          });
        const report = await document("year report", (env) => exportDocument(env, { unit: exportUnit, campaign, phase: null, kind: "report" }, { document: docxWriter(), spreadsheet: xlsxWriter() }, "vi"));
        const spreadsheet = await document("year spreadsheet", (env) => exportReports(env, exportUnit, campaign, xlsxWriter(), "vi"));
        return { unit: EXPORT_UNIT, units, at: yearEnd.toISOString(), setupMs, state: yearState, report, spreadsheet, processMaxRssMB: round(process.resourceUsage().maxRSS / 1024) };
      });

      const total = num((await db!.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "Unit"`))[0]?.n);
      return { units: { total, grassroots: o.grassroots }, state, tiendo, cliInProcess, scheduler, overdue, phaseSummary, exported, yearDocuments };
    });

    // 2b. The CLI as its own process (PGlite is single-process: the bench's connection is closed first).
    const cliProgress = await attempt("cli progress (process)", o.say, async () => {
      if ("failed" in partial.cliInProcess) throw new Error(partial.cliInProcess.failed);
      const proc = await spawnRuns(o.processRuns, ["progress", "--unit", TOP], fresh.env);
      if (proc.code !== 0) throw new Error(`progress exited ${proc.code}: ${proc.err.trim().split("\n")[0]}`);
      const startUp = await spawnRuns(o.processRuns, [], fresh.env);
      o.say(`cli progress ${TOP} as a process: p50 ${proc.ms.p50} ms (a CLI that opens no database: p50 ${startUp.ms.p50} ms)`);
      return { unit: TOP, inProcess: partial.cliInProcess, process: { runs: o.processRuns, ms: proc.ms, exitCode: proc.code }, startUp: { runs: o.processRuns, ms: startUp.ms } };
    });

    return {
      units: partial.units,
      setupMs,
      state: partial.state,
      tiendo: partial.tiendo,
      cliProgress,
      scheduler: partial.scheduler,
      overdue: partial.overdue,
      summary: partial.phaseSummary,
      export: partial.exported,
      yearDocuments: partial.yearDocuments,
      goalsMs: CONFED_GOALS,
    };
  });
}
