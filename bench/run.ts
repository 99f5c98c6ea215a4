/**
 * `npm run bench`: the bot under load, on PGlite and on PostgreSQL, through its doors:
 * the web sandbox (200 officers), then each platform adapter against its fake server on
 * loopback (500 officers in 500 private chats). For each run: prepare a fresh database,
 * start the server as its own process, measure idle RSS, warm up, run the officers
 * concurrently while sampling RSS, stop the server, drop the data. One JSON document on
 * stdout; progress on stderr.
 *
 * Env, sandbox: BENCH_STEPS (steps per officer, default 20), BENCH_OFFICERS (default 200),
 * BENCH_BACKENDS (e.g. "pglite" to run one backend only, "" for none), BENCH_MAX_LOAD_SECONDS
 * (no step starts later than this into a load, default 150).
 * Env, platforms: BENCH_PLATFORMS (default "telegram-polling,zalo-polling,telegram-webhook";
 * "" for none; "zalo-webhook" exists too), BENCH_PLATFORM_CHATS (default 500),
 * BENCH_PLATFORM_STEPS (default 10), BENCH_PLATFORM_BACKENDS (default "postgres", or
 * "pglite" without a PostgreSQL server),
 * BENCH_PLATFORM_MAX_LOAD_SECONDS (default 150).
 * Env, broadcast: BENCH_BROADCAST_RUNS (default "pglite,postgres,postgres-2"; "" for none),
 * BENCH_BROADCAST_GROUPS (default 10000), BENCH_BROADCAST_SCALE (time compression, default 2).
 * Env, Confederation-size tree: BENCH_CONFED_RUNS (default "pglite,postgres"; "" for none),
 * BENCH_CONFED_GRASSROOTS (default 123000), BENCH_CONFED_REPEAT (timed runs of /tiendo and of the
 * CLI's query, default 20), BENCH_CONFED_WARMUP (default 3), BENCH_CONFED_SCHEDULER_RUNS (default 3),
 * BENCH_CONFED_EXPORT_RUNS (the export's and each year document's, default 5), BENCH_CONFED_PROCESS_RUNS (CLI processes, default 5).
 * Env, start-up: BENCH_STARTUP_RUNS (default "pglite,postgres"; "" for none): first and second
 * start on an empty database, peak and idle RSS.
 * Env, all: BENCH_DATABASE_URL / TEST_DATABASE_URL (PostgreSQL server), BENCH_TRACE (a
 * file name, may contain "{run}": every measured step is written there as JSON lines),
 * BENCH_SERVER_ARGS (extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { loadTexts, percentile, runLoad, runOpenLoop, type Door, type LoadResult, type OpenLoopResult, type Script } from "./load.js";
import { BROADCAST_RUNS, benchBroadcast, type BroadcastResult, type BroadcastRun } from "./broadcast.js";
import { PLATFORMS, startPlatform, type FakeView, type Platform } from "./platform-load.js";
import { sandboxDoor } from "./sandbox-load.js";
import { benchUnitImport, type ImportResult } from "./unit-import.js";
import { benchQueryCost, type QueryCost } from "./query-cost.js";
import { benchStartup, STARTUP_GOALS, type StartupResult } from "./startup.js";
import { benchConfederation, CONFED_SECTORS, CONFED_UPPERS, type ConfedResult } from "./confederation.js";
import { HealthProbe, RssSampler, readCpuMs, readCpuMsOfCommands, readCpuSplitMs, readMachineCpuMs, startServer, type ServerProcess } from "./server.js";
import { adminUrl, postgresUnavailable, prepareDatabase, redactUrl, transactionsOf, type Backend, type PreparedDatabase } from "./setup.js";

/** The headline numbers of one run. */
interface Headline {
  steps: number;
  durationMs: number;
  stepsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  rssMB: { idle: number; peakUnderLoad: number };
  /** The server process's CPU (user + system, all threads) during the load ÷ steps answered. */
  cpuMsPerStep: number;
  errors: number;
  /** Help runs: the same server afterwards, /help offered at a fixed rate. */
  openLoop?: OpenLoopResult;
}

