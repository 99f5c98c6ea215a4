/**
 * What the core needs from the outside world. Implemented in src/infra (database, clock,
 * translations, spreadsheets); the core never sees how.
 */
import type {
  Actor,
  AuditEntry,
  Campaign,
  CampaignDate,
  Chat,
  ChatKind,
  ChatPurpose,
  CommendationForm,
  Commemoration,
  Consent,
  Invite,
  InviteKind,
  Locale,
  LocalDate,
  NomineeKind,
  Nomination,
  OutboxItem,
  Outbound,
  Person,
  Phase,
  PhaseReport,
  PlaqueWork,
  Registration,
  Role,
  RoleKind,
  SubjectType,
  SubmissionStatus,
  Target,
  Theme,
  Unit,
  UnitLevel,
  WorkStatus,
  Decision,
  PathStep,
} from "./model.js";
import type { ChartSpec } from "./charts.js";

/** An exemplar commended, as a summary names them. */
export interface CommendedName {
  name: string;
  unitName: string;
  directWorker: boolean;
}

/** A reward decided, as the final review names it. */
export interface DecidedReward extends CommendedName {
  formId: number;
  grantorName: string;
  decisionNumber: string | null;
  decisionDate: LocalDate | null;
}

export interface Clock {
  now(): Date;
}

/** Looks up `key` in the locale's catalogue and interpolates `params`. */
export type Translate = (locale: Locale, key: string, params?: Record<string, unknown>) => string;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * What a platform can tell about a chat beyond what the bot stores. Optional: Zalo has no
 * admin lookups, so its answer is null ("cannot tell") and only the bot's own roles count.
 */
export interface ChatAdmins {
  /** Whether `userKey` administers the group `chatKey`; null when the platform cannot tell. */
  isAdmin(chatKey: string, userKey: string): Promise<boolean | null>;
}

/** Renders tables to a spreadsheet file (xlsx). */
export interface SpreadsheetWriter {
  readonly extension: string;
  readonly mime: string;
  write(sheets: Sheet[]): Promise<Uint8Array>;
}

/**
 * An official union document (QĐ 933/QĐ-TLĐ, after Decree 30/2020) as the core composes
 * it: every text is final (translated, numbers grouped); the writer decides only how it
 * looks on A4.
 */
export interface OfficialDocument {
  /** The upper body over the issuing unit (top left, plain); null for the top of the tree. */
  upperBody: string | null;
  /** The issuing unit (top left, bold). */
  issuer: string;
  /** "Số: 12/BC-CĐCT"; null for a paper that is not numbered on its own (a list attached to a Tờ trình). */
  numberLine: string | null;
  /** "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and the motto (top right). */
  nation: string;
  motto: string;
  /** "Hà Nội, ngày 05 tháng 9 năm 2027" (italic, under the motto). */
  dateLine: string;
  /** "BÁO CÁO", "DANH SÁCH". */
  kind: string;
  /** The title under the kind, one paragraph per line (bold). */
  title: string[];
  /** An italic line under the title: "(Kèm theo Tờ trình số …/TTr-CĐHC ngày … tháng … năm …)". */
  attachedTo?: string;
  body: DocBlock[];
  /** "Nơi nhận:" and its lines ("- Như trên;", "- Lưu: VT."). */
  recipients: { head: string; lines: string[] };
  /** "TM. BAN THƯỜNG VỤ", "CHỦ TỊCH", the signer's name (or "…" to fill by hand). */
  signature: { capacity: string; position: string; name: string };
  /** Wide tables (the reward list) read better across the page. */
  landscape?: boolean;
}

export type DocCell = string | { text: string; align?: "left" | "center" | "right"; bold?: boolean };

export type DocBlock =
  | { kind: "heading"; text: string }
  | { kind: "paragraph"; text: string; italic?: boolean }
  | {
      kind: "table";
      header: string[];
      /** Relative column widths (any unit: they are scaled to the text width). */
      widths: number[];
      rows: DocCell[][];
      /** A last row in bold (totals). */
      totals?: DocCell[];
    };

