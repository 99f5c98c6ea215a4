/**
 * Domain types of the movement, independent of the database and of any platform.
 * Calendar dates are `LocalDate` strings ("2026-08-31"): a phase ends on a day in
 * Vietnam, not at an instant.
 */

/** "YYYY-MM-DD", a day in the configured time zone. */
export type LocalDate = string;

export type Locale = "vi" | "en";
export const LOCALES: readonly Locale[] = ["vi", "en"];

export type UnitLevel = "CONFEDERATION" | "SECTOR" | "UPPER_GRASSROOTS" | "GRASSROOTS" | "SECTION";
/** Order of levels from the top of the tree; a child is always deeper than its parent. */
export const LEVEL_ORDER: readonly UnitLevel[] = ["CONFEDERATION", "SECTOR", "UPPER_GRASSROOTS", "GRASSROOTS", "SECTION"];

export interface Unit {
  id: number;
  code: string;
  name: string;
  level: UnitLevel;
  parentId: number | null;
  /** "/1/4/9/": ids of the ancestors and of the unit itself, root first. */
  path: string;
  depth: number;
  status: "ACTIVE" | "CLOSED";
  demo: boolean;
}

export interface Person {
  id: number;
  displayName: string;
  locale: Locale | null;
  sandbox: boolean;
  erasedAt: Date | null;
}

export type RoleKind = "ADMIN" | "OFFICER" | "MEMBER";

export interface Role {
  id: number;
  personId: number;
  unitId: number;
  kind: RoleKind;
  unit: Unit;
}

export type InviteKind = "OFFICER" | "MEMBER" | "GROUP_OFFICERS" | "GROUP_MEMBERS" | "IDENTITY";
/** Codes an officer (or the CLI) makes for a unit. */
export type UnitInviteKind = Exclude<InviteKind, "IDENTITY">;

export interface Invite {
  id: number;
  /** Null for IDENTITY codes, which belong to a person instead. */
  unitId: number | null;
  personId: number | null;
  kind: InviteKind;
  expiresAt: Date;
  maxUses: number;
  uses: number;
  revokedAt: Date | null;
}

export type ChatKind = "private" | "group";
export type ChatPurpose = "OFFICERS" | "MEMBERS";

export interface Chat {
  id: number;
  key: string;
  platform: string;
  kind: ChatKind;
  title: string | null;
  unitId: number | null;
  purpose: ChatPurpose | null;
  personId: number | null;
  active: boolean;
  locale: Locale | null;
  /** Kinds of notice switched on (true) or off (false) here, over the defaults. */
  prefs: Partial<Record<NoticeKind, boolean>> | null;
}

/** Kinds of message the bot posts on its own that a group may switch off. */
export type NoticeKind = "anniversary" | "reminder" | "summary" | "commendation" | "announcement";
export const NOTICE_KINDS: readonly NoticeKind[] = ["anniversary", "reminder", "summary", "commendation", "announcement"];

export interface ContentArea {
  id: number;
  ordinal: number;
  title: string;
  summary: string;
}

export interface Phase {
  id: number;
  campaignId: number;
  ordinal: number;
  startsOn: LocalDate;
  endsOn: LocalDate;
  reportDeadline: LocalDate;
  dedication: string;
}

export interface Campaign {
  id: number;
  number: string;
  templateKey: string | null;
  year: number;
  title: string;
  goals: string;
  issuingUnitId: number;
  issuedOn: LocalDate;
  registrationDeadline: LocalDate;
  status: "DRAFT" | "ACTIVE" | "CLOSED";
  figureKeys: string[];
  areas: ContentArea[];
  phases: Phase[];
}

export type CampaignDateKind = "REGISTRATION_DEADLINE" | "REPORT_DEADLINE" | "PHASE_END" | "CONGRESS" | "OTHER";

export interface CampaignDate {
  campaignId: number;
  kind: CampaignDateKind;
  date: LocalDate;
  title: string;
}

export interface Commemoration {
  key: string;
  campaignId: number | null;
  month: number;
  day: number;
  baseYear: number | null;
  wholeMonth: boolean;
  titleVi: string;
  titleEn: string;
}

