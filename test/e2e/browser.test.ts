/**
 * The web sandbox in a real browser (the Chromium of the npm package @sparticuz/chromium,
 * through playwright-core: nothing to install beyond `npm ci`), used as a
 * person would: read the persona list (each with unit and level), be Lê Văn Cường and then
 * the demo officer Nguyễn Văn An (each sees only their own chats), open the private chat,
 * type /dangky, click "Tôi đồng ý" (that question's buttons then go dim), click "Thêm nội
 * dung", add a theme whose title looks like HTML, then /lich; meanwhile the member Minh
 * writes in An's members' group, which gets an unread mark until An opens it; a refused
 * message is explained in Vietnamese. Proves that the page talks to the bot end to end,
 * renders Vietnamese with its diacritics, shows whatever the bot says as literal text (never
 * as HTML), and switches its labels between Vietnamese and English. Leaves a screenshot in
 * test-artifacts/sandbox.png.
 */
import { existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import sparticuz from "@sparticuz/chromium";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";
import { group } from "../support/sandbox-client.js";
import { FONTS_DIR } from "../../src/infra/fonts.js";
import { an, cuong, minh } from "../support/demo-people.js";

const CHROMIUM_ARGS = ["--no-sandbox", "--no-zygote", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const WAIT_MS = 30_000;
const SCREENSHOT = fileURLToPath(new URL("../../test-artifacts/sandbox.png", import.meta.url));
const TRICKY_TITLE = 'Tổ <b>đóng bao</b> & "số 1"';

// ---------- helpers: what a person does on the page ----------

/** The highest data-seq in the transcript (0 when empty): answers to come will be above it. */
async function lastSeq(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, ...[...document.querySelectorAll<HTMLElement>("#transcript .msg")].map((m) => Number(m.dataset.seq))));
}

/** Everything the transcript shows, as text. */
async function transcriptText(page: Page): Promise<string> {
  return (await page.locator("#transcript").textContent()) ?? "";
}

/** Types text in the composer and presses Enter; returns the seq the bot's answers will follow. */
async function send(page: Page, text: string): Promise<number> {
  const after = await lastSeq(page);
  const input = page.locator("#composer-input");
  await input.fill(text);
  await input.press("Enter");
  // The page shows what was sent once the server has stored it; the answers come after that.
  const shown = await page.waitForFunction(
    ({ text, after }) =>
      [...document.querySelectorAll<HTMLElement>('#transcript .msg[data-from="user"]')].find(
        (m) => Number(m.dataset.seq) > after && m.querySelector(".msg-text")?.textContent === text,
      )?.dataset.seq,
    { text, after },
    { timeout: WAIT_MS },
  );
  return Number(await shown.jsonValue());
}

/** Clicks the choice button labelled exactly `label` in the latest bot message offering it. */
async function clickChoice(page: Page, label: string): Promise<number> {
  const after = await lastSeq(page);
  const button = (scope: Page | ReturnType<Page["locator"]>) => scope.getByRole("button", { name: label, exact: true });
  const offering = page.locator(`#transcript .msg[data-from="bot"]`).filter({ has: button(page) }).last();
  await button(offering).click({ timeout: WAIT_MS });
  return after;
}

/** Waits for a bot message after seq `after` whose text contains `text`; returns that text. */
async function waitForBot(page: Page, text: string, after: number): Promise<string> {
  const found = await page
    .waitForFunction(
      ({ text, after }) =>
        [...document.querySelectorAll<HTMLElement>('#transcript .msg[data-from="bot"]')]
          .filter((m) => Number(m.dataset.seq) > after)
          .map((m) => m.querySelector(".msg-text")?.textContent ?? "")
          .find((t) => t.includes(text)),
      { text, after },
      { timeout: WAIT_MS },
    )
    .catch(async (e: unknown) => {
      throw new Error(`no bot message containing ${JSON.stringify(text)} after seq ${after}; transcript:\n${await transcriptText(page)}`, { cause: e });
    });
  return (await found.jsonValue()) as string;
}