/** Renders an official document as a word-processor file (docx). */
export interface DocumentWriter {
  readonly extension: string;
  readonly mime: string;
  write(doc: OfficialDocument): Promise<Uint8Array>;
}

/**
 * Draws a progress chart (built by `progressChart` in src/core/charts.ts) as a picture
 * file; the core decides what is shown, the renderer only how it looks.
 */
export interface ChartRenderer {
  readonly extension: string;
  readonly mime: string;
  render(spec: ChartSpec): Promise<Uint8Array>;
}

export interface Sheet {
  name: string;
  /** Lines above the table: the title block (plan number, unit, period, date made). */
  title?: string[];
  header: string[];
  /** Strings stay text, even one that looks like a formula ("=1+2"). */
  rows: (string | number | null)[][];
  /** How each column is shown: numbers grouped by thousands, percentages, wrapped text; width in characters. */
  columns?: SheetColumn[];
  /** Indentation per row of the first text column (tree depth), by row index. */
  indent?: number[];
  /** Rows shown in bold (totals and subtotals), by row index. */
  bold?: number[];
}

export interface SheetColumn {
  format?: "integer" | "decimal" | "percent";
  wrap?: boolean;
  width?: number;
}

export interface DialogRecord {
  key: string;
  personId: number;
  name: string;
  step: string;
  data: unknown;
  token: string;
  choices: { id: string; label: string }[];
  version: number;
  expiresAt: Date;
}

export interface ReviewItem {
  type: SubjectType;
  id: number;
  unit: Unit;
  status: SubmissionStatus | WorkStatus;
  submittedAt: Date;
  submittedById: number | null;
  /** Short label: nominee name, work name, phase ordinal, number of themes. */
  label: string;
  late: boolean;
  /** Nominations: a direct production worker (listed first). */
  directWorker: boolean;
  /** Where it waits: the reviewer itself, or (root without officers) the root. */
  atUnitId: number;
}

export interface ReviewQueue {
  items: ReviewItem[];
  total: number;
  /** Nominations in the whole queue, and how many of them are direct production workers. */
  nominations: number;
  directWorkers: number;
}

/** A step to add to an item's path. */
export interface NewStep {
  /** When the step was taken (the app's clock, not the database's). */
  at: Date;
  subjectType: SubjectType;
  subjectId: number;
  decision: Decision;
  reason: string | null;
  reviewerId: number | null;
  reviewerUnitId: number;
  toUnitId?: number | null;
  formId?: number | null;
  decisionNumber?: string | null;
  decisionDate?: LocalDate | null;
}

export interface ReportTotals {
  phaseId: number;
  /** Reports per status among the units below. */
  byStatus: Partial<Record<SubmissionStatus, number>>;
  late: number;
  /** Sum of each figure over submitted and approved reports. */
  totals: Record<string, bigint>;
}

export interface ChildProgress {
  unit: Unit;
  registration: SubmissionStatus | null;
  themes: number;
  /** Report status per phase id; absent: not sent. */
  reports: Record<number, { status: SubmissionStatus; late: boolean }>;
}

/** Who an officer's broadcast is for. */
export type BroadcastAudience = "members" | "officers_children" | "officers_subtree" | "all_subtree";
export const BROADCAST_AUDIENCES: readonly BroadcastAudience[] = ["members", "officers_children", "officers_subtree", "all_subtree"];

export interface Progress {
  /**
   * Active units strictly below that are expected to register and report (sections and
   * teams only when the campaign includes them).
   */
  expected: number;
  registrations: Partial<Record<SubmissionStatus, number>>;
  reports: ReportTotals[];
  nominations: Partial<Record<SubmissionStatus, number>>;
  directWorkersApproved: number;
  /** Nominations sent up from the subtree (any status but draft), and how many name direct production workers. */
  nominationsSent: number;
  directWorkersProposed: number;
  /** Direct production workers among the nominations still waiting for a decision. */
  directWorkersWaiting: number;
  works: Partial<Record<WorkStatus, number>>;
  /**
   * The targets (chỉ tiêu) registered below in sent or accepted registrations; how many a
   * sent report has answered (its latest phase counts: values are cumulative for the year);
   * how many of those reach their planned value.
   */
  targets: { registered: number; reported: number; reached: number };
  children: ChildProgress[];
}

