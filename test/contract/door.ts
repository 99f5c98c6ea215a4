/**
 * A door is one way into the bot — the web sandbox, Telegram (polling or webhook), Zalo
 * (polling or webhook) — driven the way a person would use it there. The contract suite
 * runs the same journeys through every door and expects the same answers.
 */
import type { App } from "../../src/app.js";
import type { FakeClock } from "../support/clock.js";
import type { Addressing, Persona, Place } from "./world.js";

export interface Reply {
  text: string;
  /** Labels of the choices offered (buttons on Telegram and in the sandbox, numbered lines on Zalo). */
  choices: string[];
  file?: { name: string };
}

export interface Door extends Addressing {
  readonly name: string;
  readonly app: App;
  /** The bot's clock: journeys move it through the year. */
  readonly clock: FakeClock;
  /** Make a group exist on the platform with the bot in it, `admins` administering it. */
  prepareGroup(place: Place, admins: Persona[]): Promise<void>;
  /** Say `text` as `who` in `where`; the bot's answers once it has settled. */
  say(who: Persona, where: Place, text: string): Promise<Reply[]>;
  /** Pick the choice whose label matches, in the latest bot message offering it. */
  pick(who: Persona, where: Place, label: string | RegExp): Promise<Reply[]>;
  /** Press a button of an earlier message again (platforms with buttons only). */
  pressAgain?(who: Persona, where: Place, messagesBack: number, label: string | RegExp): Promise<Reply[]>;
  /** Every bot message in a place so far. */
  replies(where: Place): Promise<Reply[]>;
  /** Deliver what the outbox holds (notifications, announcements). */
  deliverOutbox(): Promise<void>;
  stop(): Promise<void>;
}

export function matches(label: string, want: string | RegExp): boolean {
  return typeof want === "string" ? label.includes(want) : want.test(label);
}

/** Wait until `probe` stays the same for `quietMs` (and `ready` holds), at most `timeoutMs`. */
export async function settle(probe: () => number, ready: () => boolean | Promise<boolean>, quietMs = 120, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = probe();
  let since = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 20));
    const now = probe();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
    if (Date.now() - since >= quietMs && (await ready())) return;
    if (Date.now() > deadline) return;
  }
}

export const joined = (rs: Reply[]) => rs.map((r) => r.text).join("\n---\n");