/** The ids of the chats in the sidebar, in order. */
async function chatList(page: Page): Promise<string[]> {
  return page.locator("#chat-list .chat-item").evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.chatId ?? ""));
}

/** Chooses a persona in the select and waits until the page acts as them. */
async function become(page: Page, who: { userId: string; userName: string }): Promise<void> {
  await page.locator(`#persona-select option[value="${who.userId}"]`).waitFor({ state: "attached", timeout: WAIT_MS });
  await page.locator("#persona-select").selectOption(who.userId);
  await expect.poll(() => page.locator("#identity .identity-name").textContent(), { timeout: WAIT_MS }).toBe(who.userName);
}

// ---------- the steps ----------

/** Each persona is shown with their role, unit and the unit's level, grouped by level. */
async function checkPersonaLabels(page: Page): Promise<void> {
  const option = (userId: string) => page.locator(`#persona-select option[value="${userId}"]`);
  await option(cuong.userId).waitFor({ state: "attached", timeout: WAIT_MS });
  expect(await option(cuong.userId).textContent()).toBe("Lê Văn Cường — cán bộ, Công đoàn Tổng công ty Hóa chất Phương Bắc (cấp trên trực tiếp cơ sở)");
  expect(await option(an.userId).textContent()).toBe("Nguyễn Văn An — cán bộ, Công đoàn Công ty CP Phân bón Sông Cầu (cơ sở)");
  expect(await option(minh.userId).textContent()).toBe("Hoàng Văn Minh — đoàn viên, Công đoàn Công ty CP Phân bón Sông Cầu (cơ sở)");
  expect(await option("demo-khanh").textContent()).toBe("Phan Văn Khánh — cán bộ, Tổng Liên đoàn Lao động Việt Nam (Tổng Liên đoàn)");
  const levels = await page.locator("#persona-select optgroup").evaluateAll((groups) => groups.map((g) => g.getAttribute("label")));
  expect(levels).toEqual(["Tổng Liên đoàn", "Công đoàn ngành trung ương", "Công đoàn cấp trên trực tiếp cơ sở", "Công đoàn cơ sở"]);
}

/** Cường and An each see their private chat and their own units' groups, nothing else. */
async function checkChatsFollowThePersona(page: Page): Promise<void> {
  await become(page, cuong);
  await expect.poll(() => chatList(page), { timeout: WAIT_MS }).toEqual(["dm-demo-cuong", "grp-hoachat-officers"]);
  expect(await page.locator("#identity .identity-level").textContent()).toBe("Công đoàn cấp trên trực tiếp cơ sở");
  await page.locator('#chat-list button[data-chat-id="grp-hoachat-officers"]').click();
  await expect.poll(() => page.locator("#chat-title").textContent(), { timeout: WAIT_MS }).toBe("Nhóm cán bộ – Công đoàn Tổng công ty Hóa chất Phương Bắc");

  // An is not in Cường's group: the page opens An's private chat instead.
  await become(page, an);
  await expect.poll(() => chatList(page), { timeout: WAIT_MS }).toEqual(["dm-demo-an", "grp-phanbon-officers", "grp-phanbon-members"]);
  expect(await page.locator('#chat-list button[data-chat-id="grp-hoachat-officers"]').count()).toBe(0);
  expect(await page.locator("#chat-list [aria-current=true]").getAttribute("data-chat-id")).toBe("dm-demo-an");
  expect(await page.locator("#chat-title").textContent()).toBe("Chat riêng với bot");
}