export interface SubtreeSubmissions {
  registrations: Registration[];
  reports: PhaseReport[];
  nominations: Nomination[];
  works: PlaqueWork[];
}

export type NewCampaign = Pick<Campaign, "number" | "templateKey" | "year" | "title" | "goals" | "issuingUnitId" | "issuedOn" | "registrationDeadline" | "figureKeys"> & {
  areas: { ordinal: number; title: string; summary: string }[];
  phases: { ordinal: number; startsOn: LocalDate; endsOn: LocalDate; reportDeadline: LocalDate; dedication: string }[];
  dates: { kind: CampaignDate["kind"]; date: LocalDate; title: string }[];
};

export interface NewUnit {
  code: string;
  name: string;
  level: UnitLevel;
  parent: Unit | null;
  demo: boolean;
  abbreviation?: string | null;
  place?: string | null;
}

/** One unit of a bulk creation: its parent is a unit that exists, or an earlier item (by index). */
export interface NewUnitInBatch {
  code: string;
  name: string;
  level: UnitLevel;
  parent: Unit | number | null;
  demo: boolean;
  abbreviation?: string | null;
  place?: string | null;
}

/**
 * The database, as the core sees it. Every method runs in the transaction it was called
 * on; status changes are conditional (`from`) so two reviewers cannot both decide.
 */
export interface Tx {
  /** Run `fn` under a savepoint: if it throws, its writes are undone and the error rethrown. */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;

  // people
  findPersonByIdentity(key: string): Promise<Person | null>;
  createPerson(input: { displayName: string; sandbox: boolean; locale: Locale | null; identityKey: string; platform: string }): Promise<Person>;
  getPerson(id: number): Promise<Person | null>;
  updatePerson(id: number, patch: { displayName?: string; locale?: Locale | null }): Promise<void>;
  identitiesOf(personId: number): Promise<{ key: string; platform: string; createdAt: Date; linkedAt: Date | null }[]>;
  /**
   * Replace the name, remove identities, end roles and consents, and (unless `traces` is
   * false) the person's words, name and platform ids wherever else they are stored.
   */
  erasePerson(id: number, placeholderName: string, at: Date, opts?: { traces?: boolean }): Promise<void>;

  // roles
  activeRoles(personId: number): Promise<Role[]>;
  grantRole(personId: number, unitId: number, kind: RoleKind, grantedById: number | null): Promise<boolean>;
  revokeRole(personId: number, unitId: number, kind: RoleKind, revokedById: number | null, at: Date): Promise<boolean>;
  holdersOf(unitId: number, kind: RoleKind): Promise<Person[]>;

  // consent and data requests
  activeConsent(personId: number, purpose: string): Promise<Consent | null>;
  addConsent(personId: number, purpose: string, noticeVersion: string, chatKey: string, at: Date): Promise<void>;
  consentsOf(personId: number): Promise<Consent[]>;
  addDataRequest(personId: number, kind: "ACCESS" | "ERASE", completedAt: Date | null): Promise<void>;
  countAuditBy(personId: number): Promise<number>;

  // units
  getUnit(id: number): Promise<Unit | null>;
  getUnitByCode(code: string): Promise<Unit | null>;
  getUnits(ids: number[]): Promise<Unit[]>;
  childrenOf(unitId: number): Promise<Unit[]>;
  /** Active units strictly below `unit`. */
  descendantsOf(unit: Unit): Promise<Unit[]>;
  /**
   * The units of `root`'s subtree (root included) that have active units directly below
   * them, with how many, in the order of `descendantsOf` (root first). Active units only,
   * root whatever its status.
   */
  unitsWithUnitsBelow(root: Unit): Promise<{ unit: Unit; children: number }[]>;
  allUnits(): Promise<Unit[]>;
  createUnit(input: NewUnit): Promise<Unit>;
  /**
   * Create many units in a few statements (a whole federation's tree), rows identical to
   * `createUnit`'s (path, depth, first parent-history edge). Items come parents first.
   */
  createUnits(items: NewUnitInBatch[]): Promise<Unit[]>;
  renameUnit(id: number, name: string): Promise<void>;
  /** Set what the unit's documents print (abbreviation, place); a field left out stays, null clears it. */
  setUnitDetails(id: number, details: { abbreviation?: string | null; place?: string | null }): Promise<void>;
  /** Re-parent a unit and its subtree, closing the old parent edge in the history. */
  moveUnit(unit: Unit, newParent: Unit, byId: number | null, at: Date): Promise<Unit>;
  closeUnit(id: number, at: Date): Promise<void>;

