/**
 * The server under test as a separate process: `node dist/main.mjs` as `npm start` runs it
 * (bundled once per bench run by scripts/build.mjs), spawned directly so that its pid is
 * the process running the app (its RSS is what we measure),
 * stopped with SIGTERM (SIGKILL after a grace period). RSS is read from /proc/<pid>/status.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Variables of the bench's own environment that must not reach the server under test. */
const STRIPPED = /^(TELEGRAM_|ZALO_|DATABASE_URL$|DATA_DIR$|PORT$|HOST$|SANDBOX|DEMO_SEED$|LOG_LEVEL$|PUBLIC_URL$)/;

export interface ServerProcess {
  readonly pid: number;
  /** Base URL printed by the server when ready, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** Resident set size now, in MB (null once the process is gone). */
  rssMB(): number | null;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when the process has exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: string | null; killed: boolean }>;
}

/** VmRSS of a process in MB, from /proc (Linux); null when unreadable. */
export function readRssMB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** main.ts prints this once every door has started: "thidua-bot ready: <url>" (and "thidua-bot sandbox: <url>"). */
const READY = /^thidua-bot (?:ready|sandbox): (http\S+)/;

let built = false;
/** What `npm start` runs: the bundle of src/main.ts, made once per bench run. */
function mainBundle(): string {
  if (!built) execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: REPO_ROOT, stdio: "inherit" });
  built = true;
  return "dist/main.mjs";
}

/** Spawn the server and wait for its ready line on stdout. */
export async function startServer(
  env: Record<string, string>,
  opts: { readyTimeoutMs?: number; label?: string; nodeArgs?: string[]; onSpawn?: (pid: number) => void } = {},
): Promise<ServerProcess> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && !STRIPPED.test(k))) as Record<string, string>;
  const label = opts.label ?? "server";
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), mainBundle()], {
    cwd: REPO_ROOT,
    env: { ...base, HOST: "127.0.0.1", PORT: "0", SANDBOX: "on", DEMO_SEED: "on", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn the server");
  opts.onSpawn?.(pid);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server not ready after ${readyTimeoutMs} ms`)), readyTimeoutMs);
    // The server's own output goes to our stderr, tagged; it never reaches the JSON.
    createInterface({ input: child.stderr! }).on("line", (line) => process.stderr.write(`[${label}] ${line}\n`));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const ready = READY.exec(line);
      if (!ready) process.stderr.write(`[${label}:stdout] ${line}\n`);
      else {
        clearTimeout(timer);
        resolve(ready[1]!);
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})`));
    });
  }).catch(async (e: unknown) => {
    child.kill("SIGKILL");
    await exited(child);
    throw e;
  });

  return {
    pid,
    url,
    rssMB: () => readRssMB(pid),
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return { ...(await exited(child)), killed: false };
      child.kill("SIGTERM");
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, graceMs);
      const out = await exited(child);
      clearTimeout(timer);
      return { ...out, killed };
    },
  };
}

/** Samples a process's RSS at a fixed interval and keeps the maximum. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  private peak = 0;
  private count = 0;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    const mb = readRssMB(this.pid);
    if (mb === null) return;
    this.count++;
    if (mb > this.peak) this.peak = mb;
  }

  stop(): { peakMB: number; samples: number } {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return { peakMB: this.peak, samples: this.count };
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for a server that must know its URL before it starts). */
export async function freePort(): Promise<number> {
  const probe = net.createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((done) => probe.close(done));
  return port;
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat (100 ticks/s). */
export function readCpuMs(pid: number): number | null {
  const split = readCpuSplitMs(pid);
  return split && split.user + split.system;
}

/** A process's CPU time (ms, all threads) in user mode and in the kernel (system calls: socket writes, mostly). */
export function readCpuSplitMs(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 };
  } catch {
    return null;
  }
}

/** CPU time (ms) of the processes whose command line contains `word`, e.g. PostgreSQL's backends serving one database. */
export function readCpuMsOfCommands(word: string): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(word)) total += readCpuMs(Number(entry)) ?? 0;
    } catch {
      // The process has gone meanwhile.
    }
  }
  return total;
}

/**
 * CPU time the whole machine has spent busy (all cores, all processes), in ms, from
 * /proc/stat. Set against the server's and the bench's own, it shows what else ran: the
 * PostgreSQL server, and anything foreign that would distort the numbers.
 */
export function readMachineCpuMs(): number | null {
  try {
    const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks.map(Number);
    return (user + nice + system + irq + softirq + steal) * 10;
  } catch {
    return null;
  }
}

/**
 * GET /healthz every `intervalMs` on one kept-alive connection and keep the times: the
 * route touches no database, so its time is how long a request waits for the server's
 * event loop.
 */
export class HealthProbe {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly times: number[] = [];
  private running = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly baseUrl: string,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    this.running = true;
    this.done = (async () => {
      while (this.running) {
        const t0 = performance.now();
        const ok = await new Promise<boolean>((resolve) => {
          http
            .get(`${this.baseUrl}/healthz`, { agent: this.agent, timeout: 60_000 }, (res) => {
              res.resume();
              res.once("end", () => resolve(res.statusCode === 200));
            })
            .once("error", () => resolve(false));
        });
        const ms = performance.now() - t0;
        if (ok) this.times.push(ms);
        if (this.running) await new Promise((r) => setTimeout(r, Math.max(0, this.intervalMs - ms)));
      }
    })();
  }

  async stop(): Promise<number[]> {
    this.running = false;
    await this.done;
    this.agent.destroy();
    return this.times;
  }
}
