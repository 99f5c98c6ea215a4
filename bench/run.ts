/**
 * `npm run bench`: the web sandbox under load, on PGlite and on PostgreSQL. For each
 * backend: prepare a fresh database with 200 officers, start the server as its own
 * process, measure idle RSS, warm up, run the officers concurrently while sampling RSS,
 * stop the server, drop the data. One JSON document on stdout; progress on stderr.
 *
 * Env: BENCH_STEPS (steps per officer, default 20), BENCH_OFFICERS (default 200),
 * BENCH_DATABASE_URL / TEST_DATABASE_URL (PostgreSQL server for the second run),
 * BENCH_BACKENDS (e.g. "pglite" to run one backend only), BENCH_MAX_LOAD_SECONDS (no step
 * starts later than this into a load, default 150), BENCH_TRACE (a file name, may contain
 * "{backend}": every measured step is written there as JSON lines), BENCH_SERVER_ARGS
 * (extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { loadTexts, percentile, runLoad, type LoadResult } from "./sandbox-load.js";
import { HealthProbe, RssSampler, readCpuMs, startServer, type ServerProcess } from "./server.js";
import { adminUrl, postgresUnavailable, preparePglite, preparePostgres, redactUrl, type Backend, type PreparedDatabase } from "./setup.js";

interface Result {
  officers: number;
  steps: number;
  durationMs: number;
  stepsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  rssMB: { idle: number; peakUnderLoad: number };
  errors: number;
}

/** What helps read a Result: where the time went. Not part of the headline numbers. */
interface Diagnostics {
  setupMs: number;
  serverStartMs: number;
  /** Part of a step until the POST's 202 (the message is stored; the bot has not answered). */
  acceptedMs: { p50: number; p99: number };
  /** GET /healthz (no database) during the load: how long a request waits for the event loop. */
  healthzMs: { p50: number; p99: number; max: number; samples: number };
  /** CPU used during the load; 100 = one core busy. */
  cpuPercent: { server: number; benchClient: number };
  /** Per officer, first POST → last reply: how evenly the server served them. */
  officerSpanMs: { min: number; max: number };
  errorReasons: Record<string, number>;
  stepsSkippedByDeadline: number;
  streamReconnects: number;
  rssSamples: number;
}

type Outcome = Result | { skipped: string } | { failed: string };

const WARMUP_OFFICERS = 4;
/** One full loop of the dialog: /baocao, phase, 6 figures, narrative, redo. */
const WARMUP_STEPS = 10;
const REPLY_TIMEOUT_MS = 30_000;
const IDLE_QUIET_MS = 3000;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const ascending = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Cleanups still owed if the bench is interrupted (Ctrl-C). */
const pending = new Set<() => Promise<unknown>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    say(`${signal}: cleaning up`);
    void Promise.allSettled([...pending].map((f) => f())).then(() => process.exit(130));
  });
}