/** What helps read the headline numbers: where the time went. */
interface Diagnostics {
  setupMs: number;
  serverStartMs: number;
  /** GET /healthz (no database) during the load: how long a request waits for the event loop. */
  healthzMs: { p50: number; p99: number; max: number; samples: number };
  /** The server's CPU per step answered, in user mode and in the kernel (its system calls: socket writes above all). */
  serverCpuMsPerStep: { user: number; system: number };
  /**
   * PostgreSQL only: transactions the server ended per step answered. An update's own is
   * one; each statement of the inbox (storing updates, marking them handled) is one more.
   */
  postgresTransactionsPerStep: number;
  /**
   * CPU used during the load; 100 = one core busy. The bench client includes the fake
   * platform servers; postgres is the bench database's backends (0 on PGlite); others is
   * the rest of the machine: anything foreign that ran meanwhile.
   */
  cpuPercent: { server: number; benchClient: number; postgres: number; others: number };
  /** Per officer, first input → last reply: how evenly the server served them. */
  officerSpanMs: { min: number; max: number };
  errorReasons: Record<string, number>;
  stepsSkippedByDeadline: number;
  rssSamples: number;
}

interface SandboxDiagnostics extends Diagnostics {
  /** Part of a step until the POST's 202 (the message is stored; the bot has not answered). */
  acceptedMs: { p50: number; p99: number };
  streamReconnects: number;
}

interface PlatformDiagnostics extends Diagnostics {
  /** What the fake platform server saw during the load. */
  fake: FakeView;
}

type Outcome<R> = R | { skipped: string } | { failed: string };

const WARMUP_OFFICERS = 4;
/** One full loop of the dialog: /baocao, phase, 6 figures, narrative, redo. */
const WARMUP_STEPS = 10;
const REPLY_TIMEOUT_MS = 30_000;
const IDLE_QUIET_MS = 3000;
const DEFAULT_PLATFORMS: Platform[] = ["telegram-polling", "zalo-polling", "telegram-webhook"];
const PLATFORM_ENV = { SANDBOX: "off", DEMO_SEED: "off" };

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

/** A comma-separated list from the environment, each item one of `allowed`. */
function listEnv<T extends string>(name: string, fallback: readonly T[], allowed: readonly T[]): T[] {
  const raw = process.env[name];
  const items = (raw === undefined ? [...fallback] : raw.split(",").map((s) => s.trim()).filter(Boolean)) as T[];
  const bad = items.filter((i) => !allowed.includes(i));
  if (bad.length) throw new Error(`${name}: unknown ${bad.join(", ")} (known: ${allowed.join(", ")})`);
  return items;
}

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Cleanups still owed if the bench is interrupted (Ctrl-C). */
const pending = new Set<() => Promise<unknown>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    say(`${signal}: cleaning up`);
    void Promise.allSettled([...pending].map((f) => f())).then(() => process.exit(130));
  });
}

/** Run `body` with `cleanup` owed until it has run (also on Ctrl-C). */
async function owing<T>(cleanup: () => Promise<unknown>, body: () => Promise<T>): Promise<T> {
  pending.add(cleanup);
  try {
    return await body();
  } finally {
    await cleanup();
    pending.delete(cleanup);
  }
}

interface RunOptions {
  steps: number;
  maxLoadMs: number;
  script?: Script;
  /** After the closed loop, on the same server: /help offered at a fixed rate. */
  openLoop?: { perSecond: number; seconds: number };
  /** Just before the measured load starts (after the warm-up). */
  beforeLoad?(): void;
  /** Just after the measured load, before anything else is read. */
  afterLoad?(load: LoadResult): void;
}

