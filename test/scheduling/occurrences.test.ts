/**
 * The scheduler's two guards against posting an occurrence twice, on every backend (the
 * code path is the same on PGlite): a tick leaves out what is already done before it opens
 * any transaction, and a run that slips past that check (another instance read "not done"
 * a moment before this one recorded it) is refused by the occurrence's claim. And an
 * anniversary is posted on its day only: after downtime, a restart on a later day does not
 * post it, even when the grace window would still reach it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJob } from "../../src/core/usecases/scheduled.js";
import { systemEnv } from "../../src/core/usecases/env.js";
import type { Job } from "../../src/core/schedule.js";
import { backends } from "../support/database.js";
import { startTestApp, type TestApp } from "../support/app.js";

/** An instant given as Hà Nội wall-clock time. */
const hanoi = (local: string) => new Date(`${local}+07:00`);

describe.each(backends())("each occurrence once on %s", (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    // Two days of grace: long enough to reach yesterday's anniversary after downtime.
    t = await startTestApp(backend, { config: { scheduler: { graceMs: 48 * 3_600_000 } } });
  });
  afterAll(async () => t?.stop());

  const prisma = () => t.app.db.prisma;
  /** One job run the way the scheduler runs it, in its own transaction. */
  const runOnce = (job: Job, now: Date) =>
    t.app.store.transaction((tx) => runJob(systemEnv("scheduler", { tx, now, translate: t.app.translator.translate, defaultLocale: "vi", timeZone: "Asia/Ho_Chi_Minh" }), job, null));

  it("a second tick finds the occurrence done and runs nothing, not even a refused attempt", async () => {
    t.clock.set(hanoi("2027-05-19T07:00:20"));
    const first = await t.app.scheduler.tick();
    expect(first).toEqual([{ key: "anniv:all:hcm_birthday:2027-05-19", ran: true, messages: 2 }]);
    t.clock.set(hanoi("2027-05-19T07:01:20"));
    // Still due (within the grace window), but done: left out before any transaction.
    expect((await t.app.scheduler.due()).map((j) => j.key)).toEqual(["anniv:all:hcm_birthday:2027-05-19"]);
    expect(await t.app.scheduler.tick()).toEqual([]);
    expect(await prisma().outboxMessage.count({ where: { key: { startsWith: "anniv:all:hcm_birthday:2027-05-19" } } })).toBe(2);
  });

  it("a run that slipped past the check is refused by the claim: nothing written twice, the first count kept", async () => {
    const now = hanoi("2027-09-02T07:00:30");
    const [job] = (await t.app.scheduler.due(now)).filter((j) => j.key === "anniv:all:national_day:2027-09-02");
    expect(job).toBeDefined();
    // Two instances both read "not done", then run it one after the other.
    expect(await runOnce(job!, now)).toEqual({ key: job!.key, ran: true, messages: 2 });
    expect(await runOnce(job!, now)).toEqual({ key: job!.key, ran: false, messages: 0 });
    expect(await prisma().scheduledRun.findUniqueOrThrow({ where: { key: job!.key } })).toMatchObject({ messages: 2 });
    expect(await prisma().auditEvent.count({ where: { action: "scheduled.run", entityId: job!.key } })).toBe(1);
    expect(await prisma().outboxMessage.count({ where: { key: { startsWith: job!.key } } })).toBe(2);
  });

  it("after downtime, an anniversary is not posted on a later day, though the grace window reaches it", async () => {
    t.clock.set(hanoi("2027-02-02T12:00:00"));
    expect(await t.app.scheduler.tick()).toEqual([]);
    // Down from noon on 02/02 until 06:00 on 04/02: the 07:00 post of 03/02 is 23 hours old, within the grace.
    t.clock.set(hanoi("2027-02-04T06:00:00"));
    expect((await t.app.scheduler.due()).map((j) => j.key)).not.toContain("anniv:all:party_founding:2027-02-03");
    expect(await t.app.scheduler.tick()).toEqual([]);
    expect(await prisma().outboxMessage.count({ where: { kind: "anniversary", key: { contains: "party_founding" } } })).toBe(0);
    expect(await prisma().scheduledRun.count({ where: { key: { contains: "party_founding" } } })).toBe(0);
  });

  it("after downtime on the day itself, the anniversary is still posted, once", async () => {
    t.clock.set(hanoi("2027-04-30T06:59:00"));
    expect(await t.app.scheduler.tick()).toEqual([]);
    t.clock.set(hanoi("2027-04-30T15:00:00"));
    expect((await t.app.scheduler.tick()).map((r) => r.key)).toEqual(["anniv:all:liberation:2027-04-30"]);
    expect(await prisma().outboxMessage.count({ where: { kind: "anniversary", key: { contains: "liberation:2027-04-30" } } })).toBe(2);
  });
});
