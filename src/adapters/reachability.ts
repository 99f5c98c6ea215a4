/**
 * Whether a door reaches its platform, as /readyz reports it, and the bounded wait for it
 * at start-up. A door starts down; it is up once the platform has answered, and down again
 * while calls fail for the network's or the platform's reasons (never for a refused
 * message). A door that cannot reach its platform does not hold start-up: after the wait
 * it says so in one line and keeps trying in the background.
 */
import type { Logger } from "../core/ports.js";

/** What /readyz shows of one door. */
export interface DoorStatus {
  readonly up: boolean;
  /** Why the door is down ("no answer yet", "network error", "token refused"); null when up. */
  readonly problem: string | null;
}

/** A door's reachability as it changes; `door` names the platform in log lines ("telegram", "zalo"). */
export class Reachability {
  private problem: string | null = "no answer yet";
  /** The operator was told the door is down: say so again when it comes up. */
  private announced = false;

  constructor(
    readonly door: string,
    private readonly log: Logger,
  ) {}

  get status(): DoorStatus {
    return { up: this.problem === null, problem: this.problem };
  }

  /** The platform answered. */
  reached(): void {
    if (this.problem === null) return;
    this.problem = null;
    if (this.announced) this.log.info(`${this.door} is reachable again`);
    this.announced = false;
  }

  /** A call failed for the network's or the platform's reasons; `problem` must hold no secret. */
  lost(problem: string): void {
    this.problem = problem;
  }

  /** Say once, in one line, that the door is down and what is wrong (nothing while it stays down). */
  announce(what: string): void {
    if (this.announced || this.problem === null) return;
    this.announced = true;
    this.log.error(`${this.door} ${what}`, { door: this.door, problem: this.problem });
  }
}

/** Backoff between background attempts to reach a platform: 1 s, doubling, at most a minute. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Waits for `connecting` at most `ms`: true when it finished, false when it is still going
 * (it goes on in the background). A failure within the wait (a refused token) is thrown.
 */
export async function waitAtMost(connecting: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([connecting.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}
