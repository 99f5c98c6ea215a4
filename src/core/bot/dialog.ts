/**
 * Platform-neutral, persisted dialogs: (state, answer) → (next state, messages).
 *
 * A dialog is a set of named steps. Each step renders a prompt (text and optional
 * choices) and handles an answer: a choice (button, "1", "2"… or the label typed) or free
 * text. The state lives in the database under (chat, person), so a restart or another
 * instance continues the same dialog. Every prompt gets a fresh token that is part of its
 * choice ids, so a button from an older prompt is recognised as stale.
 */
import type { z } from "zod";
import type { Outbound } from "../model.js";
import type { DialogRecord } from "../ports.js";
import type { Ctx } from "./context.js";
import { randomId } from "../codes.js";
import { AppError, isAppError } from "../errors.js";

/** How long an idle dialog is kept before it is forgotten. */
export const DIALOG_TTL_MS = 24 * 60 * 60 * 1000;

export interface Prompt {
  text: string;
  choices?: { value: string; label: string }[];
}

export type Outcome<D> =
  /** Go to `step` with `data`; `notes` are sent before its prompt. */
  | { next: string; data: D; notes?: string[] }
  /** The answer was not acceptable: say why and ask the same question again. */
  | { retry: string }
  /** The dialog is over. */
  | { end: Outbound[] }
  /** Hand over to another dialog (e.g. after picking a unit). */
  | { handover: Outbound[] };

export interface Step<D> {
  prompt(ctx: Ctx, data: D): Promise<Prompt> | Prompt;
  /** A choice of this step's prompt was picked; `value` is the choice's value. */
  choose?(ctx: Ctx, data: D, value: string): Promise<Outcome<D>> | Outcome<D>;
  /** Free text was typed (and did not name a choice). Without it, only choices are accepted. */
  text?(ctx: Ctx, data: D, text: string): Promise<Outcome<D>> | Outcome<D>;
}

export interface DialogDef<D> {
  name: string;
  /** Validates the stored data when a dialog is resumed (after a restart or an upgrade). */
  schema: z.ZodType<D>;
  /**
   * Checked again before every answer: the person's rights now, not when the dialog began
   * (a revoked officer's open buttons change nothing and show nothing more). Throws an
   * AppError to refuse; the dialog is then closed.
   */
  guard?(ctx: Ctx, data: D): Promise<void>;
  steps: Record<string, Step<D>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDialog = DialogDef<any>;

export function dialogKey(ctx: Ctx): string {
  return `${ctx.chat.key}|${ctx.inbound.userId}`;
}

/** Choice ids sent to platforms: "<token>.<index>", short enough for Telegram's 64 bytes. */
export function choiceId(token: string, index: number): string {
  return `${token}.${index}`;
}

export function parseChoiceId(id: string): { token: string; index: number } | null {
  const m = /^([A-Za-z0-9_-]{4,16})\.(\d{1,3})$/.exec(id);
  return m ? { token: m[1]!, index: Number(m[2]) } : null;
}

export class DialogRunner {
  constructor(private readonly registry: Map<string, AnyDialog>) {}

  get(name: string): AnyDialog {
    const def = this.registry.get(name);
    if (!def) throw new Error(`unknown dialog ${name}`);
    return def;
  }

  /** Load the current dialog of this person in this chat, if one is alive. */
  async current(ctx: Ctx): Promise<DialogRecord | null> {
    const rec = await ctx.tx.getDialog(dialogKey(ctx));
    if (!rec) return null;
    if (rec.expiresAt.getTime() <= ctx.now.getTime() || !this.registry.has(rec.name)) {
      await ctx.tx.deleteDialog(rec.key);
      return null;
    }
    return rec;
  }

  /** Start `name` at `step` (default: its first step), replacing any dialog in progress. */
  async start<D>(ctx: Ctx, name: string, data: D, step?: string, notes: string[] = []): Promise<Outbound[]> {
    const def = this.get(name) as DialogDef<D>;
    const first = step ?? Object.keys(def.steps)[0]!;
    const existing = await ctx.tx.getDialog(dialogKey(ctx));
    return this.enter(ctx, def, first, data, existing?.version ?? null, notes, null);
  }

