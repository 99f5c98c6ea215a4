/**
 * The CSV import of a whole Confederation: 1 + 65 sector unions + 1,300 upper-grassroots
 * unions + 123,000 grassroots unions, imported by the CLI (`import-units`) as an operator
 * would, into a fresh database (a temp PGlite directory, or a new PostgreSQL database).
 * The CLI runs as its own process: the database is migrated by a first, untimed command;
 * then the import is timed from spawn to exit, its RSS sampled every 100 ms.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { REPO_ROOT, RssSampler } from "./server.js";
import { adminUrl, type Backend } from "./setup.js";

export interface ImportResult {
  units: number;
  fileMB: number;
  durationMs: number;
  unitsPerSecond: number;
  rssMB: { peak: number; samples: number };
  /** The CLI's own last line ("Đã nhập: …"). */
  said: string;
}

/** The tree as CSV: each level spread evenly over the one above. */
export function confederationCsv(sectors: number, uppers: number, grassroots: number): { csv: string; units: number } {
  const lines = ["code,name,level,parent_code", "TLD,Tổng Liên đoàn Lao động Việt Nam,tong_lien_doan,"];
  for (let s = 0; s < sectors; s++) lines.push(`N${s},Công đoàn ngành số ${s + 1},nganh,TLD`);
  for (let u = 0; u < uppers; u++) lines.push(`N${u % sectors}-T${u},"Công đoàn cấp trên cơ sở số ${u + 1}, khu vực ${(u % 63) + 1}",cap_tren_co_so,N${u % sectors}`);
  for (let g = 0; g < grassroots; g++) lines.push(`N${(g % uppers) % sectors}-T${g % uppers}-C${g},Công đoàn cơ sở Công ty số ${g + 1},co_so,N${(g % uppers) % sectors}-T${g % uppers}`);
  return { csv: lines.join("\r\n") + "\r\n", units: 1 + sectors + uppers + grassroots };
}

/** Run the CLI as its own process; resolves with its exit code, output and peak RSS. */
function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string; rss: { peakMB: number; samples: number } }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const sampler = new RssSampler(child.pid!, 100);
  sampler.start();
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err, rss: sampler.stop() }));
  });
}

/** A fresh database for one run, and how to remove it. */
export async function freshDatabase(backend: Backend): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  if (backend === "pglite") {
    const dir = await mkdtemp(path.join(tmpdir(), "thidua-bench-import-"));
    return { env: { DATA_DIR: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `thidua_bench_import_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    async cleanup() {
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function benchUnitImport(o: {
  backend: Backend;
  grassroots: number;
  say: (line: string) => void;
  owing: <T>(cleanup: () => Promise<unknown>, body: () => Promise<T>) => Promise<T>;
}): Promise<ImportResult> {
  const { csv, units } = confederationCsv(65, 1300, o.grassroots);
  const db = await freshDatabase(o.backend);
  return o.owing(db.cleanup, async () => {
    const file = path.join(tmpdir(), `thidua-bench-units-${randomBytes(4).toString("hex")}.csv`);
    await writeFile(file, csv);
    return o.owing(
      () => rm(file, { force: true }),
      async () => {
        const env = { ...db.env, SANDBOX: "off", DEMO_SEED: "off" };
        const migrate = await runCli(["units", "--under", "TLD"], env);
        if (migrate.code !== 1 && migrate.code !== 0) throw new Error(`migrating failed: ${migrate.err.trim()}`);
        o.say(`importing ${units} units (${(Buffer.byteLength(csv) / 1e6).toFixed(1)} MB)`);
        const t0 = performance.now();
        const r = await runCli(["import-units", file], env);
        const durationMs = performance.now() - t0;
        const said = r.out.trim().split("\n").at(-1) ?? "";
        if (r.code !== 0) throw new Error(`import-units exited ${r.code}: ${said || r.err.trim().split("\n")[0]}`);
        o.say(`${said} in ${Math.round(durationMs)} ms, peak RSS ${r.rss.peakMB.toFixed(0)} MB`);
        return {
          units,
          fileMB: Math.round(Buffer.byteLength(csv) / 1e5) / 10,
          durationMs: Math.round(durationMs),
          unitsPerSecond: Math.round(units / (durationMs / 1000)),
          rssMB: { peak: Math.round(r.rss.peakMB), samples: r.rss.samples },
          said,
        };
      },
    );
  });
}