  // chats
  upsertChat(input: { key: string; platform: string; kind: ChatKind; title: string | null; personId: number | null }): Promise<Chat>;
  getChat(key: string): Promise<Chat | null>;
  linkChat(chatId: number, unitId: number, purpose: ChatPurpose, byId: number, at: Date): Promise<void>;
  chatsOfUnit(unitId: number, purpose: ChatPurpose): Promise<Chat[]>;
  privateChatsOf(personIds: number[]): Promise<Chat[]>;
  setChatLocale(chatId: number, locale: Locale | null): Promise<void>;
  setChatActive(key: string, active: boolean): Promise<Chat | null>;
  /** The chat got a new platform id (Telegram supergroup migration): follow it. */
  migrateChat(oldKey: string, newKey: string): Promise<Chat | null>;
  /** Attach a platform identity to another person (linking a second platform account). */
  moveIdentity(key: string, toPersonId: number, at: Date): Promise<void>;
  /**
   * Undo a link: the account `key` becomes a person of its own (no roles, no consent),
   * taking its platform's private chats of the person with it, except `keepChatKey`.
   */
  detachIdentity(key: string, keepChatKey: string): Promise<number>;

  // invites
  createInvite(input: { codeHash: string; unitId: number | null; personId?: number | null; kind: InviteKind; createdById: number | null; expiresAt: Date; maxUses: number }): Promise<Invite>;
  findInvite(codeHash: string): Promise<Invite | null>;
  /** Count one use if uses < maxUses; false when the code is exhausted. */
  useInvite(id: number, by: { personId: number | null; chatKey: string | null }): Promise<boolean>;
  getInvite(id: number): Promise<Invite | null>;
  /** Unit codes still usable at `now` (not revoked, not expired, uses left), made by `createdById` or for `unitId`; oldest first. */
  liveInvites(where: { createdById?: number; unitId?: number }, now: Date): Promise<Invite[]>;
  /** Mark a code revoked; false if it already was. */
  revokeInvite(id: number, at: Date): Promise<boolean>;
  countFailedAttempts(identityKey: string, since: Date): Promise<number>;
  addFailedAttempt(identityKey: string, at: Date): Promise<void>;

  // campaigns and reference data
  activeCampaignsIssuedBy(unitIds: number[]): Promise<Campaign[]>;
  /** Active campaigns issued by units strictly below `unit` (their items may reach it), newest first. */
  activeCampaignsIssuedBelow(unit: Pick<Unit, "id" | "path">): Promise<Campaign[]>;
  /**
   * Items of the campaign sent up by the units below that reached `unitId` at some step
   * of their path (sent, forwarded or passed to it), newest first: at most `limit`, with
   * how many there are and how many wait there now.
   */
  /** Items of the campaign still waiting for a level's decision (held somewhere), by kind. */
  pendingItems(campaignId: number): Promise<Record<SubjectType, number>>;
  itemsReaching(unitId: number, campaignId: number, limit: number): Promise<{ items: { type: SubjectType; id: number; atUnitId: number | null }[]; total: number; waiting: number }>;
  getCampaign(id: number): Promise<Campaign | null>;
  listCampaigns(): Promise<Campaign[]>;
  findCampaign(issuingUnitId: number, year: number, number: string): Promise<Campaign | null>;
  createCampaign(input: NewCampaign): Promise<Campaign>;
  /**
   * The issuing union set the deadlines: store them (the campaign no longer uses the
   * defaults) and replace the calendar's deadline rows (REGISTRATION_DEADLINE, REPORT_DEADLINE) by `dates`.
   */
  setCampaignDeadlines(id: number, input: { registrationDeadline: LocalDate; phases: { id: number; reportDeadline: LocalDate }[]; dates: NewCampaign["dates"] }): Promise<void>;
  /** Close an active campaign (read-only from then on); false if it was not active. */
  closeCampaign(id: number, byId: number | null, at: Date): Promise<boolean>;
  campaignDates(campaignIds: number[]): Promise<CampaignDate[]>;
  commemorations(campaignIds: number[]): Promise<Commemoration[]>;
  upsertCommemoration(c: Commemoration): Promise<void>;
  commendationForms(): Promise<CommendationForm[]>;
  upsertCommendationForm(f: Omit<CommendationForm, "id"> & { ordinal: number }): Promise<void>;

