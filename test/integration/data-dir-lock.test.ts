/**
 * The embedded database is one process's: a second bot started on the same DATA_DIR
 * refuses with one clear line naming the process that holds it, and the first keeps
 * serving (/healthz and /readyz answer 200). Stopped, the first gives the directory back.
 */
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runBotExpectingExit, startBotProcess, type BotProcess } from "../support/process.js";

describe("one process per embedded database", { timeout: 300_000 }, () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
  });

  it("a second process on the same DATA_DIR refuses clearly; the first stays healthy and ready", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "thidua-lock-"));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    // Start-up on a loaded machine may take a while: the first process gets two and a half minutes.
    const first: BotProcess = await startBotProcess({ DATA_DIR: dir }, 150_000);
    cleanup.push(() => first.kill("SIGKILL"));
    expect((await readFile(path.join(dir, "thidua.pid"), "utf8")).trim()).toBe(String(first.pid));

    const second = await runBotExpectingExit({ DATA_DIR: dir, PORT: "0" });
    expect(second.code).toBe(3);
    const lines = second.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`DATA_DIR ${dir} is in use by process ${first.pid}; stop it first`);

    // The first is untouched: alive, and its database answers.
    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${first.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${first.url}/sandbox/api/messages?chatId=dm-lock`)).status).toBe(200);

    // Stopped, it gives the directory back.
    expect(await first.kill("SIGTERM")).toBe(0);
    await expect(stat(path.join(dir, "thidua.pid"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