/** One run: `door` into a server on a fresh `backend` database, warmed up, then under load. */
async function benchRun(label: string, backend: Backend, door: Door, opts: RunOptions): Promise<{ result: Headline; diagnostics: Diagnostics; load: LoadResult }> {
  const t0 = performance.now();
  say(`${label}: preparing the database (${door.seats.length - WARMUP_OFFICERS} officers)`);
  const db: PreparedDatabase = await prepareDatabase(backend, door.world, door.seats);
  const setupMs = performance.now() - t0;
  const dropDb = () => db.cleanup().catch((e: unknown) => say(`${label}: cleanup failed: ${messageOf(e)}`));
  try {
    return await owing(dropDb, async () => {
      say(`${label}: database ready in ${Math.round(setupMs)} ms; starting the server`);
      const started = performance.now();
      const nodeArgs = (process.env.BENCH_SERVER_ARGS ?? "").split(/\s+/).filter(Boolean);
      const srv = await startServer({ ...db.env, ...door.env }, { label: `server:${label}`, nodeArgs });
      const serverStartMs = performance.now() - started;
      say(`${label}: server pid ${srv.pid} ready at ${srv.url} in ${Math.round(serverStartMs)} ms`);
      return await owing(() => stopServer(label, srv), () => measure(label, srv, db, door, opts, { setupMs, serverStartMs }));
    });
  } finally {
    say(`${label}: done in ${Math.round((performance.now() - t0) / 1000)} s`);
  }
}

async function stopServer(label: string, srv: ServerProcess): Promise<void> {
  const t = performance.now();
  const r = await srv.stop(10_000);
  if (r.killed) say(`${label}: server did not stop within 10 s of SIGTERM, killed`);
  else if (r.code !== 0) say(`${label}: server exited with code ${r.code} signal ${r.signal}`);
  else say(`${label}: server stopped in ${Math.round(performance.now() - t)} ms`);
}

