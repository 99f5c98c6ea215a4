/**
 * `npm run bench`: the web sandbox under load, on PGlite and on PostgreSQL. For each
 * backend: prepare a fresh database with 200 officers, start the server as its own
 * process, measure idle RSS, warm up, run the officers concurrently while sampling RSS,
 * stop the server, drop the data. One JSON document on stdout; progress on stderr.
 *
 * Env: BENCH_STEPS (steps per officer, default 20), BENCH_OFFICERS (default 200),
 * BENCH_DATABASE_URL / TEST_DATABASE_URL (PostgreSQL server for the second run),
 * BENCH_BACKENDS (e.g. "pglite" to run one backend only).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { loadTexts, percentile, runLoad } from "./sandbox-load.js";
import { RssSampler, startServer, type ServerProcess } from "./server.js";
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

/** Cleanups still owed if the bench is interrupted (Ctrl-C). */
const pending = new Set<() => Promise<unknown>>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    say(`${signal}: cleaning up`);
    void Promise.allSettled([...pending].map((f) => f())).then(() => process.exit(130));
  });
}

async function benchBackend(backend: Backend, officers: number, steps: number): Promise<Result> {
  const t0 = performance.now();
  say(`${backend}: preparing the database (${officers} officers)`);
  const db: PreparedDatabase = backend === "pglite" ? await preparePglite(officers, WARMUP_OFFICERS) : await preparePostgres(officers, WARMUP_OFFICERS);
  pending.add(db.cleanup);
  let server: ServerProcess | null = null;
  const stopServer = async () => {
    if (!server) return;
    const s = server;
    server = null;
    const t = performance.now();
    const r = await s.stop(10_000);
    say(`${backend}: server stopped in ${Math.round(performance.now() - t)} ms`);
    if (r.killed) say(`${backend}: server did not stop within 10 s of SIGTERM, killed`);
    else if (r.code !== 0) say(`${backend}: server exited with code ${r.code} signal ${r.signal}`);
  };
  pending.add(stopServer);
  try {
    say(`${backend}: database ready in ${Math.round(performance.now() - t0)} ms; starting the server`);
    const started = performance.now();
    const srv = await startServer(db.env, { label: `server:${backend}` });
    server = srv;
    say(`${backend}: server pid ${srv.pid} ready at ${srv.url} in ${Math.round(performance.now() - started)} ms`);

    await sleep(IDLE_QUIET_MS);
    const idle = srv.rssMB();
    if (idle === null) throw new Error("cannot read the server's RSS");

    const texts = loadTexts("vi");
    const warm = await runLoad({ baseUrl: srv.url, officers: db.warmup, stepsPerOfficer: WARMUP_STEPS, replyTimeoutMs: REPLY_TIMEOUT_MS, texts });
    say(`${backend}: warm-up ${warm.steps} steps, ${warm.errors} errors, ${Math.round(warm.durationMs)} ms`);
    if (warm.errors) say(`${backend}: warm-up errors ${JSON.stringify(warm.errorReasons)}`);

    const sampler = new RssSampler(srv.pid, 100);
    sampler.start();
    say(`${backend}: load: ${db.officers.length} officers × ${steps} steps`);
    const load = await runLoad({ baseUrl: srv.url, officers: db.officers, stepsPerOfficer: steps, replyTimeoutMs: REPLY_TIMEOUT_MS, texts });
    const rss = sampler.stop();
    if (load.errors) say(`${backend}: errors ${JSON.stringify(load.errorReasons)}`);
    if (load.streamReconnects) say(`${backend}: ${load.streamReconnects} stream reconnects`);

    const sorted = [...load.latencies].sort((a, b) => a - b);
    const ok = load.steps - load.errors;
    const result: Result = {
      officers: db.officers.length,
      steps: load.steps,
      durationMs: Math.round(load.durationMs),
      stepsPerSecond: round(ok / (load.durationMs / 1000)),
      latencyMs: { p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? NaN) },
      rssMB: { idle: round(idle), peakUnderLoad: round(rss.peakMB) },
      errors: load.errors,
    };
    say(`${backend}: ${result.stepsPerSecond} steps/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, RSS ${result.rssMB.idle} → ${result.rssMB.peakUnderLoad} MB (${rss.samples} samples)`);
    return result;
  } finally {
    await stopServer();
    pending.delete(stopServer);
    await db.cleanup().catch((e: unknown) => say(`${backend}: cleanup failed: ${e instanceof Error ? e.message : String(e)}`));
    pending.delete(db.cleanup);
    say(`${backend}: done in ${Math.round((performance.now() - t0) / 1000)} s`);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const steps = intEnv("BENCH_STEPS", 20);
  const officers = intEnv("BENCH_OFFICERS", 200);
  const only = (process.env.BENCH_BACKENDS ?? "pglite,postgres").split(",").map((s) => s.trim());

  const sandbox: Partial<Record<Backend, Outcome>> = {};
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
      sandbox[backend] = await benchBackend(backend, officers, steps);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      say(`${backend}: failed: ${message}`);
      sandbox[backend] = { failed: message };
    }
  }

  const report = {
    machine: { cpus: os.cpus().length, node: process.version, platform: `${process.platform}-${process.arch}` },
    date: new Date().toISOString(),
    settings: { stepsPerOfficer: steps, warmup: { officers: WARMUP_OFFICERS, stepsEach: WARMUP_STEPS }, replyTimeoutMs: REPLY_TIMEOUT_MS, replies: "server-sent events, one stream per officer chat" },
    sandbox,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  say(`total ${Math.round((performance.now() - started) / 1000)} s`);
  if (Object.values(sandbox).some((o) => o && "failed" in o)) process.exitCode = 1;
}

main().catch((e: unknown) => {
  say(`fatal: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
