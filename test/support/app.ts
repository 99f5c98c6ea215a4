/**
 * A whole bot for a test: real database (PGlite or PostgreSQL), real HTTP server on a
 * free loopback port, the web sandbox, the outbox worker. Tests talk to it over HTTP, as a
 * person in a browser would.
 */
import type { Config } from "../../src/config.js";
import { createApp, type App } from "../../src/app.js";
import { createLogger } from "../../src/infra/log.js";
import type { Backend } from "./database.js";
import { createTestDatabase } from "./database.js";
import { FakeClock } from "./clock.js";
import { SandboxClient } from "./sandbox-client.js";

export interface TestApp {
  app: App;
  clock: FakeClock;
  client: SandboxClient;
  /** Lines the app logged (JSON), to assert nothing secret or personal was logged. */
  logs: string[];
  stop(): Promise<void>;
}

/** Today in these tests, unless a test says otherwise: Phase 1 of 2026 is over, its report late. */
export const DEFAULT_NOW = "2026-11-24T03:00:00.000Z";

export function testConfig(over: Partial<Config> = {}): Config {
  return {
    database: { kind: "pglite", dataDir: "memory://" },
    http: { port: 0, host: "127.0.0.1" },
    timeZone: "Asia/Ho_Chi_Minh",
    defaultLocale: "vi",
    sandbox: true,
    demoSeed: true,
    // Tests deliver the outbox themselves (client.deliverOutbox) so that what arrives when is deterministic.
    workers: false,
    logLevel: "info",
    delivery: { zaloPerSecond: 5, rateScale: 1, staleClaimMs: 120_000 },
    scheduler: { graceMs: 12 * 3_600_000 },
    ...over,
  };
}

export async function startTestApp(backend: Backend, opts: { now?: string; config?: Partial<Config> } = {}): Promise<TestApp> {
  const db = await createTestDatabase(backend);
  const clock = new FakeClock(opts.now ?? DEFAULT_NOW);
  const logs: string[] = [];
  const log = createLogger("info", (line) => logs.push(line));
  const app = await createApp(testConfig({ database: db.config, ...opts.config }), { clock, log });
  const client = new SandboxClient(app.url, () => app.sandbox!.idle(), () => app.outbox.tick().then(() => undefined));
  return {
    app,
    clock,
    client,
    logs,
    async stop() {
      await app.stop();
      await db.drop();
    },
  };
}
