/**
 * Domain failures. Every code has a translation under `errors.<code>` in locales/, so a
 * failure always reaches the user as a sentence in their language, never as a stack trace.
 */
import type { Tx } from "./ports.js";

export const ERROR_CODES = [
  "not_officer",
  "not_officer_here",
  "settings_members_group",
  "no_units",
  "not_reviewer",
  "own_unit",
  "own_submission",
  "sandbox_boundary",
  "wrong_chat_kind",
  "group_not_linked",
  "members_group",
  "no_campaign",
  "phase_not_started",
  "invalid_code",
  "code_used",
  "code_expired",
  "too_many_attempts",
  "code_wrong_place",
  "already_linked",
  "already_submitted",
  "already_approved",
  "not_editable",
  "min_themes",
  "max_themes",
  "stale_state",
  "unit_closed",
  "unit_not_found",
  "person_not_found",
  "campaign_exists",
  "template_not_found",
  "consent_required",
  "not_group_admin",
  "identity_has_data",
  "conflict",
  "conflict_of_interest",
  "not_at_your_level",
  "campaign_closed",
  "campaign_number_required",
  "campaign_not_found",
  "not_issuer",
  "bad_deadline",
  "theme_incomplete",
  "code_exposed",
  "not_your_code",
  "invite_not_found",
  "same_platform_link",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A failure with a stable code the caller can branch on and translate. Throwing it rolls
 * back everything the update did; `afterRollback` is the one thing a refusal may record
 * (a failed code attempt), written in a fresh transaction.
 */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: ErrorCode,
    /** Values interpolated into the translated message. */
    readonly params: Record<string, string | number> = {},
    readonly afterRollback?: (tx: Tx) => Promise<void>,
  ) {
    super(code);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
