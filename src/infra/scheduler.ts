/**
 * node-cron ticks every minute (in the configured time zone) and asks the core what is due
 * since a grace window ago; each due job runs in its own transaction that records its key
 * first. So a restart catches up what was missed within the window, once; what is older is
 * skipped; and several instances ticking in the same minute post once.
 */
import cron, { type ScheduledTask } from "node-cron";
import type { Clock, Logger, Store, Translate } from "../core/ports.js";
import type { Locale } from "../core/model.js";
import { jobsBetween, stillTimely, type Job } from "../core/schedule.js";
import { runJob, type JobResult } from "../core/usecases/scheduled.js";
import { systemEnv } from "../core/usecases/env.js";

export interface SchedulerOptions {
  store: Store;
  clock: Clock;
  translate: Translate;
  defaultLocale: Locale;
  timeZone: string;
  log: Logger;
  /** What is due within this window before now is still posted (after downtime, once). */
  graceMs?: number;
  /** Called after a tick wrote messages (to wake the delivery worker). */
  onQueued?: () => void;
  /** Hourly (and at start): delete what is kept no longer than a while (handled updates). */
  housekeeping?: (now: Date) => Promise<void>;
}

export const DEFAULT_GRACE_MS = 12 * 60 * 60 * 1000;

export class Scheduler {
  private task: ScheduledTask | null = null;
  private hourly: ScheduledTask | null = null;
  private running: Promise<JobResult[]> | null = null;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    this.task = cron.schedule("* * * * *", () => void this.tick().catch((e: unknown) => this.o.log.error("scheduler tick failed", { error: e instanceof Error ? e.message : String(e) })), {
      timezone: this.o.timeZone,
      name: "thidua-scheduler",
      noOverlap: true,
    });
    // Catch up at once what came due while the process was down.
    void this.tick().catch((e: unknown) => this.o.log.error("scheduler catch-up failed", { error: e instanceof Error ? e.message : String(e) }));
    const housekeeping = this.o.housekeeping;
    if (housekeeping) {
      const run = () => void housekeeping(this.o.clock.now()).catch((e: unknown) => this.o.log.error("housekeeping failed", { error: e instanceof Error ? e.message : String(e) }));
      this.hourly = cron.schedule("7 * * * *", run, { timezone: this.o.timeZone, name: "thidua-housekeeping", noOverlap: true });
      run();
    }
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    await this.task?.destroy();
    this.task = null;
    await this.hourly?.stop();
    await this.hourly?.destroy();
    this.hourly = null;
    await this.running?.catch(() => undefined);
  }

  /** The jobs due in the grace window before `now` (default: the clock's now), done or not. */
  async due(now = this.o.clock.now()): Promise<Job[]> {
    const from = new Date(now.getTime() - (this.o.graceMs ?? DEFAULT_GRACE_MS));
    const campaigns = (await this.o.store.listCampaigns()).filter((c) => c.status === "ACTIVE");
    const commemorations = await this.o.store.commemorations(campaigns.map((c) => c.id));
    return jobsBetween(from, now, commemorations, campaigns, this.o.timeZone).filter((j) => stillTimely(j, now, this.o.timeZone));
  }

  /** Run what is due and not yet done. One tick at a time per process. */
  tick(now = this.o.clock.now()): Promise<JobResult[]> {
    this.running ??= this.run(now).finally(() => (this.running = null));
    return this.running;
  }

  private async run(now: Date): Promise<JobResult[]> {
    const jobs = await this.due(now);
    if (!jobs.length) return [];
    const done = await this.o.store.scheduledRunsDone(jobs.map((j) => j.key));
    const results: JobResult[] = [];
    for (const job of jobs.filter((j) => !done.has(j.key))) {
      const campaign = "campaignId" in job ? await this.o.store.getCampaign(job.campaignId) : job.commemoration.campaignId !== null ? await this.o.store.getCampaign(job.commemoration.campaignId) : null;
      const result = await this.o.store.transaction((tx) => runJob(systemEnv("scheduler", { ...this.o, tx, now }), job, campaign));
      if (result.ran) this.o.log.info("scheduled job ran", { job: job.key, messages: result.messages });
      results.push(result);
    }
    if (results.some((r) => r.messages)) this.o.onQueued?.();
    return results;
  }
}