/** As An, opens his private chat, types /dangky, agrees to the privacy notice. */
async function openRegistrationAsAn(page: Page): Promise<void> {
  await page.locator(`#chat-list button[data-chat-id="dm-${an.userId}"]`).click();
  await expect.poll(() => page.locator("#chat-title").textContent(), { timeout: WAIT_MS }).toBe("Chat riêng với bot");

  await waitForBot(page, "Bạn có đồng ý không?", await send(page, "/dangky"));
  expect(await page.locator("#transcript .choice").allTextContents()).toEqual(["Tôi đồng ý", "Không đồng ý"]);

  const menu = await waitForBot(page, "Đăng ký thi đua năm 2026 của Công đoàn Công ty CP Phân bón Sông Cầu", await clickChoice(page, "Tôi đồng ý"));
  expect(menu).toContain("Đã có 0 nội dung");
  // The clicked choice shows as what An said.
  expect(await page.locator('#transcript .msg[data-from="user"] .msg-text').allTextContents()).toEqual(["/dangky", "Tôi đồng ý"]);
  // The consent question is answered: its buttons stay readable but cannot be pressed again.
  const consent = page.locator('#transcript .msg[data-from="bot"]').filter({ hasText: "Bạn có đồng ý không?" }).last();
  expect(await consent.locator(".choice").allTextContents()).toEqual(["Tôi đồng ý", "Không đồng ý"]);
  expect(await consent.locator(".choice").evaluateAll((bs) => bs.map((b) => (b as HTMLButtonElement).disabled))).toEqual([true, true]);
  expect(await consent.locator(".choice.is-chosen").textContent()).toBe("Tôi đồng ý");
  // The menu that followed is the open question.
  const openQuestion = page.locator('#transcript .msg[data-from="bot"]').filter({ has: page.locator(".choice") }).last();
  expect(await openQuestion.getByRole("button", { name: "Thêm nội dung", exact: true }).isEnabled()).toBe(true);
}

/** Adds a theme in the first content area, titled with HTML-like text; it must show literally. */
async function addThemeLookingLikeHtml(page: Page): Promise<void> {
  await waitForBot(page, "Nội dung mới thuộc nội dung thi đua nào", await clickChoice(page, "Thêm nội dung"));
  const firstArea = ((await page.locator('#transcript .msg[data-from="bot"]').last().locator(".choice").first().textContent()) ?? "").trim();
  expect(firstArea).not.toBe("");
  await waitForBot(page, "Nhập tên nội dung thi đua", await clickChoice(page, firstArea));

  const sent = await send(page, TRICKY_TITLE);
  await waitForBot(page, "Đã thêm. Đơn vị có 1 nội dung.", sent);
  await waitForBot(page, "phục vụ nhiệm vụ trọng tâm", sent);
  await waitForBot(page, "Ai phụ trách", await send(page, "Dây chuyền đóng bao số 2"));
  await waitForBot(page, "nhập tên chỉ tiêu", await send(page, "Quản đốc phân xưởng"));
  await waitForBot(page, "Đơn vị tính", await send(page, "Sáng kiến được công nhận"));
  await waitForBot(page, "Kế hoạch cả năm", await send(page, "sáng kiến"));
  await waitForBot(page, "Đã thêm chỉ tiêu", await send(page, "20"));
  // The menu that follows lists the theme, exactly as typed.
  const menu = await waitForBot(page, "Đã có 1 nội dung", await clickChoice(page, "Hoàn tất"));
  expect(menu).toContain("Đã có 1 nội dung (cần ít nhất 2)");
  expect(menu).toContain(`1. ${TRICKY_TITLE} (thuộc nội dung thi đua 1)`);
  expect(await transcriptText(page)).toContain(TRICKY_TITLE);
  expect(await page.locator("#transcript b").count()).toBe(0);
  expect(await page.locator("#transcript").innerHTML()).toContain("Tổ &lt;b&gt;đóng bao&lt;/b&gt; &amp;");
  // Every question but the newest has been answered or overtaken: only the newest can be pressed.
  const questions = page.locator('#transcript .msg[data-from="bot"] .msg-choices');
  const enabled = await questions.evaluateAll((qs) => qs.map((q) => [...q.querySelectorAll("button")].some((b) => !b.disabled)));
  expect(enabled.length).toBeGreaterThan(2);
  expect(enabled).toEqual([...enabled.slice(0, -1).map(() => false), true]);
}