async function measure(label: string, srv: ServerProcess, db: PreparedDatabase, door: Door, opts: RunOptions, times: { setupMs: number; serverStartMs: number }) {
  await door.started?.(srv.url);
  await sleep(IDLE_QUIET_MS);
  const idle = srv.rssMB();
  if (idle === null) throw new Error("cannot read the server's RSS");

  const texts = loadTexts("vi");
  const chats = door.chats(srv.url);
  const base = { replyTimeoutMs: REPLY_TIMEOUT_MS, texts, settleMs: door.settleMs, script: opts.script };
  const warm = await runLoad({ ...base, chats: chats.warmup, stepsPerOfficer: WARMUP_STEPS });
  say(`${label}: warm-up ${warm.steps} steps, ${warm.errors} errors, ${Math.round(warm.durationMs)} ms`);
  if (warm.errors) say(`${label}: warm-up errors ${JSON.stringify(warm.errorReasons)}`);

  say(`${label}: load: ${chats.load.length} officers × ${opts.steps} steps`);
  const trace = process.env.BENCH_TRACE;
  opts.beforeLoad?.();
  const sampler = new RssSampler(srv.pid, 100);
  const health = new HealthProbe(srv.url, 500);
  sampler.start();
  health.start();
  const postgresCpu = () => (db.postgresName ? readCpuMsOfCommands(db.postgresName) : 0);
  // A backend publishes its counts at the latest 10 s after it last did (PGSTAT_IDLE_INTERVAL).
  const transactions0 = db.postgresName ? (await sleep(11_000), await transactionsOf(db.postgresName)) : NaN;
  const split0 = readCpuSplitMs(srv.pid);
  const cpu0 = { server: readCpuMs(srv.pid) ?? 0, client: process.cpuUsage(), postgres: postgresCpu(), machine: readMachineCpuMs() ?? NaN, at: performance.now() };
  const load = await runLoad({ ...base, chats: chats.load, stepsPerOfficer: opts.steps, deadlineMs: opts.maxLoadMs, trace: Boolean(trace) });
  opts.afterLoad?.(load);
  const wall = performance.now() - cpu0.at;
  const serverCpu = (readCpuMs(srv.pid) ?? 0) - cpu0.server;
  const split1 = readCpuSplitMs(srv.pid);
  const answered = Math.max(1, load.latencies.length);
  const clientCpu = process.cpuUsage(cpu0.client);
  const pgCpu = postgresCpu() - cpu0.postgres;
  const machineCpu = (readMachineCpuMs() ?? NaN) - cpu0.machine;
  const rss = sampler.stop();
  const healthz = ascending(await health.stop());

  if (trace && load.trace) {
    const file = trace.replace(/\{(run|backend)\}/g, label.replace(/\W+/g, "-"));
    await writeFile(file, load.trace.map((r) => JSON.stringify(r)).join("\n") + "\n");
    say(`${label}: step trace written to ${file}`);
  }
  if (load.errors) say(`${label}: errors ${JSON.stringify(load.errorReasons)}`);
  if (load.skipped) say(`${label}: ${load.skipped} steps not run: the load passed its deadline`);

  await sleep(db.postgresName ? 11_000 : 2000);
  const transactions = db.postgresName ? (await transactionsOf(db.postgresName)) - transactions0 : NaN;
  let openLoop: OpenLoopResult | undefined;
  if (opts.openLoop) {
    say(`${label}: open loop: /help at ${opts.openLoop.perSecond}/s for ${opts.openLoop.seconds} s`);
    openLoop = await runOpenLoop({ chats: chats.load, ...opts.openLoop, texts, replyTimeoutMs: REPLY_TIMEOUT_MS });
    say(`${label}: open loop: p50 ${openLoop.latencyMs.p50} ms, p99 ${openLoop.latencyMs.p99} ms, ${openLoop.errors} errors, send lag max ${openLoop.sendLagMs.max} ms`);
  }
  const result = { ...summarize(load, idle, rss.peakMB, serverCpu), ...(openLoop && { openLoop }) };
  const spans = ascending(load.officerSpans);
  const diagnostics: Diagnostics = {
    setupMs: Math.round(times.setupMs),
    serverStartMs: Math.round(times.serverStartMs),
    healthzMs: { p50: round(percentile(healthz, 50)), p99: round(percentile(healthz, 99)), max: round(healthz.at(-1) ?? NaN), samples: healthz.length },
    serverCpuMsPerStep: {
      user: split0 && split1 ? round((split1.user - split0.user) / answered, 2) : NaN,
      system: split0 && split1 ? round((split1.system - split0.system) / answered, 2) : NaN,
    },
    postgresTransactionsPerStep: round(transactions / answered, 2),
    cpuPercent: percentOf(wall, { server: serverCpu, benchClient: (clientCpu.user + clientCpu.system) / 1000, postgres: pgCpu, machine: machineCpu }),
    officerSpanMs: { min: Math.round(spans[0] ?? NaN), max: Math.round(spans.at(-1) ?? NaN) },
    errorReasons: load.errorReasons,
    stepsSkippedByDeadline: load.skipped,
    rssSamples: rss.samples,
  };
  say(
    `${label}: ${result.stepsPerSecond} steps/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${result.errors} errors, ` +
      `RSS ${result.rssMB.idle} → ${result.rssMB.peakUnderLoad} MB, CPU % ${JSON.stringify(diagnostics.cpuPercent)}, /healthz p50 ${diagnostics.healthzMs.p50} ms`,
  );
  return { result, diagnostics, load };
}

/** CPU times (ms) over `wallMs` as percent of one core; `others` is what the machine spent beyond the rest. */
function percentOf(wallMs: number, ms: { server: number; benchClient: number; postgres: number; machine: number }): Diagnostics["cpuPercent"] {
  const pct = (x: number) => Math.round((100 * x) / wallMs);
  return { server: pct(ms.server), benchClient: pct(ms.benchClient), postgres: pct(ms.postgres), others: pct(ms.machine - ms.server - ms.benchClient - ms.postgres) };
}