  // theme registrations
  getRegistration(unitId: number, campaignId: number): Promise<Registration | null>;
  getRegistrationById(id: number): Promise<Registration | null>;
  createRegistration(unitId: number, campaignId: number): Promise<Registration>;
  addTheme(registrationId: number, contentAreaId: number, title: string): Promise<Theme>;
  /** Change what is given of a theme; fields left undefined stay as they are. */
  updateTheme(themeId: number, patch: ThemePatch): Promise<void>;
  removeTheme(themeId: number, at: Date): Promise<void>;
  addTarget(themeId: number, input: NewTarget): Promise<Target>;
  /** Targets are never deleted by chat either: removal is a mark, and reports keep pointing at them. */
  removeTarget(targetId: number, at: Date): Promise<void>;
  transitionRegistration(id: number, from: SubmissionStatus[], patch: StatusPatch<SubmissionStatus>): Promise<boolean>;

  // phase reports
  getReport(unitId: number, phaseId: number): Promise<PhaseReport | null>;
  getReportById(id: number): Promise<PhaseReport | null>;
  createReport(input: ReportInput): Promise<PhaseReport>;
  /** Replace the content of a returned report and submit it again. */
  resubmitReport(id: number, input: ReportInput): Promise<boolean>;
  transitionReport(id: number, from: SubmissionStatus[], patch: StatusPatch<SubmissionStatus>): Promise<boolean>;
  getPhase(id: number): Promise<Phase | null>;

  // nominations
  createNomination(input: NewNomination): Promise<Nomination>;
  getNomination(id: number): Promise<Nomination | null>;
  nominationsOf(unitId: number, campaignId: number): Promise<Nomination[]>;
  /** Replace the whole content of a returned nomination and submit it again. */
  updateNominationContent(id: number, patch: NominationContent & { submittedAt: Date; submittedById: number }): Promise<boolean>;
  transitionNomination(id: number, from: SubmissionStatus[], patch: StatusPatch<SubmissionStatus>): Promise<boolean>;

  // plaque works
  createWork(
    input: Pick<PlaqueWork, "unitId" | "campaignId" | "name" | "description" | "completionOn" | "occasionLevel" | "occasion"> & { submittedById: number; submittedAt: Date },
  ): Promise<PlaqueWork>;
  getWork(id: number): Promise<PlaqueWork | null>;
  worksOf(unitId: number, campaignId: number): Promise<PlaqueWork[]>;
  updateWorkContent(id: number, patch: { description: string; submittedAt: Date; submittedById: number }): Promise<boolean>;
  transitionWork(id: number, from: WorkStatus[], patch: StatusPatch<WorkStatus>): Promise<boolean>;