/** Minh writes in An's members' group while An reads his private chat: the group is marked unread. */
async function receiveInAnotherChat(page: Page, t: TestApp): Promise<void> {
  const membersGroup = page.locator('#chat-list button[data-chat-id="grp-phanbon-members"]');
  expect(await membersGroup.getAttribute("data-unread")).toBeNull();
  await t.client.say(minh, group("grp-phanbon-members", "Nhóm đoàn viên – Phân bón Sông Cầu"), "Chào các đồng chí, chiều nay họp tổ lúc 3 giờ.");
  await expect.poll(() => membersGroup.getAttribute("data-unread"), { timeout: WAIT_MS }).toBe("1");
  expect(await membersGroup.locator(".chat-item-unread").textContent()).toBe("1");
  expect(await membersGroup.locator(".chat-item-unread").getAttribute("aria-label")).toBe("Chưa đọc: 1");
  // Only that group: the open chat is being read, and the officers' group got nothing.
  expect(await page.locator("#chat-list [data-unread]").count()).toBe(1);
}

/** Opening the marked group shows Minh's message and clears the mark; An goes back to his private chat. */
async function readTheMarkedChat(page: Page): Promise<void> {
  const membersGroup = page.locator('#chat-list button[data-chat-id="grp-phanbon-members"]');
  await membersGroup.click();
  await expect.poll(() => transcriptText(page), { timeout: WAIT_MS }).toContain("chiều nay họp tổ lúc 3 giờ");
  expect(await membersGroup.getAttribute("data-unread")).toBeNull();
  await page.locator(`#chat-list button[data-chat-id="dm-${an.userId}"]`).click();
  await expect.poll(() => transcriptText(page), { timeout: WAIT_MS }).toContain("Lịch sắp tới:");
  expect(await page.locator("#chat-list [data-unread]").count()).toBe(0);
}

/** A message the server refuses, or that cannot reach it, is explained in Vietnamese, never in the server's words. */
async function showErrorsInVietnamese(page: Page): Promise<void> {
  const error = page.locator("#composer-error");
  const input = page.locator("#composer-input");
  await page.route("**/sandbox/api/messages", (route) =>
    route.request().method() === "POST" ? route.fulfill({ status: 500, contentType: "application/json", body: '{"error":"internal error"}' }) : route.fallback(),
  );
  await input.fill("/help");
  await input.press("Enter");
  await expect.poll(() => error.textContent(), { timeout: WAIT_MS }).toBe("Máy chủ đang gặp sự cố nên chưa gửi được. Vui lòng thử lại sau ít phút.");
  expect(await input.inputValue()).toBe("/help"); // kept, to send again
  await page.unroute("**/sandbox/api/messages");
  await page.route("**/sandbox/api/messages", (route) => (route.request().method() === "POST" ? route.abort("internetdisconnected") : route.fallback()));
  await input.press("Enter");
  await expect.poll(() => error.textContent(), { timeout: WAIT_MS }).toBe("Chưa gửi được vì mất kết nối. Vui lòng thử lại.");
  await page.unroute("**/sandbox/api/messages");
  await input.fill("");
}

/** Everything said so far is on the page, in Vietnamese with diacritics; keeps a screenshot. */
async function checkConversationAndScreenshot(page: Page): Promise<void> {
  const shown = await transcriptText(page);
  for (const s of ["Bạn có đồng ý không?", "Tôi đồng ý", "Công đoàn Công ty CP Phân bón Sông Cầu", "Lịch sắp tới:", TRICKY_TITLE]) expect(shown).toContain(s);
  expect(await page.locator(".brand-title").textContent()).toBe("Bot thi đua");

  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(existsSync(SCREENSHOT)).toBe(true);
  expect(statSync(SCREENSHOT).size).toBeGreaterThan(20_000);
}

