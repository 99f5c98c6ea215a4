/**
 * What a use case needs: the transaction, who acts, and when. Chat commands, the CLI and
 * the scheduler all build one and call the same use cases.
 */
import { AppError } from "../errors.js";
import type { Actor, Locale, LocalDate, Role, Unit } from "../model.js";
import { canActFor, isStrictAncestor } from "../permissions.js";
import { localDateOf } from "../time.js";
import type { ChatAdmins, Translate, Tx } from "../ports.js";

export interface Env {
  tx: Tx;
  actor: Actor;
  now: Date;
  today: LocalDate;
  translate: Translate;
  defaultLocale: Locale;
  timeZone: string;
  /** Active roles of the acting person (empty for the system). */
  roles(): Promise<Role[]>;
  /** Group administrator lookups of the platform, when it has them. */
  chatAdmins?: ChatAdmins;
}

/** The environment of work the bot does on its own (the scheduler, the CLI, seeding, chat events). */
export function systemEnv(
  tag: "cli" | "system" | "scheduler" | "seed",
  d: { tx: Tx; now: Date; translate: Translate; defaultLocale: Locale; timeZone: string },
): Env {
  return { ...d, actor: { kind: "system", tag }, today: localDateOf(d.now, d.timeZone), roles: async () => [] };
}

export function actorId(actor: Actor): number | null {
  return actor.kind === "person" ? actor.person.id : null;
}

/** The acting person's id; use cases that need a person refuse the system actor. */
export function personId(env: Env): number {
  const id = actorId(env.actor);
  if (id === null) throw new Error("this use case needs a person as actor");
  return id;
}

/** Throws unless the actor is an officer of `unit` (the CLI may act for any unit). */
export async function assertActsFor(env: Env, unit: Unit): Promise<void> {
  if (env.actor.kind === "system") return;
  if (unit.status !== "ACTIVE") throw new AppError("unit_closed", { unit: unit.name });
  if (env.actor.person.sandbox !== unit.demo) throw new AppError("sandbox_boundary");
  if (!canActFor(env.actor.person, await env.roles(), unit)) throw new AppError("not_officer", { unit: unit.name });
}

/** Throws unless the actor is an officer of `reviewer` and `reviewer` is strictly above `subject`. */
export async function assertReviews(env: Env, reviewer: Unit, subject: Unit): Promise<void> {
  await assertActsFor(env, reviewer);
  if (reviewer.id === subject.id) throw new AppError("own_unit");
  if (!isStrictAncestor(reviewer, subject)) throw new AppError("not_reviewer", { unit: subject.name });
}
