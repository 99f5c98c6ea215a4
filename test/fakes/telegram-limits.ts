/**
 * The flood limits of the fake Telegram server, as sliding windows over real time.
 *
 * Telegram documents three rules of thumb (core.telegram.org/bots/faq): about 30 messages
 * a second for the whole bot, 20 a minute into one group, about 1 a second into one chat.
 * Here: every send counts against the bot-wide window; a send into a group or supergroup
 * counts against that group's minute window; a send into a private chat counts against
 * that chat's second window (groups are governed by their minute rule instead). Telegram
 * tolerates short bursts in private chats; this model does not. A refused send does not
 * count. `scale` makes time run faster: the windows shrink by that factor and the counts
 * stay, so scale 10 allows 30 per 100 ms (300/s), 20 per 6 s per group (200/min).
 */

export interface LimitOptions {
  perBotPerSecond: number;
  perGroupPerMinute: number;
  perChatPerSecond: number;
  scale: number;
}

export const DEFAULT_LIMITS: LimitOptions = { perBotPerSecond: 30, perGroupPerMinute: 20, perChatPerSecond: 1, scale: 1 };

class Window {
  private readonly times: number[] = [];
  constructor(
    private readonly max: number,
    private readonly ms: number,
  ) {}

  /** Milliseconds until a slot frees, or 0 if one is free now. */
  waitMs(now: number): number {
    while (this.times.length > 0 && (this.times[0] as number) <= now - this.ms) this.times.shift();
    if (this.times.length < this.max) return 0;
    const freeing = this.times[this.times.length - this.max] as number;
    return freeing + this.ms - now;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

export class SendLimits {
  private readonly bot: Window;
  private readonly chats = new Map<number, Window>();

  constructor(readonly options: LimitOptions) {
    this.bot = new Window(options.perBotPerSecond, 1000 / options.scale);
  }

  /**
   * Counts a send into `chatId` if every window has room and returns 0; otherwise counts
   * nothing and returns retry_after in whole seconds (at least 1).
   */
  take(chatId: number, isGroup: boolean, now = Date.now()): number {
    const chat = this.chatWindow(chatId, isGroup);
    const wait = Math.max(this.bot.waitMs(now), chat.waitMs(now));
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    this.bot.add(now);
    chat.add(now);
    return 0;
  }

  private chatWindow(chatId: number, isGroup: boolean): Window {
    let w = this.chats.get(chatId);
    if (!w) {
      const { perGroupPerMinute, perChatPerSecond, scale } = this.options;
      w = isGroup ? new Window(perGroupPerMinute, 60_000 / scale) : new Window(perChatPerSecond, 1000 / scale);
      this.chats.set(chatId, w);
    }
    return w;
  }
}