/** The headline numbers. Latency percentiles are over the steps that got their reply. */
function summarize(load: LoadResult, idleMB: number, peakMB: number, serverCpuMs: number): Headline {
  const sorted = ascending(load.latencies);
  return {
    steps: load.steps,
    durationMs: Math.round(load.durationMs),
    stepsPerSecond: round(load.latencies.length / (load.durationMs / 1000)),
    latencyMs: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? NaN) },
    rssMB: { idle: round(idleMB), peakUnderLoad: round(peakMB) },
    cpuMsPerStep: round(serverCpuMs / Math.max(1, load.latencies.length), 2),
    errors: load.errors,
  };
}

/** Why `backend` cannot run (not asked for, or no PostgreSQL server), or null. */
function skipReason(backend: Backend, asked: Backend[], variable: string, postgresDown: string | null): string | null {
  if (!asked.includes(backend)) return `not in ${variable}`;
  if (backend === "postgres" && postgresDown) return postgresDown;
  return null;
}

/** Run `fn` for each backend into `out`: a result, or why it was skipped or failed. */
async function eachBackend<R, D>(
  name: string,
  asked: Backend[],
  variable: string,
  postgresDown: string | null,
  out: { results: Partial<Record<Backend, Outcome<R>>>; diagnostics: Partial<Record<Backend, D>> },
  fn: (backend: Backend, label: string) => Promise<{ result: R; diagnostics: D }>,
): Promise<void> {
  for (const backend of ["pglite", "postgres"] as const) {
    const label = name ? `${name} ${backend}` : backend;
    const why = skipReason(backend, asked, variable, postgresDown);
    if (why) {
      say(`${label}: skipped: ${why}`);
      out.results[backend] = { skipped: why };
      continue;
    }
    try {
      const r = await fn(backend, label);
      out.results[backend] = r.result;
      out.diagnostics[backend] = r.diagnostics;
    } catch (e) {
      say(`${label}: failed: ${messageOf(e)}`);
      out.results[backend] = { failed: messageOf(e) };
    }
  }
}

function backendsEnv(name: string, fallback: readonly Backend[] = ["pglite", "postgres"]): Backend[] {
  return listEnv(name, fallback, ["pglite", "postgres"]);
}

/**
 * The platforms run on PostgreSQL only unless told otherwise: on PGlite too they would add
 * about 4.5 minutes (2 cores), and `npm run bench` should stay near 7. Without a
 * PostgreSQL server they run on PGlite.
 */
function platformBackends(postgresDown: string | null): { backends: Backend[]; why: string } {
  if (process.env.BENCH_PLATFORM_BACKENDS !== undefined) return { backends: backendsEnv("BENCH_PLATFORM_BACKENDS"), why: "BENCH_PLATFORM_BACKENDS" };
  if (postgresDown) return { backends: ["pglite"], why: "BENCH_PLATFORM_BACKENDS (default: pglite when there is no PostgreSQL server)" };
  return { backends: ["postgres"], why: "BENCH_PLATFORM_BACKENDS (default: postgres only, to keep the whole bench near 7 minutes; set it to pglite,postgres for both)" };
}

