/**
 * Builds the platform doors the configuration asks for (Telegram, Zalo), wired to the
 * inbox, the engine and the translations. Part of the composition root, kept apart from
 * app.ts so that each stays readable.
 */
import type { BotCommand } from "grammy/types";
import type { Config } from "./config.js";
import { commandName } from "./core/bot/commands.js";
import type { BotEngine } from "./core/bot/engine.js";
import type { Locale } from "./core/model.js";
import type { Logger, Translate } from "./core/ports.js";
import type { Inbox } from "./infra/inbox.js";
import type { FileReader } from "./infra/files.js";
import { TelegramAdapter } from "./adapters/telegram/adapter.js";
import { ZaloAdapter } from "./adapters/zalo/adapter.js";

/** How long start-up waits for a platform to answer before going on without it. */
const DEFAULT_PLATFORM_WAIT_MS = 10_000;

export interface PlatformDeps {
  config: Config;
  engine: BotEngine;
  inbox: Inbox;
  files: FileReader;
  translate: Translate;
  log: Logger;
}

/** What Telegram shows in its command menu: Vietnamese names by default, English for "en". */
export function telegramCommands(engine: BotEngine, translate: Translate): { language: Locale | null; scope: "default" | "all_group_chats"; list: BotCommand[] }[] {
  const visible = engine.commands.filter((c) => c.names[0] && c.key !== "start");
  const list = (locale: Locale, group: boolean) =>
    visible.filter((c) => !group || c.inGroup).map((c) => ({ command: commandName(c, locale), description: translate(locale, `commands.${c.key}`).slice(0, 256) }));
  return [
    { language: null, scope: "default", list: list("vi", false) },
    { language: "en", scope: "default", list: list("en", false) },
    { language: null, scope: "all_group_chats", list: list("vi", true) },
    { language: "en", scope: "all_group_chats", list: list("en", true) },
  ];
}

export function createPlatforms(d: PlatformDeps): { telegram: TelegramAdapter | null; zalo: ZaloAdapter | null } {
  const { config } = d;
  const receive = (inbound: Parameters<Inbox["receive"]>[0]) => d.inbox.receive(inbound);
  const telegram = config.telegram
    ? new TelegramAdapter({
        ...config.telegram,
        publicUrl: config.publicUrl,
        receive,
        chatEvent: (e) => d.engine.chatEvent(e),
        inOrder: (key, task) => d.inbox.inOrder(key, task),
        files: d.files,
        commands: telegramCommands(d.engine, d.translate),
        waitMs: config.platformWaitMs ?? DEFAULT_PLATFORM_WAIT_MS,
        log: d.log,
      })
    : null;
  const zalo = config.zalo
    ? new ZaloAdapter({
        ...config.zalo,
        receive,
        fileLink: (id) => (config.publicUrl ? `${config.publicUrl}/files/${id}` : null),
        note: (key, params) => d.translate(config.defaultLocale, `zalo.${key}`, params),
        waitMs: config.platformWaitMs ?? DEFAULT_PLATFORM_WAIT_MS,
        log: d.log,
      })
    : null;
  return { telegram, zalo };
}