  // review and progress
  /**
   * Items waiting at `reviewer` (atUnitId), and — `alsoAt` — items waiting at that unit (a
   * root without officers) sent from `reviewer`'s subtree. Registrations, reports,
   * nominations (direct workers first), works; oldest first.
   */
  reviewQueue(reviewer: Unit, opts: { campaignIds: number[]; limit: number; offset: number; alsoAt: number | null }): Promise<ReviewQueue>;
  /** Add a step to an item's path. */
  addStep(step: NewStep): Promise<void>;
  /** An item's whole path, oldest first. */
  pathOf(type: SubjectType, id: number): Promise<PathStep[]>;
  /** Record a reward decided on a nomination (it must still be SUBMITTED at `atUnitId`). */
  grantNomination(id: number, atUnitId: number, grant: { formId: number; unitId: number; decisionNumber: string | null; decisionDate: LocalDate | null; at: Date }): Promise<boolean>;
  /** A registration reached TLĐ (acknowledged there, or marked sent outside the bot). */
  fileRegistration(id: number, atUnitId: number, outside: boolean, at: Date): Promise<boolean>;
  /** Let a unit's items go on to the next level (no officer there yet), or stop doing so. */
  setPassThrough(unitId: number, on: boolean): Promise<void>;
  /** Items waiting at a unit now (any campaign). */
  itemsAt(unitId: number): Promise<{ type: SubjectType; id: number }[]>;
  /** Set who must act on an item next (null: nobody). */
  setHolder(type: SubjectType, id: number, atUnitId: number | null): Promise<void>;
  /** Whether a unit has at least one active officer. */
  hasOfficers(unitId: number): Promise<boolean>;
  progress(unit: Unit, campaign: Campaign): Promise<Progress>;
  /** `progress` but the children, for many units of `under`'s subtree at once (the scheduler's summaries to every level). */
  progressMany(units: Unit[], under: Unit, campaign: Campaign): Promise<Map<number, Omit<Progress, "children">>>;
  /**
   * What `unit` and every unit below it sent in the campaign, in one statement per kind for
   * the whole subtree (a sector union's documents read thousands of units): registrations
   * with their themes and targets, the reports of its phases with figures and results,
   * nominations and works (by id), as `getRegistration`, `getReport`, `nominationsOf` and
   * `worksOf` give them one unit at a time.
   */
  submissionsBelow(unit: Unit, campaignId: number): Promise<SubtreeSubmissions>;

  // what the scheduler and broadcasts need, set-based (thousands of units)
  /** Members' groups and members' private chats of `unit` and every unit below (null: everywhere). */
  memberChatsBelow(unit: Unit | null): Promise<Chat[]>;
  /** Officers' groups per unit; a unit with none gets its officers' private chats. */
  officerChatsOf(unitIds: number[]): Promise<Map<number, Chat[]>>;
  /** Active units strictly below `issuer` that have not sent their registration (phaseId null) or the phase's report. */
  /** Units below the issuer that have not sent (sections and teams only when the campaign includes them). */
  unsubmitted(issuer: Unit, campaign: Pick<Campaign, "id" | "includeSections">, phaseId: number | null): Promise<Unit[]>;
  /**
   * The same units with their officers' chats (officers' groups, or where a unit has none
   * its officers' private chats), per unit in `unsubmitted`'s order; units no chat reaches
   * are left out. One statement for a reminder to tens of thousands of units.
   */
  unsubmittedOfficerChats(issuer: Unit, campaign: Pick<Campaign, "id" | "includeSections">, phaseId: number | null): Promise<Map<number, { name: string; chats: Chat[] }>>;
  setChatPrefs(chatId: number, prefs: Chat["prefs"]): Promise<void>;
  /** Members' groups and the private chats of each unit's members, per unit (summaries to 1,366 units at once). */
  memberChatsOf(unitIds: number[]): Promise<Map<number, Chat[]>>;
  /**
   * Approved nominations for a phase, or for the whole campaign, listed under every unit
   * above the nominating unit within `root`'s subtree (root included, the nominating unit
   * itself not): up to `limit` per unit, newest first. One read for all the summaries.
   */
  approvedNominationsBelow(root: Unit, of: { phaseId: number } | { campaignId: number }, limit: number): Promise<Map<number, CommendedName[]>>;
  /**
   * Rewards decided in a campaign (approved with a granting unit), listed under every unit
   * above the nominating unit within `root`'s subtree as `approvedNominationsBelow`: up to
   * `limit` per unit, newest first. For the final review.
   */
  rewardsDecidedBelow(root: Unit, campaignId: number, limit: number): Promise<Map<number, DecidedReward[]>>;
  /** Mark a broadcast complete if nothing is left to send; its counts when this call completed it. */
  completeBroadcast(id: number, at: Date): Promise<{ total: number; sent: number; failed: number; chatKey: string } | null>;
  createBroadcast(input: { unitId: number; createdById: number | null; chatKey: string; total: number; audience: BroadcastAudience }): Promise<number>;
  broadcastProgress(id: number): Promise<{ total: number; sent: number; failed: number; pending: number; chatKey: string; unitId: number } | null>;
  /** Record a scheduled occurrence as done; false if it already was (another tick or instance). */
  claimScheduledRun(key: string, at: Date): Promise<boolean>;
  finishScheduledRun(key: string, messages: number): Promise<void>;
  /** Which of these occurrence keys are already done. */
  scheduledRunsDone(keys: string[]): Promise<Set<string>>;

