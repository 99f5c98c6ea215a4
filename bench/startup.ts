/**
 * Start-up and idle memory of the server as users run it (`src/main.ts`, sandbox on, demo
 * world), on an empty database: the first start (PGlite: the data directory made from the
 * shipped empty cluster, migrations, reference data and demo world; PostgreSQL: the same
 * in a new database), then a second start on what the first left. For each start: the
 * time to ready, the idle RSS three seconds later, and the peak RSS from spawn to then
 * (sampled every 20 ms).
 *
 * Env: BENCH_STARTUP_RUNS (default "pglite,postgres"; "" for none), read by run.ts.
 */
import { performance } from "node:perf_hooks";
import { RssSampler, startServer } from "./server.js";
import { emptyDatabase, type Backend } from "./setup.js";

const IDLE_QUIET_MS = 3000;
/** The goals: PGlite first start peak ≤ 500 MB; idle ≤ 150 MB (PostgreSQL) and ≤ 350 MB (PGlite, second start). */
export const STARTUP_GOALS = { pgliteFirstPeakMB: 500, idleMB: { postgres: 150, pglite: 350 } } as const;

export interface StartMeasure {
  readyMs: number;
  peakMB: number;
  idleMB: number;
}
export interface StartupResult {
  first: StartMeasure;
  second: StartMeasure;
}

const round = (n: number) => Math.round(n * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function oneStart(env: Record<string, string>, label: string): Promise<StartMeasure> {
  const rss: { sampler?: RssSampler } = {};
  const t = performance.now();
  try {
    const srv = await startServer(env, {
      label,
      onSpawn: (pid) => {
        rss.sampler = new RssSampler(pid, 20);
        rss.sampler.start();
      },
    });
    const readyMs = performance.now() - t;
    try {
      await sleep(IDLE_QUIET_MS);
      const idle = srv.rssMB();
      const peak = rss.sampler?.stop().peakMB ?? NaN;
      if (idle === null) throw new Error("cannot read the server's RSS");
      return { readyMs: Math.round(readyMs), peakMB: round(peak), idleMB: round(idle) };
    } finally {
      await srv.stop(10_000);
    }
  } finally {
    rss.sampler?.stop();
  }
}

export async function benchStartup(backend: Backend, say: (line: string) => void): Promise<StartupResult> {
  const db = await emptyDatabase(backend);
  try {
    const first = await oneStart(db.env, `startup:${backend}:first`);
    say(`first start: ready in ${first.readyMs} ms, peak ${first.peakMB} MB, idle ${first.idleMB} MB`);
    const second = await oneStart(db.env, `startup:${backend}:second`);
    say(`second start: ready in ${second.readyMs} ms, peak ${second.peakMB} MB, idle ${second.idleMB} MB`);
    return { first, second };
  } finally {
    await db.cleanup();
  }
}
