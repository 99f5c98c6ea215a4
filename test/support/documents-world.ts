/**
 * A movement worth writing up, built on the demo world through the project's own use
 * cases, as the officers would in chat: two grassroots unions under Hóa chất Phương Bắc
 * register two themes with targets, report Phase 1, nominate (one of them a person named
 * "=1+2", which must stay text in a spreadsheet) and register a plaque work; Cường accepts
 * the reports and decides a Giấy khen with a decision number. Feeds the document tests and
 * `npm run preview`.
 */
import type { App } from "../../src/app.js";
import type { Campaign, Locale, Unit } from "../../src/core/model.js";
import type { Tx } from "../../src/core/ports.js";
import type { Env } from "../../src/core/usecases/env.js";
import { addTarget, addTheme, submitRegistration, submitReport, updateTheme } from "../../src/core/usecases/submissions.js";
import { nominate, registerWork } from "../../src/core/usecases/awards.js";
import { decide, reviewQueue } from "../../src/core/usecases/review.js";
import { campaignsFor } from "../../src/core/usecases/campaigns.js";
import { localDateOf } from "../../src/core/time.js";
import { webId } from "../../src/seed/seed.js";

/** The environment of a demo persona acting in a transaction. */
export async function personaEnv(app: App, tx: Tx, userId: string, now: Date): Promise<Env> {
  const person = (await tx.findPersonByIdentity(webId(userId)))!;
  const locale: Locale = app.config.defaultLocale;
  return {
    tx,
    actor: { kind: "person", person },
    now,
    today: localDateOf(now, app.config.timeZone),
    translate: app.translator.translate,
    defaultLocale: locale,
    timeZone: app.config.timeZone,
    roles: () => tx.activeRoles(person.id),
  };
}

export interface DocumentsWorld {
  campaign: Campaign;
  hoachat: Unit;
  phanbon: Unit;
  pinaq: Unit;
}

const FIGURES = {
  DEMO_PHANBON: { participants: 1250n, initiatives: 12n, initiative_value: 1_250_000_000n, savings: 430_000_000n, works_completed: 2n, commended: 15n },
  DEMO_PINAQ: { participants: 980n, initiatives: 7n, initiative_value: 815_500_000n, savings: 120_000_000n, works_completed: 1n, commended: 9n },
};

/** `engineerName`: the second nominee's name; the tests keep the formula-looking "=1+2", the preview a person's name. */
export async function buildDocumentsWorld(app: App, now: Date, o: { engineerName?: string } = {}): Promise<DocumentsWorld> {
  const unit = async (code: string) => (await app.store.getUnitByCode(code))!;
  const hoachat = await unit("DEMO-HOACHAT");
  const phanbon = await unit("DEMO-PHANBON");
  const pinaq = await unit("DEMO-PINAQ");
  const campaign = (await app.store.transaction(async (tx) => campaignsFor(await personaEnv(app, tx, "demo-an", now), phanbon))).find((c) => c.status === "ACTIVE")!;
  const phase = campaign.phases[0]!;
  const forms = await app.store.commendationForms();
  const form = (code: string) => forms.find((f) => f.code === code)!.id;

  const plans: [string, Unit, keyof typeof FIGURES, [string, string, string, number, number][]][] = [
    ["demo-an", phanbon, "DEMO_PHANBON", [["Tăng năng suất dây chuyền NPK thêm 10%", "Sản lượng NPK", "tấn", 120_000, 126_500], ["Mỗi tổ sản xuất ít nhất 1 sáng kiến", "Sáng kiến được công nhận", "sáng kiến", 10, 12]]],
    ["demo-giang", pinaq, "DEMO_PINAQ", [["Sản xuất 1 triệu ắc quy khô", "Sản lượng ắc quy", "bình", 1_000_000, 640_000], ["Đào tạo 200 công nhân bậc 3/7", "Công nhân được đào tạo", "người", 200, 210]]],
  ];
  for (const [who, u, key, themes] of plans) {
    await app.store.transaction(async (tx) => {
      const env = await personaEnv(app, tx, who, now);
      for (const [title, indicator, measure, planned] of themes) {
        const reg = await addTheme(env, u, campaign, campaign.areas[0]!.id, title);
        const theme = reg.themes.at(-1)!;
        await updateTheme(env, u, campaign, theme.id, { keyTask: "Kế hoạch sản xuất kinh doanh năm", responsible: "Ban Chấp hành Công đoàn" });
        await addTarget(env, u, campaign, theme.id, { indicator, measure, planned });
      }
      const reg = await submitRegistration(env, u, campaign);
      const reached = Object.fromEntries(reg.themes.map((th, i) => [th.targets[0]!.id, themes[i]![4]]));
      await submitReport(env, u, campaign, phase, {
        figures: FIGURES[key],
        targets: reached,
        narrative: `${u.name.replace("Công đoàn ", "")}: tiếp tục phát động thi đua nước rút hoàn thành kế hoạch năm; nhân rộng các sáng kiến đã được công nhận.`,
      });
    });
  }
  await app.store.transaction(async (tx) => {
    const env = await personaEnv(app, tx, "demo-an", now);
    await nominate(env, phanbon, campaign, { nomineeKind: "PERSON", nomineeName: "Trần Văn Hùng", position: "Công nhân vận hành, Phân xưởng Urê", achievement: "3 sáng kiến làm lợi 450 triệu đồng", directWorker: true, phase, formId: form("giay_khen_ctcs") });
    await nominate(env, phanbon, campaign, { nomineeKind: "PERSON", nomineeName: o.engineerName ?? "=1+2", position: "Kỹ sư", achievement: "Hoàn thành xuất sắc nhiệm vụ", directWorker: false, phase, formId: form("bang_khen_nganh") });
    await registerWork(env, phanbon, campaign, { name: "Dây chuyền sấy NPK số 2", description: "Công trình chào mừng Đại hội", completionOn: null, occasionLevel: "UPPER_GRASSROOTS", occasion: null });
  });
  await app.store.transaction(async (tx) => {
    const env = await personaEnv(app, tx, "demo-giang", now);
    await nominate(env, pinaq, campaign, { nomineeKind: "COLLECTIVE", nomineeName: "Tổ lắp ráp số 3", position: null, achievement: "Vượt 15% kế hoạch sản lượng", directWorker: true, phase, formId: form("giay_khen_ctcs") });
  });
  // Cường, at the upper-grassroots union: accepts the reports, grants the Giấy khen it may grant.
  await app.store.transaction(async (tx) => {
    const env = await personaEnv(app, tx, "demo-cuong", now);
    const queue = await reviewQueue(env, hoachat, 0);
    for (const item of queue.items) {
      if (item.type === "REPORT") await decide(env, hoachat, "REPORT", item.id, "APPROVE");
      if (item.type === "NOMINATION" && item.label === "Trần Văn Hùng") await decide(env, hoachat, "NOMINATION", item.id, "GRANT", { decisionNumber: "15/QĐ-CĐHC", decisionDate: localDateOf(now, app.config.timeZone) });
    }
  });
  return { campaign, hoachat, phanbon, pinaq };
}
