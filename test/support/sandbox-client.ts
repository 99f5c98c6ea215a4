/**
 * Talks to the sandbox API like the web page does: post as someone in a chat, then read
 * what the bot answered. `settle` waits until the bot has handled everything posted
 * (in-process tests pass the app's own idle(); out-of-process tests poll).
 */
export interface Msg {
  seq: number;
  from: "bot" | "user";
  userName?: string;
  text: string;
  choices?: { id: string; label: string }[];
  file?: { name: string; url: string };
}

export interface Speaker {
  userId: string;
  userName?: string;
}

export interface Where {
  chatId: string;
  chatKind: "private" | "group";
  chatTitle?: string;
}

export function dm(userId: string): Where {
  return { chatId: `dm-${userId}`, chatKind: "private" };
}

export function group(chatId: string, chatTitle?: string): Where {
  return { chatId, chatKind: "group", chatTitle };
}

export class SandboxClient {
  /**
   * `settle` waits until the bot has handled everything posted (in-process tests pass the
   * app's own idle()); without it, `say` polls until an answer appears.
   */
  constructor(
    readonly baseUrl: string,
    private readonly settle?: () => Promise<void>,
    private readonly deliver: () => Promise<void> = async () => {},
  ) {}

  async post(body: unknown, contentType = "application/json"): Promise<Response> {
    return fetch(`${this.baseUrl}/sandbox/api/messages`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  /** Send text (or a choice id) and return the bot's answers to it. */
  async say(who: Speaker, where: Where, input: string | { choice: string }): Promise<Msg[]> {
    const body = { ...where, userId: who.userId, userName: who.userName ?? who.userId, ...(typeof input === "string" ? { text: input } : { choice: input.choice }) };
    const res = await this.post(body);
    if (res.status !== 202) throw new Error(`POST → ${res.status}: ${await res.text()}`);
    const { seq } = (await res.json()) as { seq: number };
    if (this.settle) {
      await this.settle();
      return (await this.messages(where.chatId, seq)).filter((m) => m.from === "bot");
    }
    return this.waitForAnswer(where.chatId, seq);
  }

  /** Poll until a bot message follows `seq` (and nothing more arrives for a moment). */
  async waitForAnswer(chatId: string, seq: number, timeoutMs = 20_000): Promise<Msg[]> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    let quietSince = 0;
    for (;;) {
      const bot = (await this.messages(chatId, seq)).filter((m) => m.from === "bot");
      if (bot.length && bot.length === seen && Date.now() - quietSince >= 150) return bot;
      if (bot.length !== seen) {
        seen = bot.length;
        quietSince = Date.now();
      }
      if (Date.now() > deadline) return bot;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Answer by picking the choice whose label contains `label` in the last bot message offering it. */
  async pick(who: Speaker, where: Where, label: string | RegExp): Promise<Msg[]> {
    const all = await this.messages(where.chatId);
    for (let i = all.length - 1; i >= 0; i--) {
      const c = all[i]!.choices?.find((x) => (typeof label === "string" ? x.label.includes(label) : label.test(x.label)));
      if (c) return this.say(who, where, { choice: c.id });
    }
    throw new Error(`no choice matching ${String(label)} in ${where.chatId}: ${JSON.stringify(all.slice(-2))}`);
  }

  async messages(chatId: string, after = 0): Promise<Msg[]> {
    const res = await fetch(`${this.baseUrl}/sandbox/api/messages?chatId=${encodeURIComponent(chatId)}&after=${after}`);
    if (!res.ok) throw new Error(`GET messages → ${res.status}`);
    return ((await res.json()) as { messages: Msg[] }).messages;
  }

  /** Run the outbox once, so notifications reach their chats. */
  async deliverOutbox(): Promise<void> {
    await this.deliver();
  }

  /** The last bot message in a chat. */
  async lastBot(chatId: string): Promise<Msg | undefined> {
    return (await this.messages(chatId)).filter((m) => m.from === "bot").at(-1);
  }
}

/** All texts of messages, joined: handy for `expect(text(...)).toContain()`. */
export function text(msgs: Msg[]): string {
  return msgs.map((m) => m.text).join("\n---\n");
}
