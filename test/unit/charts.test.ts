/**
 * What the /tiendo picture shows, decided in the core: the four statuses, the phase, the
 * summary of a wide tree, long names, the figures — on data, before anything is drawn.
 */
import { describe, expect, it } from "vitest";
import { CHART_STATUSES, chartPhase, chartStatusOf, progressChart, truncateLabel, type ChartSpec, type ProgressChartInput, type StatusCounts } from "../../src/core/charts.js";
import type { Locale } from "../../src/core/model.js";
import type { Progress } from "../../src/core/ports.js";
import { createTranslator } from "../../src/infra/i18n.js";
import { SAMPLE_CAMPAIGN, SAMPLE_PHASES, sampleProgress } from "../support/progress-sample.js";

const translator = createTranslator();
const tr = (locale: Locale) => (key: string, params?: Record<string, unknown>) => translator.translate(locale, key, params);

function chart(progress: Progress, o: Partial<ProgressChartInput> = {}, locale: Locale = "vi"): ChartSpec {
  const spec = progressChart({ unit: { name: "Công đoàn Công Thương Việt Nam" }, campaign: SAMPLE_CAMPAIGN, progress, today: "2026-11-20", locale, ...o }, tr(locale));
  if (!spec) throw new Error("no chart");
  return spec;
}
const total = (c: StatusCounts) => CHART_STATUSES.reduce((a, s) => a + c[s], 0);