/** The page's own labels follow #lang-select; what the bot said stays as said. */
async function switchToEnglishAndBack(page: Page): Promise<void> {
  const sendButton = page.locator("#composer-send");
  expect(await sendButton.textContent()).toBe("Gửi");

  await page.locator("#lang-select").selectOption("en");
  await expect.poll(() => sendButton.textContent(), { timeout: WAIT_MS }).toBe("Send");
  expect(await page.locator("#persona-heading").textContent()).toBe("Who are you?");
  expect(await page.locator("#chat-title").textContent()).toBe("Private chat with the bot");
  expect(await page.locator("html").getAttribute("lang")).toBe("en");
  expect(await transcriptText(page)).toContain("Lịch sắp tới:");

  await page.locator("#lang-select").selectOption("vi");
  await expect.poll(() => sendButton.textContent(), { timeout: WAIT_MS }).toBe("Gửi");
  expect(await page.locator("#persona-heading").textContent()).toBe("Đóng vai ai?");
}

/** The page's text is drawn in the Noto Sans the sandbox serves, with Vietnamese glyphs, whatever the machine has. */
async function checkShippedFont(page: Page): Promise<void> {
  const fonts = await page.evaluate(async () => {
    await document.fonts.ready;
    return {
      family: getComputedStyle(document.querySelector(".msg-text")!).fontFamily,
      loaded: [...document.fonts].filter((f) => f.status === "loaded").map((f) => `${f.family.replace(/"/g, "")} ${f.weight}`),
      vietnamese: document.fonts.check('15px "Noto Sans"', "Đồng chí Nguyễn Văn An đã đăng ký thi đua"),
    };
  });
  expect(fonts.family.startsWith('"Noto Sans"')).toBe(true);
  expect(fonts.loaded).toContain("Noto Sans 400");
  expect(fonts.vietnamese).toBe(true);
}

/**
 * A fontconfig file that shows the browser only the fonts the project ships: the same
 * fonts on every machine, and a machine with none of its own (Chromium stops at start
 * without any font) runs the test as well.
 */
function shippedFontsOnly(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "thidua-fonts-"));
  const file = path.join(dir, "fonts.conf");
  writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${FONTS_DIR}</dir>\n  <cachedir>${path.join(dir, "cache")}</cachedir>\n</fontconfig>\n`);
  return file;
}

// ---------- the test ----------

describe("the web sandbox in Chromium", () => {
  let t: TestApp | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await t?.stop();
    }
  });

  // One test, not a beforeAll: a failing hook would leave its tests "skipped", and a
  // missing browser must fail.
  it("shows personas with unit and level, each persona's own chats, unread marks and answered buttons; takes An through consent, a theme and /lich, in Vietnamese and English", { timeout: 300_000 }, async () => {
    // The npm package's browser unpacks itself into the temporary directory at first use.
    const executablePath = process.env.TEST_CHROMIUM || (await sparticuz.executablePath());
    if (!existsSync(executablePath)) throw new Error(`${executablePath} not found: TEST_CHROMIUM names no file`);
    t = await startTestApp("pglite");
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, env: { ...process.env, FONTCONFIG_FILE: shippedFontsOnly() } });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const refused: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(t.app.url);

    await checkPersonaLabels(page);
    await checkChatsFollowThePersona(page);
    await openRegistrationAsAn(page);
    await addThemeLookingLikeHtml(page);
    const calendar = await waitForBot(page, "Lịch sắp tới:", await send(page, "/lich"));
    expect(calendar).toMatch(/\d{2}\/\d{2}\/\d{4}/);
    await receiveInAnotherChat(page, t);
    await checkConversationAndScreenshot(page);
    await showErrorsInVietnamese(page);
    await readTheMarkedChat(page);
    await switchToEnglishAndBack(page);
    await checkShippedFont(page);
    expect(refused).toEqual([]);
  });
});
