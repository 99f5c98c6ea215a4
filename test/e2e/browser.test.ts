/**
 * The web sandbox in a real browser (Debian's Chromium through playwright-core), used as a
 * person would: pick the demo officer Nguyễn Văn An, open the private chat, type /dangky,
 * click "Tôi đồng ý", click "Thêm nội dung", add a theme whose title looks like HTML, then
 * /lich. Proves that the page talks to the bot end to end, renders Vietnamese with its
 * diacritics, shows whatever the bot says as literal text (never as HTML), and switches its
 * labels between Vietnamese and English. Leaves a screenshot in test-artifacts/sandbox.png.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/app.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const WAIT_MS = 15_000;
const SCREENSHOT = fileURLToPath(new URL("../../test-artifacts/sandbox.png", import.meta.url));
const an = { userId: "demo-an", userName: "Nguyễn Văn An" }; // officer of Phân bón Sông Cầu
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

// ---------- the steps ----------

/** Chooses An, opens his private chat, types /dangky, agrees to the privacy notice. */
async function openRegistrationAsAn(page: Page): Promise<void> {
  await page.locator(`#persona-select option[value="${an.userId}"]`).waitFor({ state: "attached", timeout: WAIT_MS });
  await page.locator("#persona-select").selectOption(an.userId);
  await expect.poll(() => page.locator("#identity .identity-name").textContent(), { timeout: WAIT_MS }).toBe(an.userName);
  await page.locator(`#chat-list button[data-chat-id="dm-${an.userId}"]`).click();
  await expect.poll(() => page.locator("#chat-title").textContent(), { timeout: WAIT_MS }).toBe("Chat riêng với bot");

  await waitForBot(page, "Bạn có đồng ý không?", await send(page, "/dangky"));
  expect(await page.locator("#transcript .choice").allTextContents()).toEqual(["Tôi đồng ý", "Không đồng ý"]);

  const menu = await waitForBot(page, "Đăng ký thi đua năm 2026 của Công đoàn Công ty CP Phân bón Sông Cầu", await clickChoice(page, "Tôi đồng ý"));
  expect(menu).toContain("Đã có 0 nội dung");
  // The clicked choice shows as what An said.
  expect(await page.locator('#transcript .msg[data-from="user"] .msg-text').allTextContents()).toEqual(["/dangky", "Tôi đồng ý"]);
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
  expect(await page.locator("#persona-heading").textContent()).toBe("Bạn là ai?");
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
  it("takes An through consent, registering a theme and /lich, in Vietnamese and English", { timeout: 120_000 }, async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} not found: this test needs Debian's Chromium. Install the "chromium" package (apt-get install chromium).`);
    }
    t = await startTestApp("pglite");
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(t.app.url);

    await openRegistrationAsAn(page);
    await addThemeLookingLikeHtml(page);
    const calendar = await waitForBot(page, "Lịch sắp tới:", await send(page, "/lich"));
    expect(calendar).toMatch(/\d{2}\/\d{2}\/\d{4}/);
    await checkConversationAndScreenshot(page);
    await switchToEnglishAndBack(page);
  });
});
