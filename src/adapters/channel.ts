/**
 * What the delivery worker and the adapters share: a channel sends one message to one
 * chat of its platform and says, on failure, whether to retry, give up on the chat, or
 * drop the message.
 */
import type { Outbound } from "../core/model.js";

export interface Channel {
  /** The chat-key prefix this channel serves ("web", "tg", "zalo"). */
  readonly platform: string;
  send(chatKey: string, message: Outbound): Promise<{ messageId: string | null }>;
}

export type DeliveryFailure =
  /** Try again later (network, 5xx, 429): `retryAfterMs` when the platform said how long. */
  | "retry"
  /** The bot lost this chat (403, kicked, chat deleted): stop sending there. */
  | "gone"
  /** This message can never be sent (400 bad request): drop it. */
  | "fatal";

export class DeliveryError extends Error {
  override readonly name = "DeliveryError";
  constructor(
    readonly kind: DeliveryFailure,
    message: string,
    readonly retryAfterMs?: number,
    /** A group moved to a new id (Telegram supergroup migration). */
    readonly migratedTo?: string,
  ) {
    super(message);
  }
}

export function platformOf(chatKey: string): string {
  return chatKey.slice(0, chatKey.indexOf(":"));
}
