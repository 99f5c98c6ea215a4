/**
 * Invite codes: the only way authority enters the bot. An officer (or the CLI) creates a
 * code for a unit; whoever redeems it becomes an officer or member of that unit, or links
 * the group they post it in. A person can also ask for a code that links their account on
 * another platform to themselves. Codes are single-use unless made for members, expire,
 * are stored hashed, and failed attempts are limited per person.
 */
import { hashCode, normaliseCode, randomCode } from "../codes.js";
import { AppError } from "../errors.js";
import type { Chat, ChatPurpose, Invite, InviteKind, Person, Unit, UnitInviteKind } from "../model.js";
import { canManage, hasRole } from "../permissions.js";
import type { Env } from "./env.js";
import { actorId, personId } from "./env.js";
import { itemsFor } from "./notify.js";

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
  const invite = await findByCode(env, text);
  if (!invite) throw new AppError("invalid_code", {}, (tx) => tx.addFailedAttempt(identity, env.now));
  if (invite.revokedAt) throw new AppError("code_expired", { context: "revoked" });
  if (invite.expiresAt.getTime() <= env.now.getTime()) throw new AppError("code_expired");
  if (invite.uses >= invite.maxUses) throw new AppError("code_used");
  const groupCode = invite.kind === "GROUP_OFFICERS" || invite.kind === "GROUP_MEMBERS";
  if (groupCode !== (chat.kind === "group")) {
    // A code meant for one person, posted where a group reads it, is spent: revoke it and tell its maker.
    if (PERSONAL.includes(invite.kind)) throw new AppError("code_exposed", {}, (tx) => exposed({ ...env, tx }, invite, chat));
    throw new AppError("code_wrong_place", { context: groupCode ? "group" : "private" });
  }
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

/** Codes for exactly one person: seen by a group, they are no longer secret. */
const PERSONAL: InviteKind[] = ["OFFICER", "IDENTITY"];

/** The code `text` stands for, if any. The one place a typed code is looked up. */
export async function findByCode(env: Pick<Env, "tx">, text: string): Promise<Invite | null> {
  const normalised = normaliseCode(text);
  return normalised ? env.tx.findInvite(hashCode(normalised)) : null;
}

/** Revoke a personal code posted in a group (after the refusal rolled back), and tell whoever made it. */
async function exposed(env: Env, invite: Invite, chat: Chat): Promise<void> {
  if (!(await env.tx.revokeInvite(invite.id, env.now))) return;
  await env.tx.audit(env.actor, { action: "invite.revoked", entity: "invite", entityId: invite.id, unitId: invite.unitId, data: { reason: "posted_in_group", chat: chat.key } });
  const maker = invite.createdById ?? invite.personId;
  if (maker === null) return;
  const unit = invite.unitId !== null ? await env.tx.getUnit(invite.unitId) : null;
  const chats = await env.tx.privateChatsOf([maker]);
  const items = itemsFor(env, chats, {
    cause: `invite-exposed:${invite.id}`,
    kind: "invite_exposed",
    notice: null,
    render: (locale) =>
      env.translate(locale, "invite.exposed", { unit: unit?.name ?? "", context: unit ? undefined : "identity" }),
  });
  if (items.length) await env.tx.enqueue(items);
}

/** Live unit codes the acting person made, with their units, oldest first. */
export async function myLiveInvites(env: Env): Promise<{ invite: Invite; unit: Unit }[]> {
  const invites = await env.tx.liveInvites({ createdById: personId(env) }, env.now);
  const units = new Map((await env.tx.getUnits([...new Set(invites.map((i) => i.unitId!))])).map((u) => [u.id, u]));
  return invites.flatMap((invite) => (units.has(invite.unitId!) ? [{ invite, unit: units.get(invite.unitId!)! }] : []));
}

/**
 * Revoke a code so nobody can use it any more. A person may revoke only codes they made;
 * the CLI (an administrator) any. False when it was already revoked.
 */