  /** Feed an answer (a choice id or text) to the dialog in progress. */
  async answer(ctx: Ctx, rec: DialogRecord, input: { choiceId?: string; text?: string }): Promise<Outbound[]> {
    const def = this.get(rec.name);
    const step = def.steps[rec.step];
    const parsed = def.schema.safeParse(rec.data);
    if (!step || !parsed.success) {
      // The stored dialog no longer fits the code (an upgrade changed it): start over politely.
      await ctx.tx.deleteDialog(rec.key);
      return [{ text: ctx.t("dialog.reset") }];
    }
    const data = parsed.data;
    if (def.guard) {
      try {
        await def.guard(ctx, data);
      } catch (e) {
        // The refusal rolls the update back; closing the dialog is recorded after that.
        if (!isAppError(e)) throw e;
        throw new AppError(e.code, e.params, async (tx) => tx.deleteDialog(rec.key));
      }
    }
    let outcome: Outcome<unknown>;
    if (input.choiceId !== undefined) {
      const c = parseChoiceId(input.choiceId);
      const picked = c && c.token === rec.token ? rec.choices[c.index] : undefined;
      if (!picked || !step.choose) return [{ text: ctx.t("dialog.stale_button") }];
      outcome = await step.choose(ctx, data, picked.id);
    } else {
      const text = (input.text ?? "").trim();
      const picked = matchChoice(text, rec.choices);
      if (picked && step.choose) outcome = await step.choose(ctx, data, picked.id);
      else if (step.text) outcome = await step.text(ctx, data, text);
      else outcome = { retry: ctx.t("dialog.pick_one", { max: rec.choices.length }) };
    }
    return this.apply(ctx, def, rec, outcome);
  }

  private async apply(ctx: Ctx, def: AnyDialog, rec: DialogRecord, outcome: Outcome<unknown>): Promise<Outbound[]> {
    if ("end" in outcome) {
      await ctx.tx.deleteDialog(rec.key);
      return outcome.end;
    }
    if ("handover" in outcome) return outcome.handover;
    if ("retry" in outcome) {
      const data = def.schema.parse(rec.data);
      return this.enter(ctx, def, rec.step, data, rec.version, [outcome.retry], rec);
    }
    return this.enter(ctx, def, outcome.next, outcome.data, rec.version, outcome.notes ?? [], null);
  }

  /** Render `step`'s prompt and persist the dialog there. */
  private async enter(
    ctx: Ctx,
    def: AnyDialog,
    stepName: string,
    data: unknown,
    expectedVersion: number | null,
    notes: string[],
    previous: DialogRecord | null,
  ): Promise<Outbound[]> {
    const step = def.steps[stepName];
    if (!step) throw new Error(`dialog ${def.name} has no step ${stepName}`);
    const prompt = await step.prompt(ctx, data);
    const choices = (prompt.choices ?? []).map((c) => ({ id: c.value, label: c.label }));
    // Re-asking the same question keeps the token, so the buttons already shown still work.
    const same = previous && previous.step === stepName && sameChoices(previous.choices, choices);
    const token = same ? previous.token : randomId(6);
    const saved = await ctx.tx.saveDialog(
      {
        key: dialogKey(ctx),
        personId: ctx.person.id,
        name: def.name,
        step: stepName,
        data,
        token,
        choices,
        expiresAt: new Date(ctx.now.getTime() + DIALOG_TTL_MS),
      },
      expectedVersion,
    );
    if (!saved) return [{ text: ctx.t("dialog.conflict") }];
    const out: Outbound[] = notes.map((text) => ({ text }));
    out.push({
      text: prompt.text,
      choices: choices.length ? choices.map((c, i) => ({ id: choiceId(token, i), label: c.label })) : undefined,
    });
    return out;
  }
}

function sameChoices(a: { id: string; label: string }[], b: { id: string; label: string }[]): boolean {
  return a.length === b.length && a.every((c, i) => c.id === b[i]!.id && c.label === b[i]!.label);
}

/** "2" → the second choice; a typed label (any case, any accents typed alike) → that choice. */
export function matchChoice<C extends { label: string }>(text: string, choices: C[]): C | undefined {
  if (!choices.length || !text) return undefined;
  const norm = (s: string) => s.normalize("NFC").trim().toLocaleLowerCase("vi");
  if (/^\d{1,3}$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= choices.length) return choices[n - 1];
  }
  return choices.find((c) => norm(c.label) === norm(text));
}
