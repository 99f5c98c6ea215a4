/**
 * Invite codes: the only way authority enters the bot. An officer (or the CLI) creates a
 * code for a unit; whoever redeems it becomes an officer or member of that unit, or links
 * the group they post it in. A person can also ask for a code that links their account on
 * another platform to themselves. Codes are single-use unless made for members, expire,
 * are stored hashed, and failed attempts are limited per person.
 */
import { hashCode, normaliseCode, randomCode } from "../codes.js";
import { AppError } from "../errors.js";
import type { Chat, ChatPurpose, InviteKind, Person, Unit, UnitInviteKind } from "../model.js";
import { canManage, hasRole } from "../permissions.js";
import type { Env } from "./env.js";
import { actorId, personId } from "./env.js";

export const FAILED_ATTEMPTS_PER_HOUR = 5;

const DEFAULTS: Record<InviteKind, { days: number; uses: number }> = {
  OFFICER: { days: 7, uses: 1 },
  GROUP_OFFICERS: { days: 7, uses: 1 },
  GROUP_MEMBERS: { days: 7, uses: 1 },
  MEMBER: { days: 30, uses: 1000 },
  IDENTITY: { days: 1, uses: 1 },
};

export interface CreatedInvite {
  code: string;
  unit: Unit;
  kind: InviteKind;
  expiresAt: Date;
  maxUses: number;
}

/** Create a code for `unit`. Officers and administrators may do so for their unit and any unit below. */
export async function createInvite(env: Env, unit: Unit, kind: UnitInviteKind, opts: { days?: number; uses?: number } = {}): Promise<CreatedInvite> {
  if (env.actor.kind === "person") {
    if (env.actor.person.sandbox !== unit.demo) throw new AppError("sandbox_boundary");
    if (!canManage(env.actor.person, await env.roles(), unit)) throw new AppError("not_officer", { unit: unit.name });
  }
  if (unit.status !== "ACTIVE") throw new AppError("unit_closed", { unit: unit.name });
  const d = DEFAULTS[kind];
  const code = randomCode();
  const expiresAt = new Date(env.now.getTime() + (opts.days ?? d.days) * 86_400_000);
  const maxUses = opts.uses ?? d.uses;
  const invite = await env.tx.createInvite({ codeHash: hashCode(normaliseCode(code)!), unitId: unit.id, kind, createdById: actorId(env.actor), expiresAt, maxUses });
  await env.tx.audit(env.actor, { action: "invite.created", entity: "invite", entityId: invite.id, unitId: unit.id, data: { kind, expiresAt: expiresAt.toISOString(), maxUses } });
  return { code, unit, kind, expiresAt, maxUses };
}

/** A code with which the acting person links an account on another platform to themselves. */
export async function createIdentityCode(env: Env): Promise<{ code: string; expiresAt: Date }> {
  const id = personId(env);
  const code = randomCode();
  const expiresAt = new Date(env.now.getTime() + DEFAULTS.IDENTITY.days * 86_400_000);
  const invite = await env.tx.createInvite({ codeHash: hashCode(normaliseCode(code)!), unitId: null, personId: id, kind: "IDENTITY", createdById: id, expiresAt, maxUses: 1 });
  await env.tx.audit(env.actor, { action: "invite.created", entity: "invite", entityId: invite.id, data: { kind: "IDENTITY" } });
  return { code, expiresAt };
}

/** The key failed code attempts are counted under: the person, across all their chats. */
export function attemptKey(personId: number): string {
  return `person:${personId}`;
}

export type Redeemed =
  | { kind: "role"; role: "OFFICER" | "MEMBER"; unit: Unit; already: boolean }
  | { kind: "group"; purpose: ChatPurpose; unit: Unit; already: boolean }
  | { kind: "identity"; already: boolean };

/**
 * Redeem `text` as a code, said by `userKey` (the speaker's platform account) in `chat`.
 * Personal codes (officer, member, account link) work in a private chat; group codes in a
 * group, by one of its administrators where the platform can tell. Every failure changes
 * nothing but the attempt counter.
 */
