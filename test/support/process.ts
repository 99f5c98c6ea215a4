/**
 * The bot as a separate process, started the way `npm start` does (node running the bundle
 * scripts/build.mjs makes, dist/main.mjs: the tests' global set-up builds it), for tests
 * that kill it, restart it, or check its exit code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** What `npm start` runs. */
export const MAIN = "dist/main.mjs";

export interface BotProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // Only what the bot needs: never inherit a developer's platform tokens.
  const keep = ["PATH", "HOME", "TMPDIR", "LANG", "NODE_OPTIONS"];
  return { ...Object.fromEntries(keep.filter((k) => process.env[k]).map((k) => [k, process.env[k]])), LOG_LEVEL: "warn", ...extra };
}

/** Run the bot and wait for its "ready" line; rejects if it exits first. */
export async function startBotProcess(env: Record<string, string>, timeoutMs = 120_000): Promise<BotProcess> {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: baseEnv({ PORT: "0", ...env }), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not left running behind a failed test.
      child.kill("SIGKILL");
      reject(new Error(`bot did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const m = /thidua-bot ready: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    child,
    output: () => out,
    exited,
    kill(signal) {
      child.kill(signal);
      return exited;
    },
  };
}

/** Run the bot expecting it to refuse to start: its exit code and output. */
export async function runBotExpectingExit(env: Record<string, string>, timeoutMs = 60_000): Promise<{ code: number | string; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: baseEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await new Promise<number | string>((resolve) => child.on("exit", (c, s) => resolve(c ?? s ?? "unknown")));
  clearTimeout(timer);
  return { code, stderr, stdout };
}
