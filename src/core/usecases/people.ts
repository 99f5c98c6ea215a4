/**
 * People, their platform identities, consent (Personal Data Protection Law 91/2025/QH15)
 * and their rights to see and erase what is stored about them.
 */
import type { Chat, Consent, Inbound, Locale, Person, Role } from "../model.js";
import { LOCALES } from "../model.js";
import type { Tx } from "../ports.js";
import type { Env } from "./env.js";
import { personId } from "./env.js";

/** What the privacy notice covers; bump the version when its text changes materially. */
export const CONSENT_PURPOSE = "movement";
export const NOTICE_VERSION = "2026-01";

export function localeFromHint(hint: string | undefined): Locale | null {
  const two = hint?.slice(0, 2).toLowerCase();
  return (LOCALES as readonly string[]).includes(two ?? "") ? (two as Locale) : null;
}

/**
 * Find or create the person behind an update, and the chat it came from. `known` is what
 * was already read of them (`Tx.openUpdate`); `rolesKnown` says whether its roles still
 * hold (not for a person just created).
 */
export async function resolveSpeaker(
  tx: Tx,
  inbound: Inbound,
  known?: { person: Person | null; chat: Chat | null },
): Promise<{ person: Person; chat: Chat; rolesKnown: boolean }> {
  const name = firstChars(inbound.userName.trim(), 200) || inbound.userId;
  let person = known ? known.person : await tx.findPersonByIdentity(inbound.userId);
  const rolesKnown = person !== null;
  if (!person) {
    person = await tx.createPerson({
      displayName: name,
      sandbox: inbound.platform === "web",
      locale: localeFromHint(inbound.languageHint),
      identityKey: inbound.userId,
      platform: inbound.platform,
    });
  } else if (person.displayName !== name && !person.erasedAt) {
    await tx.updatePerson(person.id, { displayName: name });
    person = { ...person, displayName: name };
  }
  const title = inbound.chatKind === "group" ? (inbound.chatTitle === undefined ? null : firstChars(inbound.chatTitle, 200)) : null;
  // The chat as read is the chat, unless it is new or its title changed.
  const chat =
    known?.chat && (title === null || title === known.chat.title)
      ? known.chat
      : await tx.upsertChat({ key: inbound.chatId, platform: inbound.platform, kind: inbound.chatKind, title, personId: inbound.chatKind === "private" ? person.id : null });
  return { person, chat, rolesKnown };
}

export async function hasConsent(tx: Tx, person: Person): Promise<boolean> {
  return (await tx.activeConsent(person.id, CONSENT_PURPOSE)) !== null;
}

export async function giveConsent(env: Env, chatKey: string): Promise<void> {
  const id = personId(env);
  if (await env.tx.activeConsent(id, CONSENT_PURPOSE)) return;
  await env.tx.addConsent(id, CONSENT_PURPOSE, NOTICE_VERSION, chatKey, env.now);
  await env.tx.audit(env.actor, { action: "consent.given", entity: "person", entityId: id, data: { notice: NOTICE_VERSION, chat: chatKey } });
}

export async function setLocale(env: Env, locale: Locale): Promise<void> {
  const id = personId(env);
  await env.tx.updatePerson(id, { locale });
  await env.tx.audit(env.actor, { action: "person.locale", entity: "person", entityId: id, data: { locale } });
}

export interface MyData {
  person: Person;
  identities: { key: string; platform: string; createdAt: Date }[];
  roles: Role[];
  consents: Consent[];
  actions: number;
}

/** Everything stored about the acting person (an access request, kept as such). */
export async function myData(env: Env): Promise<MyData> {
  const id = personId(env);
  const [person, identities, roles, consents, actions] = await Promise.all([
    env.tx.getPerson(id),
    env.tx.identitiesOf(id),
    env.tx.activeRoles(id),
    env.tx.consentsOf(id),
    env.tx.countAuditBy(id),
  ]);
  await env.tx.addDataRequest(id, "ACCESS", env.now);
  return { person: person!, identities, roles, consents, actions };
}

/**
 * Erase the acting person: the name is replaced, platform identities removed, roles and
 * consent ended. What they submitted for their unit stays, as the unit's record, under the
 * placeholder name; the audit trail keeps the pseudonymous id.
 */
export async function eraseMe(env: Env, placeholderName: string): Promise<void> {
  const id = personId(env);
  await env.tx.erasePerson(id, placeholderName, env.now);
  await env.tx.addDataRequest(id, "ERASE", env.now);
  await env.tx.audit(env.actor, { action: "person.erased", entity: "person", entityId: id });
}

/** The first `n` code points: a cut never splits an emoji's surrogate pair. */
function firstChars(text: string, n: number): string {
  return [...text].slice(0, n).join("");
}
