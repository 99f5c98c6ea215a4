/**
 * Domain types of the movement, independent of the database and of any platform.
 * Calendar dates are `LocalDate` strings ("2026-08-31"): a phase ends on a day in
 * Vietnam, not at an instant.
 */
import type { ChartSpec } from "./charts.js";

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
  /** Set by an administrator while the unit has no officer in the bot: items go on to the next level. */
  reviewPassThrough: boolean;
  /** What its documents print after "BC-" or "TTr-" ("CĐHC"); null: made from its name. */
  abbreviation: string | null;
  /** Where its documents are issued ("Việt Trì"); null: Hà Nội. */
  place: string | null;
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
  /** Who made it (null: the CLI); officers may revoke the codes they made. */
  createdById: number | null;
  createdAt: Date;
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
  /** The deadlines are still the bot's defaults: the issuing union has not set them. */
  deadlinesDefault: boolean;
  /** Sections and teams are expected to register and report. */
  includeSections: boolean;
  closedAt: Date | null;
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

/** A concrete target of a theme (chỉ tiêu): "Sáng kiến được công nhận", "sáng kiến", 20. */
export interface Target {
  id: number;
  indicator: string;
  /** Unit of measure ("sáng kiến", "%", "triệu đồng"). */
  measure: string;
  planned: number;
}

export interface Theme {
  id: number;
  contentAreaId: number;
  title: string;
  /** The key task or key work it serves. */
  keyTask: string | null;
  /** Who is responsible. */
  responsible: string | null;
  /** Targets not removed, in order of creation. */
  targets: Target[];
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
  late: boolean;
  /** The unit whose officers must act on it now; null: nobody. */
  atUnitId: number | null;
  /** When it reached TLĐ (acknowledged there, or marked sent outside the bot). */
  filedAt: Date | null;
  filedOutside: boolean;
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
  atUnitId: number | null;
  figures: Record<string, bigint>;
  /** What was reached on each registered target (target id → value), cumulative for the year. */
  targets: Record<number, number>;
  /** The same, with each target as registered (removed ones too), for showing planned against reached. */
  reached: TargetReached[];
}

/** A target and the value a report says was reached on it. */
export interface TargetReached {
  target: Target;
  value: number;
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
  /** Position and workplace of a person, for the reward list. */
  position: string | null;
  achievement: string;
  directWorker: boolean;
  /** The form proposed. */
  formId: number;
  status: SubmissionStatus;
  submittedById: number | null;
  submittedAt: Date;
  decidedAt: Date | null;
  returnReason: string | null;
  atUnitId: number | null;
  /** The reward decided: form, granting unit, decision number and date. */
  grantedFormId: number | null;
  grantedByUnitId: number | null;
  decisionNumber: string | null;
  decisionDate: LocalDate | null;
}

export type WorkStatus = "REGISTERED" | "RETURNED" | "PROPOSED" | "PLAQUED" | "DECLINED";

export interface PlaqueWork {
  id: number;
  unitId: number;
  campaignId: number;
  name: string;
  description: string;
  completionOn: LocalDate | null;
  /** The level of the congress it honours: that level decides the plaque. */
  occasionLevel: UnitLevel;
  occasion: string | null;
  status: WorkStatus;
  submittedById: number | null;
  submittedAt: Date;
  decidedAt: Date | null;
  returnReason: string | null;
  atUnitId: number | null;
}

export type SubjectType = "REGISTRATION" | "REPORT" | "NOMINATION" | "WORK";
/**
 * A step on an item's path. SUBMIT: sent up; FORWARD: approved and sent on to the next level;
 * APPROVE: final at that level; GRANT: a reward decided; PLAQUE; RETURN; DECLINE; PASS: went
 * through a unit an administrator let pass; FILE: reached TLĐ; RECORD: TLĐ's decision taken
 * outside the bot, recorded by the level that proposed it. PROPOSE: rows of older versions.
 */
export type Decision = "SUBMIT" | "FORWARD" | "APPROVE" | "GRANT" | "RETURN" | "DECLINE" | "PLAQUE" | "PASS" | "FILE" | "RECORD" | "PROPOSE";

/** One step of an item's path, as shown to officers. */
export interface PathStep {
  decision: Decision;
  unit: Pick<Unit, "id" | "name" | "level">;
  /** Who took it (null: the bot, or an administrator at the CLI). */
  personId: number | null;
  personName: string | null;
  at: Date;
  note: string | null;
  toUnit: Pick<Unit, "id" | "name" | "level"> | null;
  formId: number | null;
  decisionNumber: string | null;
  decisionDate: LocalDate | null;
}

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
  /** A stored file sent with the text; one whose name ends in .png is sent as a picture (see isPicture). */
  file?: { id: string; name: string };
  /**
   * A picture still to be drawn, as plain data. The core never draws: after the update's
   * transaction, the step that hands replies to delivery renders it, stores the PNG and
   * sends it as a message of its own after this one's text (src/infra/chart-replies.ts).
   * Being data, it survives in the replies kept for crash recovery and is drawn again then.
   */
  chart?: ChartSpec;
}

/**
 * Whether a stored file is shown as a picture (Telegram sendPhoto, Zalo sendPhoto by
 * link, an inline image in the sandbox) rather than offered as a document. Decided by
 * the name, which travels everywhere a file does (outbox rows, the sandbox transcript).
 */
export function isPicture(name: string): boolean {
  return /\.png$/i.test(name);
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

/** Statuses in which an item waits for a level's decision. */
export const AWAITING_STATUSES: readonly string[] = ["SUBMITTED", "REGISTERED", "PROPOSED"];

/** Whether an item still waits for a decision its closed plan will never give. */
export function undecidedAtClose(campaign: Pick<Campaign, "status">, status: string | null | undefined): boolean {
  return campaign.status === "CLOSED" && !!status && AWAITING_STATUSES.includes(status);
}