export async function redeemInvite(env: Env, person: Person, chat: Chat, text: string, userKey: string): Promise<Redeemed> {
  // Counted per person, whatever the chat: a new group of one's own gives no fresh guesses.
  const identity = attemptKey(person.id);
  const since = new Date(env.now.getTime() - 3_600_000);
  if ((await env.tx.countFailedAttempts(identity, since)) >= FAILED_ATTEMPTS_PER_HOUR) throw new AppError("too_many_attempts");
  const normalised = normaliseCode(text);
  const invite = normalised ? await env.tx.findInvite(hashCode(normalised)) : null;
  if (!invite) throw new AppError("invalid_code", {}, (tx) => tx.addFailedAttempt(identity, env.now));
  if (invite.revokedAt || invite.expiresAt.getTime() <= env.now.getTime()) throw new AppError("code_expired");
  if (invite.uses >= invite.maxUses) throw new AppError("code_used");
  const groupCode = invite.kind === "GROUP_OFFICERS" || invite.kind === "GROUP_MEMBERS";
  if (groupCode !== (chat.kind === "group")) throw new AppError("code_wrong_place", { context: groupCode ? "group" : "private" });
  if (invite.kind === "IDENTITY") return linkIdentity(env, person, chat, invite.id, invite.personId!, userKey);

  const unit = (await env.tx.getUnit(invite.unitId!))!;
  if (unit.status !== "ACTIVE") throw new AppError("unit_closed", { unit: unit.name });
  if (person.sandbox !== unit.demo) throw new AppError("sandbox_boundary");

  if (groupCode) {
    const purpose: ChatPurpose = invite.kind === "GROUP_OFFICERS" ? "OFFICERS" : "MEMBERS";
    if (chat.unitId === unit.id && chat.purpose === purpose) return { kind: "group", purpose, unit, already: true };
    // Where the platform knows the group's administrators, only they may link it.
    if ((await env.chatAdmins?.isAdmin(chat.key, userKey)) === false) throw new AppError("not_group_admin");
    if (chat.unitId !== null && chat.unitId !== unit.id) {
      // Re-linking a group away from a unit needs an officer of that unit.
      const roles = await env.roles();
      if (!hasRole(roles, chat.unitId, ["OFFICER"])) {
        const current = await env.tx.getUnit(chat.unitId);
        throw new AppError("already_linked", { unit: current?.name ?? "" });
      }
    }
    if (!(await env.tx.useInvite(invite.id, { personId: person.id, chatKey: chat.key }))) throw new AppError("code_used");
    await env.tx.linkChat(chat.id, unit.id, purpose, person.id, env.now);
    await env.tx.audit(env.actor, { action: "chat.linked", entity: "chat", entityId: chat.id, unitId: unit.id, data: { purpose, invite: invite.id, previousUnit: chat.unitId } });
    return { kind: "group", purpose, unit, already: false };
  }

  const role = invite.kind === "OFFICER" ? "OFFICER" : "MEMBER";
  if (!(await env.tx.useInvite(invite.id, { personId: person.id, chatKey: chat.key }))) throw new AppError("code_used");
  const granted = await env.tx.grantRole(person.id, unit.id, role, null);
  await env.tx.audit(env.actor, { action: "role.granted", entity: "person", entityId: person.id, unitId: unit.id, data: { role, invite: invite.id } });
  return { kind: "role", role, unit, already: !granted };
}

/**
 * Join this platform account to the person who asked for the code on another platform.
 * Only an account that is new here (no roles, no other accounts) can be joined: two
 * people's histories are never merged.
 */
async function linkIdentity(env: Env, person: Person, chat: Chat, inviteId: number, target: number, userKey: string): Promise<Redeemed> {
  if (person.id === target) return { kind: "identity", already: true };
  const owner = await env.tx.getPerson(target);
  if (!owner || owner.erasedAt) throw new AppError("code_expired");
  if (owner.sandbox !== person.sandbox) throw new AppError("sandbox_boundary");
  const roles = await env.tx.activeRoles(person.id);
  const identities = await env.tx.identitiesOf(person.id);
  if (roles.length || identities.length > 1) throw new AppError("identity_has_data");
  if (!(await env.tx.useInvite(inviteId, { personId: target, chatKey: chat.key }))) throw new AppError("code_used");
  await env.tx.moveIdentity(userKey, target);
  await env.tx.erasePerson(person.id, `#${person.id}`, env.now);
  await env.tx.audit(env.actor, { action: "identity.linked", entity: "person", entityId: target, data: { platform: userKey.slice(0, userKey.indexOf(":")), from: person.id } });
  return { kind: "identity", already: false };
}

/** Grant a role directly (CLI). */
export async function grantRole(env: Env, person: Person, unit: Unit, role: "OFFICER" | "MEMBER" | "ADMIN"): Promise<boolean> {
  const created = await env.tx.grantRole(person.id, unit.id, role, actorId(env.actor));
  if (created) await env.tx.audit(env.actor, { action: "role.granted", entity: "person", entityId: person.id, unitId: unit.id, data: { role } });
  return created;
}

export async function revokeRole(env: Env, person: Person, unit: Unit, role: "OFFICER" | "MEMBER" | "ADMIN"): Promise<boolean> {
  const revoked = await env.tx.revokeRole(person.id, unit.id, role, actorId(env.actor), env.now);
  if (revoked) await env.tx.audit(env.actor, { action: "role.revoked", entity: "person", entityId: person.id, unitId: unit.id, data: { role } });
  return revoked;
}
