import type { Outbound } from "../../core/model.js";
import type { Channel } from "../channel.js";
import type { Transcript } from "./transcript.js";

/** Delivering to a sandbox chat is appending to its transcript. */
export function sandboxChannel(transcript: Transcript): Channel {
  return {
    platform: "web",
    async send(chatKey: string, message: Outbound) {
      return { messageId: String(await transcript.addBotMessage(chatKey, message)) };
    },
  };
}