async function main(): Promise<void> {
  const started = performance.now();
  const steps = intEnv("BENCH_STEPS", 20);
  const officers = intEnv("BENCH_OFFICERS", 200);
  const maxLoadMs = intEnv("BENCH_MAX_LOAD_SECONDS", 150) * 1000;
  const backends = backendsEnv("BENCH_BACKENDS");
  const platforms = listEnv("BENCH_PLATFORMS", DEFAULT_PLATFORMS, PLATFORMS);
  const chats = intEnv("BENCH_PLATFORM_CHATS", 500);
  const platformSteps = intEnv("BENCH_PLATFORM_STEPS", 10);
  const platformMaxLoadMs = intEnv("BENCH_PLATFORM_MAX_LOAD_SECONDS", 150) * 1000;

  const postgresDown = await postgresUnavailable();
  say(postgresDown ? `postgres: ${postgresDown}` : `postgres: server ${redactUrl(adminUrl())}`);
  const onPlatforms = platformBackends(postgresDown);

  type Sandbox = Headline & { officers: number };
  const sandbox = { results: {} as Partial<Record<Backend, Outcome<Sandbox>>>, diagnostics: {} as Partial<Record<Backend, SandboxDiagnostics>> };
  await eachBackend("", backends, "BENCH_BACKENDS", postgresDown, sandbox, async (backend, label) => {
    const r = await benchRun(label, backend, sandboxDoor(officers, WARMUP_OFFICERS), { steps, maxLoadMs });
    const accepted = ascending(r.load.accepted);
    return {
      result: { officers, ...r.result },
      diagnostics: { ...r.diagnostics, acceptedMs: { p50: round(percentile(accepted, 50)), p99: round(percentile(accepted, 99)) }, streamReconnects: r.load.reconnects },
    };
  });

  type PlatformResult = Headline & { chats: number };
  const platformResults: Partial<Record<Platform, Partial<Record<Backend, Outcome<PlatformResult>>>>> = {};
  const platformDiagnostics: Partial<Record<Platform, Partial<Record<Backend, PlatformDiagnostics>>>> = {};
  /** One platform run: its fake, the bot on a fresh `backend` database, the load. */
  const platformRun = async (platform: Platform, backend: Backend, label: string, opts: Omit<RunOptions, "beforeLoad" | "afterLoad">) => {
    const door = await startPlatform(platform, chats, WARMUP_OFFICERS);
    const seen: { fake?: FakeView } = {};
    const r = await owing(
      () => door.stop(),
      () =>
        benchRun(label, backend, { ...door, env: { ...PLATFORM_ENV, ...door.env } }, {
          ...opts,
          beforeLoad: () => door.reset(),
          afterLoad: (load) => {
            seen.fake = door.view(load.durationMs);
            door.reset();
          },
        }),
    );
    if (!seen.fake) throw new Error("the fake's view was not taken");
    return { result: { chats, ...r.result }, diagnostics: { ...r.diagnostics, fake: seen.fake } };
  };
  for (const platform of platforms) {
    const out = { results: (platformResults[platform] = {}), diagnostics: (platformDiagnostics[platform] = {}) };
    await eachBackend(platform, onPlatforms.backends, onPlatforms.why, postgresDown, out, (backend, label) =>
      platformRun(platform, backend, label, { steps: platformSteps, maxLoadMs: platformMaxLoadMs }),
    );
  }

  // The issue's own measure: /help from 500 private chats (5,000 updates), then an open loop.
  const helpPlatforms = listEnv("BENCH_HELP_PLATFORMS", ["telegram-polling"], PLATFORMS);
  const helpBackends = backendsEnv("BENCH_HELP_BACKENDS");
  const helpSteps = intEnv("BENCH_HELP_STEPS", 10);
  const openLoop = { perSecond: intEnv("BENCH_OPEN_RATE", 200), seconds: intEnv("BENCH_OPEN_SECONDS", 20) };
  const helpResults: Partial<Record<Platform, Partial<Record<Backend, Outcome<PlatformResult>>>>> = {};
  const helpDiagnostics: Partial<Record<Platform, Partial<Record<Backend, PlatformDiagnostics>>>> = {};
  for (const platform of helpPlatforms) {
    const out = { results: (helpResults[platform] = {}), diagnostics: (helpDiagnostics[platform] = {}) };
    await eachBackend(`help ${platform}`, helpBackends, "BENCH_HELP_BACKENDS", postgresDown, out, (backend, label) =>
      platformRun(platform, backend, label, { steps: helpSteps, maxLoadMs: platformMaxLoadMs, script: "help", openLoop }),
    );
  }

  const broadcastRuns = listEnv("BENCH_BROADCAST_RUNS", BROADCAST_RUNS, BROADCAST_RUNS);
  const broadcastGroups = intEnv("BENCH_BROADCAST_GROUPS", 10_000);
  const broadcastScale = intEnv("BENCH_BROADCAST_SCALE", 2);
  const broadcast: Partial<Record<BroadcastRun, Outcome<BroadcastResult>>> = {};
  for (const run of BROADCAST_RUNS) {
    const [backend, instances] = run === "postgres-2" ? (["postgres", 2] as const) : ([run, 1] as const);
    const label = `broadcast ${run}`;
    const why = skipReason(backend, broadcastRuns.includes(run) ? [backend] : [], "BENCH_BROADCAST_RUNS", postgresDown);
    if (why) {
      say(`${label}: skipped: ${why}`);
      broadcast[run] = { skipped: why };
      continue;
    }
    try {
      broadcast[run] = await benchBroadcast({ backend, instances, groups: broadcastGroups, scale: broadcastScale, say: (line) => say(`${label}: ${line}`), owing });
    } catch (e) {
      say(`${label}: failed: ${messageOf(e)}`);
      broadcast[run] = { failed: messageOf(e) };
    }
  }

  const importRuns = backendsEnv("BENCH_IMPORT_RUNS");
  const importGrassroots = intEnv("BENCH_IMPORT_GRASSROOTS", 123_000);
  const unitImport: Partial<Record<Backend, Outcome<ImportResult>>> = {};
  for (const backend of ["pglite", "postgres"] as const) {
    const label = `unit import ${backend}`;
    const why = skipReason(backend, importRuns, "BENCH_IMPORT_RUNS", postgresDown);
    if (why) {
      say(`${label}: skipped: ${why}`);
      unitImport[backend] = { skipped: why };
      continue;
    }
    try {
      unitImport[backend] = await benchUnitImport({ backend, grassroots: importGrassroots, say: (line) => say(`${label}: ${line}`), owing });
    } catch (e) {
      say(`${label}: failed: ${messageOf(e)}`);
      unitImport[backend] = { failed: messageOf(e) };
    }
  }

  const queryCostRuns = backendsEnv("BENCH_QUERY_COST_RUNS");
  const queryCalls = intEnv("BENCH_QUERY_COST_CALLS", 3000);
  const queryCost: Partial<Record<Backend, Outcome<QueryCost>>> = {};
  for (const backend of ["pglite", "postgres"] as const) {
    const label = `query cost ${backend}`;
    const why = skipReason(backend, queryCostRuns, "BENCH_QUERY_COST_RUNS", postgresDown);
    if (why) {
      queryCost[backend] = { skipped: why };
      continue;
    }
    try {
      const r = await benchQueryCost({ backend, calls: queryCalls });
      say(`${label}: CPU µs per call ${JSON.stringify(r.cpuUs)}`);
      queryCost[backend] = r;
    } catch (e) {
      say(`${label}: failed: ${messageOf(e)}`);
      queryCost[backend] = { failed: messageOf(e) };
    }
  }

  const startupRuns = backendsEnv("BENCH_STARTUP_RUNS");
  const startup: Partial<Record<Backend, Outcome<StartupResult>>> = {};
  for (const backend of ["pglite", "postgres"] as const) {
    const label = `startup ${backend}`;
    const why = skipReason(backend, startupRuns, "BENCH_STARTUP_RUNS", postgresDown);
    if (why) {
      startup[backend] = { skipped: why };
      continue;
    }
    try {
      startup[backend] = await benchStartup(backend, (line) => say(`${label}: ${line}`));
    } catch (e) {
      say(`${label}: failed: ${messageOf(e)}`);
      startup[backend] = { failed: messageOf(e) };
    }
  }

  const confedRuns = backendsEnv("BENCH_CONFED_RUNS");
  const confedGrassroots = intEnv("BENCH_CONFED_GRASSROOTS", 123_000);
  const confedOpts = {
    grassroots: confedGrassroots,
    runs: intEnv("BENCH_CONFED_REPEAT", 20),
    warmup: intEnv("BENCH_CONFED_WARMUP", 3),
    schedulerRuns: intEnv("BENCH_CONFED_SCHEDULER_RUNS", 3),
    exportRuns: intEnv("BENCH_CONFED_EXPORT_RUNS", 5),
    processRuns: intEnv("BENCH_CONFED_PROCESS_RUNS", 5),
  };
  const confederation: Partial<Record<Backend, Outcome<ConfedResult>>> = {};
  for (const backend of ["pglite", "postgres"] as const) {
    const label = `confederation ${backend}`;
    const why = skipReason(backend, confedRuns, "BENCH_CONFED_RUNS", postgresDown);
    if (why) {
      say(`${label}: skipped: ${why}`);
      confederation[backend] = { skipped: why };
      continue;
    }
    try {
      const t0 = performance.now();
      confederation[backend] = await benchConfederation({ backend, ...confedOpts, say: (line) => say(`${label}: ${line}`), owing });
      say(`${label}: done in ${Math.round((performance.now() - t0) / 1000)} s`);
    } catch (e) {
      say(`${label}: failed: ${messageOf(e)}`);
      confederation[backend] = { failed: messageOf(e) };
    }
  }

  const report = {
    machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    date: new Date().toISOString(),
    settings: {
      stepsPerOfficer: steps,
      warmup: { officers: WARMUP_OFFICERS, stepsEach: WARMUP_STEPS },
      replyTimeoutMs: REPLY_TIMEOUT_MS,
      replies: "server-sent events, one stream per officer chat",
      platforms: {
        chats,
        stepsPerChat: platformSteps,
        maxLoadSeconds: platformMaxLoadMs / 1000,
        backends: onPlatforms.backends,
        replies: "the fake server's record of each message the bot sends (hooked in the bench process)",
      },
      broadcast: {
        groups: broadcastGroups,
        scale: broadcastScale,
        limits: `the fake Telegram server enforces 30 messages/s per bot and 20/min per group, sliding windows, time compressed ×${broadcastScale}`,
      },
      help: { platforms: helpPlatforms, backends: helpBackends, chats, stepsPerChat: helpSteps, openLoop },
      unitImport: { units: `1 + 65 + 1300 + ${importGrassroots}`, backends: importRuns, how: "npm run cli -- import-units <file.csv> as its own process, timed from spawn to exit (migrated beforehand)" },
      startup: { backends: startupRuns, how: "src/main.ts (sandbox, demo world) on an empty database, then again on what it left; idle RSS 3 s after ready, peak RSS from spawn to then", goals: STARTUP_GOALS },
      confederation: {
        units: `1 + ${CONFED_SECTORS} + ${CONFED_UPPERS} + ${confedGrassroots}`,
        backends: confedRuns,
        ...confedOpts,
        how: "bulk-built tree and movement state; /tiendo, the CLI's query, a scheduler minute and the export in this process through the real store; then the rest of the year and the year's documents (year report .docx, spreadsheet) of N0 with this process's memory; the CLI also as its own process",
      },
    },
    sandbox: sandbox.results,
    diagnostics: sandbox.diagnostics,
    platforms: platformResults,
    platformDiagnostics,
    help: helpResults,
    helpDiagnostics,
    broadcast,
    unitImport,
    queryCost,
    startup,
    confederation,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  say(`total ${Math.round((performance.now() - started) / 1000)} s`);
  const outcomes = [
    ...Object.values(sandbox.results),
    ...[...Object.values(platformResults), ...Object.values(helpResults)].flatMap((r) => Object.values(r)),
    ...Object.values(broadcast),
    ...Object.values(unitImport),
    ...Object.values(queryCost),
    ...Object.values(startup),
    ...Object.values(confederation),
  ];
  if (outcomes.some((o) => o && "failed" in o)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  say(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