async function benchBackend(backend: Backend, officers: number, steps: number, maxLoadMs: number): Promise<{ result: Result; diagnostics: Diagnostics }> {
  const t0 = performance.now();
  say(`${backend}: preparing the database (${officers} officers)`);
  const db: PreparedDatabase = backend === "pglite" ? await preparePglite(officers, WARMUP_OFFICERS) : await preparePostgres(officers, WARMUP_OFFICERS);
  pending.add(db.cleanup);
  const setupMs = performance.now() - t0;
  let server: ServerProcess | null = null;
  const stopServer = async () => {
    if (!server) return;
    const s = server;
    server = null;
    const t = performance.now();
    const r = await s.stop(10_000);
    if (r.killed) say(`${backend}: server did not stop within 10 s of SIGTERM, killed`);
    else if (r.code !== 0) say(`${backend}: server exited with code ${r.code} signal ${r.signal}`);
    else say(`${backend}: server stopped in ${Math.round(performance.now() - t)} ms`);
  };
  pending.add(stopServer);
  try {
    say(`${backend}: database ready in ${Math.round(setupMs)} ms; starting the server`);
    const started = performance.now();
    const nodeArgs = (process.env.BENCH_SERVER_ARGS ?? "").split(/\s+/).filter(Boolean);
    const srv = await startServer(db.env, { label: `server:${backend}`, nodeArgs });
    server = srv;
    const serverStartMs = performance.now() - started;
    say(`${backend}: server pid ${srv.pid} ready at ${srv.url} in ${Math.round(serverStartMs)} ms`);

    await sleep(IDLE_QUIET_MS);
    const idle = srv.rssMB();
    if (idle === null) throw new Error("cannot read the server's RSS");

    const texts = loadTexts("vi");
    const warm = await runLoad({ baseUrl: srv.url, officers: db.warmup, stepsPerOfficer: WARMUP_STEPS, replyTimeoutMs: REPLY_TIMEOUT_MS, texts });
    say(`${backend}: warm-up ${warm.steps} steps, ${warm.errors} errors, ${Math.round(warm.durationMs)} ms`);
    if (warm.errors) say(`${backend}: warm-up errors ${JSON.stringify(warm.errorReasons)}`);

    say(`${backend}: load: ${db.officers.length} officers × ${steps} steps`);
    const trace = process.env.BENCH_TRACE;
    const sampler = new RssSampler(srv.pid, 100);
    const health = new HealthProbe(srv.url, 500);
    sampler.start();
    health.start();
    const cpu0 = { server: readCpuMs(srv.pid) ?? 0, client: process.cpuUsage(), at: performance.now() };
    const load = await runLoad({ baseUrl: srv.url, officers: db.officers, stepsPerOfficer: steps, replyTimeoutMs: REPLY_TIMEOUT_MS, texts, deadlineMs: maxLoadMs, trace: Boolean(trace) });
    const wall = performance.now() - cpu0.at;
    const serverCpu = (readCpuMs(srv.pid) ?? 0) - cpu0.server;
    const clientCpu = process.cpuUsage(cpu0.client);
    const rss = sampler.stop();
    const healthz = ascending(await health.stop());

    if (trace && load.trace) {
      const file = trace.replace("{backend}", backend);
      await writeFile(file, load.trace.map((r) => JSON.stringify(r)).join("\n") + "\n");
      say(`${backend}: step trace written to ${file}`);
    }
    if (load.errors) say(`${backend}: errors ${JSON.stringify(load.errorReasons)}`);
    if (load.skipped) say(`${backend}: ${load.skipped} steps not run: the load passed BENCH_MAX_LOAD_SECONDS`);

    const result = summarize(load, officers, idle, rss.peakMB);
    const spans = ascending(load.officerSpans);
    const accepted = ascending(load.accepted);
    const diagnostics: Diagnostics = {
      setupMs: Math.round(setupMs),
      serverStartMs: Math.round(serverStartMs),
      acceptedMs: { p50: round(percentile(accepted, 50)), p99: round(percentile(accepted, 99)) },
      healthzMs: { p50: round(percentile(healthz, 50)), p99: round(percentile(healthz, 99)), max: round(healthz.at(-1) ?? NaN), samples: healthz.length },
      cpuPercent: { server: Math.round((100 * serverCpu) / wall), benchClient: Math.round((100 * (clientCpu.user + clientCpu.system)) / 1000 / wall) },
      officerSpanMs: { min: Math.round(spans[0] ?? NaN), max: Math.round(spans.at(-1) ?? NaN) },
      errorReasons: load.errorReasons,
      stepsSkippedByDeadline: load.skipped,
      streamReconnects: load.streamReconnects,
      rssSamples: rss.samples,
    };
    say(
      `${backend}: ${result.stepsPerSecond} steps/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, ${result.errors} errors, ` +
        `RSS ${result.rssMB.idle} → ${result.rssMB.peakUnderLoad} MB, server CPU ${diagnostics.cpuPercent.server} %, /healthz p50 ${diagnostics.healthzMs.p50} ms`,
    );
    return { result, diagnostics };
  } finally {
    await stopServer();
    pending.delete(stopServer);
    await db.cleanup().catch((e: unknown) => say(`${backend}: cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
    pending.delete(db.cleanup);
    say(`${backend}: done in ${Math.round((performance.now() - t0) / 1000)} s`);
  }
}

/** The headline numbers. Latency percentiles are over the steps that got their reply. */
function summarize(load: LoadResult, officers: number, idleMB: number, peakMB: number): Result {
  const sorted = ascending(load.latencies);
  return {
    officers,
    steps: load.steps,
    durationMs: Math.round(load.durationMs),
    stepsPerSecond: round(load.latencies.length / (load.durationMs / 1000)),
    latencyMs: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? NaN) },
    rssMB: { idle: round(idleMB), peakUnderLoad: round(peakMB) },
    errors: load.errors,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const steps = intEnv("BENCH_STEPS", 20);
  const officers = intEnv("BENCH_OFFICERS", 200);
  const maxLoadMs = intEnv("BENCH_MAX_LOAD_SECONDS", 150) * 1000;
  const only = (process.env.BENCH_BACKENDS ?? "pglite,postgres").split(",").map((s) => s.trim());

  const sandbox: Partial<Record<Backend, Outcome>> = {};
  const diagnostics: Partial<Record<Backend, Diagnostics>> = {};
  for (const backend of ["pglite", "postgres"] as const) {
    if (!only.includes(backend)) {
      sandbox[backend] = { skipped: "not in BENCH_BACKENDS" };
      continue;
    }
    if (backend === "postgres") {
      const why = await postgresUnavailable();
      if (why) {
        say(`postgres: skipped: ${why}`);
        sandbox.postgres = { skipped: why };
        continue;
      }
      say(`postgres: server ${redactUrl(adminUrl())}`);
    }
    try {
      const r = await benchBackend(backend, officers, steps, maxLoadMs);
      sandbox[backend] = r.result;
      diagnostics[backend] = r.diagnostics;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      say(`${backend}: failed: ${message}`);
      sandbox[backend] = { failed: message };
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
    },
    sandbox,
    diagnostics,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  say(`total ${Math.round((performance.now() - started) / 1000)} s`);
  if (Object.values(sandbox).some((o) => o && "failed" in o)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  say(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