export type SubmissionStatus = "DRAFT" | "SUBMITTED" | "APPROVED" | "RETURNED" | "DECLINED";

export interface Theme {
  id: number;
  contentAreaId: number;
  title: string;
}

export interface Registration {
  id: number;
  unitId: number;
  campaignId: number;
  status: SubmissionStatus;
  submittedAt: Date | null;
  submittedById: number | null;
  decidedAt: Date | null;
  returnReason: string | null;
  /** Themes not removed, in order of creation. */
  themes: Theme[];
}

export interface PhaseReport {
  id: number;
  unitId: number;
  phaseId: number;
  status: SubmissionStatus;
  narrative: string;
  late: boolean;
  submittedAt: Date;
  submittedById: number | null;
  decidedAt: Date | null;
  returnReason: string | null;
  figures: Record<string, bigint>;
}

export type NomineeKind = "PERSON" | "COLLECTIVE";

export interface CommendationForm {
  id: number;
  code: string;
  nameVi: string;
  nameEn: string;
  grantorLevel: UnitLevel | null;
  forPerson: boolean;
  forCollective: boolean;
}

export interface Nomination {
  id: number;
  unitId: number;
  campaignId: number;
  phaseId: number | null;
  nomineeKind: NomineeKind;
  nomineeName: string;
  achievement: string;
  directWorker: boolean;
  formId: number;
  status: SubmissionStatus;
  submittedById: number | null;
  submittedAt: Date;
  decidedAt: Date | null;
  returnReason: string | null;
}

export type WorkStatus = "REGISTERED" | "RETURNED" | "REVIEWED" | "PROPOSED" | "PLAQUED" | "DECLINED";

export interface PlaqueWork {
  id: number;
  unitId: number;
  campaignId: number;
  name: string;
  description: string;
  completionOn: LocalDate | null;
  status: WorkStatus;
  submittedById: number | null;
  submittedAt: Date;
  decidedAt: Date | null;
  returnReason: string | null;
}

export type SubjectType = "REGISTRATION" | "REPORT" | "NOMINATION" | "WORK";
export type Decision = "APPROVE" | "RETURN" | "DECLINE" | "PROPOSE" | "PLAQUE";

/** Who did something: a person, or the operator at the CLI, or the bot itself. */
export type Actor = { kind: "person"; person: Person } | { kind: "system"; tag: "cli" | "system" | "scheduler" | "seed" };

export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string | number;
  unitId?: number | null;
  data?: Record<string, unknown>;
}

export interface Consent {
  purpose: string;
  noticeVersion: string;
  givenAt: Date;
  chatKey: string;
  withdrawnAt: Date | null;
}

export interface OutboxItem {
  /** Occurrence key: the same key written twice is one message. */
  key: string;
  kind: string;
  chatKey: string;
  text: string;
  choices?: Choice[];
  file?: { id: string; name: string };
  notBefore?: Date;
  /** When it was due (scheduled posts). */
  dueAt?: Date;
  broadcastId?: number;
}

export interface Choice {
  id: string;
  label: string;
}

/** A message towards a person or a chat, already translated. */
export interface Outbound {
  text: string;
  choices?: Choice[];
  file?: { id: string; name: string };
}

/** One update from any platform, mapped by its adapter. Ids are opaque prefixed strings. */
export interface Inbound {
  platform: string;
  chatId: string;
  chatKind: ChatKind;
  chatTitle?: string;
  userId: string;
  userName: string;
  text?: string;
  choice?: string;
  messageId?: string;
  /** Platform-wide unique id of this update ("tg:upd:123"), to handle a redelivery once. */
  updateId?: string;
  /** Language the platform reports for the user (Telegram language_code), if any. */
  languageHint?: string;
  /** A message the bot cannot read (a photo, a sticker, a voice note, protected content). */
  unsupported?: boolean;
}

/** Something that happened to a chat itself, as a platform reports it. */
export type ChatEvent =
  | { kind: "bot_removed"; chatKey: string }
  | { kind: "bot_added"; chatKey: string; chatTitle?: string }
  /** A Telegram group became a supergroup: same chat, new id. */
  | { kind: "migrated"; chatKey: string; newChatKey: string };
