/**
 * Diagnostic, not part of `npm run bench`: build the Confederation-size tree (BENCH_CONFED_GRASSROOTS,
 * default 5000) on PostgreSQL or PGlite (CONFED_BACKEND), then EXPLAIN ANALYZE every SQL
 * statement that the store's `progress` (at TLD), `unsubmitted` (phase 1) and
 * `unsubmittedOfficerChats` (the reminder minute's read) send, captured as they are sent.
 */
import { performance } from "node:perf_hooks";
import { openDatabase } from "../src/infra/db/open.js";
import { createStore } from "../src/infra/store/index.js";
import { prepareConfederation } from "./confederation.js";
import { emptyDatabase, type Backend } from "./setup.js";

const backend = (process.env.CONFED_BACKEND ?? "postgres") as Backend;
const grassroots = Number(process.env.BENCH_CONFED_GRASSROOTS ?? 5000);
const fresh = await emptyDatabase(backend);
const db = await openDatabase(fresh.config);
try {
  const store = createStore(db);
  const setupMs = { tree: 0, campaign: 0, state: 0, analyze: 0 };
  const world = await prepareConfederation(db, store, grassroots, (l) => console.error(l), setupMs);
  // The store sends its SQL through the driver (db.sql) or Prisma's raw query: both are captured.
  const captured: { sql: string; args: unknown[] }[] = [];
  const client = db.prisma as unknown as { $queryRawUnsafe: (sql: string, ...args: unknown[]) => Promise<unknown> };
  const original = client.$queryRawUnsafe.bind(client);
  client.$queryRawUnsafe = (sql: string, ...args: unknown[]) => {
    captured.push({ sql, args });
    return original(sql, ...args);
  };
  // Through the driver: statements as text (queryText, queryMany) and as Prisma.Sql (query).
  const driver = db.sql as unknown as Record<"queryText" | "queryMany" | "query", (...args: unknown[]) => Promise<unknown>>;
  for (const method of ["queryText", "queryMany", "query"] as const) {
    const send = driver[method].bind(driver);
    driver[method] = (...args: unknown[]) => {
      if (method === "query") {
        const q = args[0] as { text: string; values: unknown[] };
        captured.push({ sql: q.text, args: q.values });
      } else captured.push({ sql: args[0] as string, args: args.slice(1) });
      return send(...args);
    };
  }
  const phase1 = world.campaign.phases.find((p) => p.ordinal === 1)!;
  for (const [name, run] of [
    ["progress TLD", () => store.progress(world.top, world.campaign)],
    ["unsubmitted p1", () => store.unsubmitted(world.top, world.campaign, phase1.id)],
    ["unsubmittedOfficerChats p1 (the reminder minute's read)", () => store.unsubmittedOfficerChats(world.top, world.campaign, phase1.id)],
  ] as const) {
    captured.length = 0;
    for (let i = 0; i < 3; i++) await run();
    const t = performance.now();
    await run();
    console.log(`\n===== ${name}: ${Math.round(performance.now() - t)} ms warm, ${captured.length / 4} raw statements`);
    for (const q of captured.slice(-captured.length / 4)) {
      const rows = (await original(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, ...q.args)) as { "QUERY PLAN": string }[];
      console.log(`\n--- ${q.sql.replace(/\s+/g, " ").slice(0, 140)}…`);
      for (const r of rows) console.log(r["QUERY PLAN"]);
    }
  }
} finally {
  await db.close();
  await fresh.cleanup();
}