  // trail, outbox, files
  audit(actor: Actor, entry: AuditEntry): Promise<bigint>;
  /** The same as `audit` for each entry, in a few statements. */
  auditMany(actor: Actor, entries: AuditEntry[]): Promise<void>;
  /** Insert messages; an occurrence key already present is skipped. Returns how many were new. */
  enqueue(items: OutboxItem[]): Promise<number>;
  saveFile(input: { id: string; name: string; mime: string; data: Uint8Array; ownerId: number | null }): Promise<void>;

  // inbound deduplication
  /** Record `key` as being handled; if it was already, the replies it got (empty if none were kept). */
  claimUpdate(key: string, at: Date): Promise<Outbound[] | null>;
  /** Keep the replies given to `key` for a redelivery; written with the transaction's commit (the last thing an update writes). */
  saveUpdateReplies(key: string, replies: Outbound[]): Promise<void>;
  /**
   * What every update needs first, in one round trip: claim its key (as `claimUpdate`,
   * when it has one), and read the speaker by identity, their active roles and the chat.
   * `previous` is non-null when the key was claimed before (the replies kept then).
   */
  openUpdate(q: { key: string | null; at: Date; identityKey: string; chatKey: string }): Promise<OpenedUpdate>;

  // dialogs
  getDialog(key: string): Promise<DialogRecord | null>;
  /** Write the dialog if its version is still `expectedVersion` (null: must not exist). */
  saveDialog(record: Omit<DialogRecord, "version">, expectedVersion: number | null): Promise<boolean>;
  deleteDialog(key: string): Promise<void>;
}

export type NewNomination = Pick<
  Nomination,
  "unitId" | "campaignId" | "phaseId" | "nomineeKind" | "nomineeName" | "position" | "achievement" | "directWorker" | "formId" | "submittedById" | "submittedAt"
>;

/** What an officer writes in a nomination (and may change after a return). */
export type NominationContent = Pick<Nomination, "phaseId" | "nomineeKind" | "nomineeName" | "position" | "achievement" | "directWorker" | "formId">;

export interface ThemePatch {
  title?: string;
  keyTask?: string;
  responsible?: string;
}

export type NewTarget = Omit<Target, "id">;

export interface StatusPatch<S> {
  status: S;
  /** Who must act next (undefined: unchanged). */
  atUnitId?: number | null;
  /** Only if it waits there now (undefined: wherever it is). */
  whereAt?: number | null;
  /** Registrations: sent after the deadline. */
  late?: boolean;
  submittedAt?: Date;
  submittedById?: number;
  decidedAt?: Date | null;
  returnReason?: string | null;
}

export interface ReportInput {
  unitId: number;
  phaseId: number;
  narrative: string;
  late: boolean;
  figures: Record<string, bigint>;
  /** Value reached per registered target id. */
  targets: Record<number, number>;
  submittedAt: Date;
  submittedById: number;
}

export interface OpenedUpdate {
  previous: Outbound[] | null;
  person: Person | null;
  /** The person's active roles (null when there is no such person). */
  roles: Role[] | null;
  chat: Chat | null;
}

export interface TransactionOptions {
  /** How long the transaction may run (default 30 s); bulk work such as a tree import needs more. */
  timeoutMs?: number;
}

export interface Store extends Tx {
  /** Run `fn` in one database transaction; it commits when `fn` resolves. */
  transaction<T>(fn: (tx: Tx) => Promise<T>, opts?: TransactionOptions): Promise<T>;
}

export type { NomineeKind };
