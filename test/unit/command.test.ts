import { describe, it, expect } from "vitest";
import { parseCommand } from "../../src/core/bot/engine.js";

describe("recognising commands in messages", () => {
  it("a bare command has no arguments", () => {
    expect(parseCommand("/dangky")).toEqual({ name: "dangky", args: "" });
  });

  it("the bot's @username after the command is dropped and the rest are the arguments", () => {
    expect(parseCommand("/lienket@thidua_bot ABCD-1234-EFGH")).toEqual({ name: "lienket", args: "ABCD-1234-EFGH" });
  });

  it("a command typed in mixed case is read in lower case", () => {
    expect(parseCommand("/BaoCao")).toEqual({ name: "baocao", args: "" });
  });

  it("spaces around the message are ignored", () => {
    expect(parseCommand(" /help ")).toEqual({ name: "help", args: "" });
  });

  it("arguments keep their inner spacing and case but are trimmed", () => {
    expect(parseCommand("/lienket   abcd 1234  efgh  ")).toEqual({ name: "lienket", args: "abcd 1234  efgh" });
  });

  it("arguments may start on the next line", () => {
    expect(parseCommand("/thongbao\nHọp lúc 8 giờ\nPhòng 2")).toEqual({ name: "thongbao", args: "Họp lúc 8 giờ\nPhòng 2" });
  });

  it("underscores are part of the name", () => {
    expect(parseCommand("/my_data")).toEqual({ name: "my_data", args: "" });
  });

  it.each(["hello", "/", "", "   ", "/ dangky", "dangky /help", "//help", "/dangky@", "/dang-ky"])("%j is not a command", (text) => {
    expect(parseCommand(text)).toBeNull();
  });
});