export async function revokeInvite(env: Env, invite: Invite): Promise<boolean> {
  if (env.actor.kind === "person" && invite.createdById !== env.actor.person.id) throw new AppError("not_your_code");
  const done = await env.tx.revokeInvite(invite.id, env.now);
  if (done) await env.tx.audit(env.actor, { action: "invite.revoked", entity: "invite", entityId: invite.id, unitId: invite.unitId, data: { kind: invite.kind } });
  return done;
}

/**
 * Join this platform account to the person who asked for the code on another platform.
 * Only an account that is new here (no roles, no other accounts) can be joined: two
 * people's histories are never merged. A person has at most one account per platform, so
 * a second account of the same platform never takes over the first one's roles; and the
 * person's existing accounts are told of every new link, with the way to undo it.
 */
async function linkIdentity(env: Env, person: Person, chat: Chat, inviteId: number, target: number, userKey: string): Promise<Redeemed> {
  if (person.id === target) return { kind: "identity", already: true };
  const owner = await env.tx.getPerson(target);
  if (!owner || owner.erasedAt) throw new AppError("code_expired");
  if (owner.sandbox !== person.sandbox) throw new AppError("sandbox_boundary");
  const identities = await env.tx.identitiesOf(person.id);
  const platform = identities.find((i) => i.key === userKey)?.platform ?? userKey.slice(0, userKey.indexOf(":"));
  if ((await env.tx.identitiesOf(target)).some((i) => i.platform === platform)) throw new AppError("same_platform_link");
  const roles = await env.tx.activeRoles(person.id);
  if (roles.length || identities.length > 1) throw new AppError("identity_has_data");
  if (!(await env.tx.useInvite(inviteId, { personId: target, chatKey: chat.key }))) throw new AppError("code_used");
  // The accounts the person had until now hear of it in their private chats (read before the move adds this one's).
  const told = await env.tx.privateChatsOf([target]);
  await env.tx.moveIdentity(userKey, target, env.now);
  const notice = itemsFor(env, told, {
    cause: `identity-linked:${inviteId}`,
    kind: "identity_linked",
    notice: null,
    render: (locale) => env.translate(locale, "connect.notice", { platform: env.translate(locale, `platform.${platform}`), name: person.displayName }),
  });
  if (notice.length) await env.tx.enqueue(notice);
  // The account and its chats are the owner's now; so is its history, and its name may be
  // the owner's own: retire the empty person, erasing nothing else.
  await env.tx.erasePerson(person.id, `#${person.id}`, env.now, { traces: false });
  await env.tx.audit(env.actor, { action: "identity.linked", entity: "person", entityId: target, data: { platform: userKey.slice(0, userKey.indexOf(":")), from: person.id } });
  return { kind: "identity", already: false };
}

/** An account linked to the acting person after the one speaking: one the speaker may unlink. */
export interface LinkedAccount {
  key: string;
  platform: string;
  linkedAt: Date;
}

/**
 * Accounts the speaking account may unlink: those joined to the person after it was (the
 * first account may undo every link; a newly linked account cannot push out an older one).
 */
export async function unlinkable(env: Env, speakerKey: string): Promise<LinkedAccount[]> {
  const all = await env.tx.identitiesOf(personId(env));
  const me = all.find((i) => i.key === speakerKey);
  if (!me) return [];
  const since = me.linkedAt?.getTime() ?? -Infinity;
  return all.flatMap((i) => (i.key !== speakerKey && i.linkedAt && i.linkedAt.getTime() > since ? [{ key: i.key, platform: i.platform, linkedAt: i.linkedAt }] : []));
}

/** Undo a link made with /ketnoi: `key` becomes an account of its own again, with nothing of the person's. */
export async function unlinkAccount(env: Env, speakerKey: string, key: string, chatKey: string): Promise<void> {
  const account = (await unlinkable(env, speakerKey)).find((a) => a.key === key);
  if (!account) throw new AppError("stale_state");
  const own = await env.tx.detachIdentity(key, chatKey);
  await env.tx.audit(env.actor, { action: "identity.unlinked", entity: "person", entityId: personId(env), data: { platform: account.platform, to: own } });
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