describe("the progress chart's data", () => {
  it("speaks of the four statuses in the union's words, in stacking order", () => {
    const spec = chart(sampleProgress({ children: 3 }));
    expect(spec.legend.map((l) => l.label)).toEqual(["Đã được chấp nhận", "Đã gửi, chờ xem xét", "Bị trả lại", "Chưa gửi"]);
    expect(chart(sampleProgress({ children: 3 }), {}, "en").legend.map((l) => l.label)).toEqual(["Accepted", "Sent, awaiting review", "Returned", "Not sent"]);
    expect(spec.title).toBe("Tiến độ Kế hoạch 01/KH-CĐCT năm 2026");
  });

  it("counts a draft as not sent and a declined item with the returned ones", () => {
    expect([null, "DRAFT", "SUBMITTED", "RETURNED", "DECLINED", "APPROVED"].map((s) => chartStatusOf(s as never))).toEqual([
      "not_sent",
      "not_sent",
      "waiting",
      "returned",
      "returned",
      "accepted",
    ]);
  });

  it("gives 5 units below 5 bars of their own, in the order the text lists them, after the bar of all units", () => {
    const p = sampleProgress({ children: 5 });
    const spec = chart(p);
    expect(spec.grouping).toBe("units");
    expect(spec.note).toBeNull();
    expect(spec.bars.map((b) => b.kind)).toEqual(["all", "unit", "unit", "unit", "unit", "unit"]);
    expect(spec.bars.slice(1).map((b) => b.fullLabel)).toEqual(p.children.map((c) => c.unit.name));
    for (const [i, c] of p.children.entries()) {
      const b = spec.bars[i + 1]!;
      expect(total(b.registration)).toBe(1);
      expect(b.registration[chartStatusOf(c.registration)]).toBe(1);
      expect(b.report![chartStatusOf(c.reports[12]?.status)]).toBe(1);
    }
  });

  it("sums the whole subtree in the first bar: units with nothing sent are the expected ones not counted elsewhere", () => {
    const p: Progress = { ...sampleProgress({ children: 2 }), expected: 40, registrations: { APPROVED: 10, SUBMITTED: 5, RETURNED: 3, DECLINED: 1, DRAFT: 4 } };
    const all = chart(p).bars[0]!;
    expect(all.kind).toBe("all");
    expect(all.fullLabel).toBe("Toàn bộ đơn vị cấp dưới (40)");
    expect(all.registration).toEqual({ accepted: 10, waiting: 5, returned: 4, not_sent: 21 });
  });

  it("shows 300 units as 12 bars: the 11 most behind by name, the other 289 in one bar", () => {
    const p = sampleProgress({ children: 300, secondPhase: true });
    const spec = chart(p);
    expect(spec.grouping).toBe("top_units");
    const below = spec.bars.slice(1);
    expect(below).toHaveLength(12);
    expect(below.filter((b) => b.kind === "unit")).toHaveLength(11);
    const others = below.at(-1)!;
    expect(others.kind).toBe("others");
    expect(others.label).toBe("Các đơn vị khác (289)");
    expect(others.units).toBe(289);
    expect(total(others.registration)).toBe(289);
    expect(total(others.report!)).toBe(289);
    expect(spec.note).toBe("Nêu tên 11 đơn vị còn nhiều việc nhất; 289 đơn vị khác được gộp lại.");
    // Nobody left in the group is further behind than a unit named.
    const weight = (c: StatusCounts) => 3 * c.not_sent + 2 * c.returned + c.waiting;
    const named = below.slice(0, 11).map((b) => weight(b.registration) + weight(b.report!));
    const shownNames = new Set(below.slice(0, 11).map((b) => b.fullLabel));
    const phase2 = SAMPLE_PHASES[1]!.id;
    const hidden = p.children.filter((c) => !shownNames.has(c.unit.name));
    const w = (s: Parameters<typeof chartStatusOf>[0]) => ({ not_sent: 3, returned: 2, waiting: 1, accepted: 0 })[chartStatusOf(s)];
    const worstHidden = Math.max(...hidden.map((c) => w(c.registration) + w(c.reports[phase2]?.status)));
    expect(Math.min(...named)).toBeGreaterThanOrEqual(worstHidden);
  });

  it("groups a very wide tree per level instead of naming a few of many", () => {
    const p = sampleProgress({ children: 620, level: (i) => (i % 5 === 0 ? "UPPER_GRASSROOTS" : "GRASSROOTS") });
    const spec = chart(p);
    expect(spec.grouping).toBe("levels");
    expect(spec.bars.map((b) => b.label)).toEqual(["Toàn bộ đơn vị cấp dưới (620)", "Công đoàn cấp trên trực tiếp cơ sở (124)", "Công đoàn cơ sở (496)"]);
    expect(spec.bars.slice(1).reduce((a, b) => a + total(b.registration), 0)).toBe(620);
    expect(spec.note).toBe("620 đơn vị trực thuộc, gộp theo cấp công đoàn.");
  });

  it("writes counts the reader's way in a tree of thousands", () => {
    const spec = chart(sampleProgress({ children: 1300, deeper: 900, level: "GRASSROOTS" }));
    expect(spec.bars.map((b) => b.label)).toEqual(["Toàn bộ đơn vị cấp dưới (2.200)", "Công đoàn cơ sở (1.300)"]);
    expect(chart(sampleProgress({ children: 1300, level: "GRASSROOTS" }), {}, "en").bars[1]!.label).toBe("Grassroots unions (1,300)");
  });

  it("honours a smaller bar budget", () => {
    const spec = progressChart({ unit: { name: "X" }, campaign: SAMPLE_CAMPAIGN, progress: sampleProgress({ children: 20 }), today: "2026-11-20", locale: "vi" }, tr("vi"), { maxBars: 5 })!;
    expect(spec.bars.slice(1).map((b) => b.kind)).toEqual(["unit", "unit", "unit", "unit", "others"]);
    expect(spec.bars.at(-1)!.label).toBe("Các đơn vị khác (16)");
  });

  it("cuts long unit names with an ellipsis and keeps the whole name aside", () => {
    const long = "Công đoàn Tổng công ty Rượu – Bia – Nước giải khát Sài Gòn chi nhánh miền Tây Nam Bộ";
    const p = sampleProgress({ children: 1, deeper: 3 });
    p.children[0]!.unit.name = long;
    const b = chart(p).bars[1]!;
    expect(b.fullLabel).toBe(long);
    expect(b.label.endsWith("…")).toBe(true);
    expect([...b.label].length).toBeLessThanOrEqual(40);
    expect(long.startsWith(b.label.slice(0, -1))).toBe(true);
  });

  it("never cuts a letter from its accent, even when the name was typed with combining marks", () => {
    const decomposed = "Công đoàn Hóa chất Đức Giang".normalize("NFD");
    const cut = truncateLabel(decomposed, 12);
    expect(cut).toBe("Công đoàn H…");
    expect(cut.normalize("NFC")).toBe(cut);
    expect(truncateLabel("Công đoàn", 40)).toBe("Công đoàn");
  });

  it("shows the report of the phase being gathered (a finished phase until its deadline), else the latest started, and none before the first starts", () => {
    const [one, two] = SAMPLE_PHASES;
    expect(chartPhase(SAMPLE_PHASES, "2026-08-31")?.ordinal).toBe(1);
    // Phase 2 has started but Phase 1's reports are due: Phase 1 until its deadline day.
    expect(two!.startsOn <= "2026-09-05" && one!.reportDeadline >= "2026-09-05").toBe(true);
    expect(chartPhase(SAMPLE_PHASES, "2026-09-05")?.ordinal).toBe(1);
    expect(chartPhase(SAMPLE_PHASES, one!.reportDeadline)?.ordinal).toBe(1);
    expect(chartPhase(SAMPLE_PHASES, "2026-09-16")?.ordinal).toBe(2);
    expect(chart(sampleProgress({ children: 2 }), { today: "2026-05-01" }).columns.report).toBe("Báo cáo kết quả Đợt 1");
    const early = chart(sampleProgress({ children: 2 }), { campaign: { ...SAMPLE_CAMPAIGN, phases: SAMPLE_PHASES.map((p) => ({ ...p, startsOn: "2027-01-01" })) } });
    expect(early.columns.report).toBeNull();
    expect(early.bars.every((b) => b.report === null)).toBe(true);
    expect(early.figures).toBeNull();
  });

  it("has no picture to draw for a unit with nobody below", () => {
    const p = { ...sampleProgress({ children: 0 }), expected: 0 };
    expect(progressChart({ unit: { name: "Công đoàn cơ sở" }, campaign: SAMPLE_CAMPAIGN, progress: p, today: "2026-11-20", locale: "vi" }, tr("vi"))).toBeNull();
  });

  it("lists the phase's main figures as sums of the reports sent, written the Vietnamese way", () => {
    const p = sampleProgress({ children: 4 });
    p.reports[1] = { phaseId: 12, byStatus: { APPROVED: 2, SUBMITTED: 1, RETURNED: 1 }, late: 0, totals: { initiatives: 1250n, savings: 32_500_000_000n } };
    const f = chart(p).figures!;
    expect(f.title).toBe("Số liệu chính Đợt 2 (tổng của 3 báo cáo đã gửi)");
    expect(f.bars.map((b) => b.key)).toEqual(SAMPLE_CAMPAIGN.figureKeys);
    expect(f.bars.find((b) => b.key === "initiatives")!.text).toBe("1.250");
    expect(f.bars.find((b) => b.key === "savings")!.text).toBe("32.500.000.000 đồng");
    expect(f.bars.find((b) => b.key === "participants")!.value).toBe(0);
    expect(f.bars.every((b) => b.share === null)).toBe(true);
    expect(f.note).toBe("Chưa có chỉ tiêu tổng hợp để so sánh: số liệu là tổng các báo cáo đã gửi.");
    // With the units' own targets registered and reported, the note says how many were reached.
    p.targets = { registered: 40, reported: 31, reached: 22 };
    expect(chart(p).figures!.note).toBe("Chỉ tiêu các đơn vị đã đăng ký: 40; đã báo cáo kết quả: 31, trong đó đạt hoặc vượt kế hoạch: 22");
  });

  it("draws figures against targets when someone supplies them", () => {
    const p = sampleProgress({ children: 4 });
    p.reports[1] = { phaseId: 12, byStatus: { APPROVED: 2 }, late: 0, totals: { initiatives: 15n } };
    const f = chart(p, { targets: { initiatives: 20 } }).figures!;
    const row = f.bars.find((b) => b.key === "initiatives")!;
    expect(row.target).toBe(20);
    expect(row.share).toBeCloseTo(0.75);
    expect(row.text).toBe("15 / 20 sáng kiến (75%)");
    expect(f.bars.find((b) => b.key === "savings")!.share).toBeNull();
    expect(f.note).toBeNull();
  });

  it("has no figures panel while no report of the phase was sent", () => {
    const p = sampleProgress({ children: 4 });
    p.reports[1] = { phaseId: 12, byStatus: { RETURNED: 1 }, late: 0, totals: {} };
    expect(chart(p).figures).toBeNull();
  });

  it("says the picture in words for a caption or alt text", () => {
    const p: Progress = { ...sampleProgress({ children: 2 }), expected: 10, registrations: { APPROVED: 4, SUBMITTED: 2 } };
    p.reports[1] = { phaseId: 12, byStatus: { APPROVED: 1 }, late: 0, totals: {} };
    const alt = chart(p).alt.split("\n");
    expect(alt[0]).toBe("Tiến độ Kế hoạch 01/KH-CĐCT năm 2026");
    expect(alt[2]).toBe("Đăng ký thi đua: Đã được chấp nhận: 4; Đã gửi, chờ xem xét: 2; Bị trả lại: 0; Chưa gửi: 4");
    expect(alt[3]).toBe("Báo cáo kết quả Đợt 2: Đã được chấp nhận: 1; Đã gửi, chờ xem xét: 0; Bị trả lại: 0; Chưa gửi: 9");
  });
});
