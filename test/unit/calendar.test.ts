import { describe, it, expect } from "vitest";
import { campaignDateTitle, celebratedIn, commemorationTitle, dateIn, occurrencesBetween, roundness, window } from "../../src/core/calendar.js";
import type { CampaignDate, Commemoration } from "../../src/core/model.js";
import { createTranslator } from "../../src/infra/i18n.js";
import { loadCalendar } from "../../src/seed/load.js";

const t = createTranslator("vi").translate;

const calendar: Commemoration[] = loadCalendar().map((r) => ({
  key: r.key,
  campaignId: null,
  month: r.month,
  day: r.day,
  baseYear: r.baseYear,
  wholeMonth: r.wholeMonth,
  titleVi: r.vi,
  titleEn: r.en,
}));

function day(key: string): Commemoration {
  const c = calendar.find((x) => x.key === key);
  if (!c) throw new Error(`no commemoration ${key} in the seed calendar`);
  return c;
}

const ordinalOf = (key: string, year: number) =>
  occurrencesBetween([day(key)], [], `${year}-01-01`, `${year}-12-31`, "vi", t).find((o) => o.key === key)?.ordinal;

describe("anniversaries as the 2017 plan counts them", () => {
  it.each([
    ["party_founding", 87],
    ["liberation", 42],
    ["hcm_birthday", 127],
    ["emulation_day", 69],
    ["union_founding", 88],
    ["august_revolution", 72],
    ["national_day", 72],
  ])("in 2017, %s is its %i-th anniversary", (key, ordinal) => {
    expect(ordinalOf(key, 2017)).toBe(ordinal);
  });

  it("titles the party founding in Vietnamese exactly as the plan does", () => {
    expect(commemorationTitle(day("party_founding"), 2017, "vi", t)).toBe(
      "Kỷ niệm 87 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2017)",
    );
  });

  it("titles the Trade Union founding in Vietnamese with both dates", () => {
    expect(commemorationTitle(day("union_founding"), 2017, "vi", t)).toBe(
      "Kỷ niệm 88 năm Ngày thành lập Công đoàn Việt Nam (28/07/1929 – 28/07/2017)",
    );
  });

  it("titles the party founding in English with an ordinal", () => {
    expect(commemorationTitle(day("party_founding"), 2017, "en", t)).toBe(
      "87th anniversary of the founding of the Communist Party of Vietnam (03/02/1930 – 03/02/2017)",
    );
  });
});

describe("English ordinal suffixes", () => {
  it.each([
    [2011, "81st"],
    [2017, "87th"],
    [2021, "91st"],
    [2022, "92nd"],
    [2023, "93rd"],
    [2024, "94th"],
    [2041, "111th"],
  ])("party founding in %i is the %s anniversary", (year, ordinal) => {
    expect(commemorationTitle(day("party_founding"), year, "en", t).startsWith(`${ordinal} anniversary of `)).toBe(true);
  });

  it.each([
    [2040, "111th"],
    [2041, "112th"],
    [2042, "113th"],
    [2050, "121st"],
  ])("Trade Union founding in %i is the %s anniversary (11–13 take 'th')", (year, ordinal) => {
    expect(commemorationTitle(day("union_founding"), year, "en", t)).toBe(
      `${ordinal} anniversary of the founding of the Vietnam Trade Union (28/07/1929 – 28/07/${year})`,
    );
  });
});

describe("round and half-round anniversaries", () => {
  it("multiples of ten are round ('năm tròn')", () => {
    expect(roundness(90)).toBe("ten");
    expect(roundness(100)).toBe("ten");
  });

  it("other multiples of five are half-round ('năm chẵn')", () => {
    expect(roundness(95)).toBe("five");
    expect(roundness(5)).toBe("five");
  });

  it("everything else, zero, negatives and no ordinal are not round", () => {
    expect(roundness(87)).toBeNull();
    expect(roundness(1)).toBeNull();
    expect(roundness(0)).toBeNull();
    expect(roundness(-10)).toBeNull();
    expect(roundness(null)).toBeNull();
  });
});

describe("whole-month observances", () => {
  it("are titled with the year, without an ordinal", () => {
    expect(commemorationTitle(day("workers_month"), 2026, "vi", t)).toBe("Tháng Công nhân và Tháng hành động về an toàn, vệ sinh lao động năm 2026");
    expect(commemorationTitle(day("workers_month"), 2026, "en", t)).toBe("Workers' Month and Month of Occupational Safety and Health 2026");
  });

  it("appear on the calendar on the first of the month with no ordinal", () => {
    const o = occurrencesBetween([day("workers_month")], [], "2026-05-01", "2026-05-01", "vi", t);
    expect(o).toHaveLength(1);
    expect(o[0]).toMatchObject({ date: "2026-05-01", key: "workers_month", ordinal: null, round: null });
  });
});

describe("what is on the calendar between two days", () => {
  const deadlines: CampaignDate[] = [
    { campaignId: 7, kind: "REPORT_DEADLINE", date: "2026-05-05", title: "Hạn báo cáo đợt 1" },
    { campaignId: 7, kind: "PHASE_END", date: "2026-08-31", title: "Kết thúc đợt 1" },
    { campaignId: 7, kind: "CONGRESS", date: "2026-10-01", title: "Đại hội" },
  ];

  it("lists commemorations and campaign dates together, in date order", () => {
    const o = occurrencesBetween(calendar, deadlines, "2026-04-25", "2026-05-20", "vi", t);
    expect(o.map((x) => [x.date, x.key])).toEqual([
      ["2026-04-30", "liberation"],
      ["2026-05-01", "labour_day"],
      ["2026-05-01", "workers_month"],
      ["2026-05-05", "REPORT_DEADLINE:2026-05-05"],
      ["2026-05-14", "industry_trade_day"],
      ["2026-05-19", "hcm_birthday"],
    ]);
  });

  it("campaign dates keep their title and campaign and have no ordinal", () => {
    const o = occurrencesBetween([], deadlines, "2026-05-05", "2026-05-05", "vi", t);
    expect(o).toEqual([
      { date: "2026-05-05", source: "campaign", key: "REPORT_DEADLINE:2026-05-05", ordinal: null, round: null, title: "Hạn báo cáo đợt 1", campaignId: 7 },
    ]);
  });

  it("includes both ends of the window", () => {
    const o = occurrencesBetween(calendar, deadlines, "2026-04-30", "2026-08-31", "vi", t);
    expect(o[0]?.key).toBe("liberation");
    expect(o.at(-1)?.key).toBe("PHASE_END:2026-08-31");
  });

  it("leaves out what falls one day outside the window", () => {
    const o = occurrencesBetween(calendar, deadlines, "2026-05-01", "2026-08-30", "vi", t);
    expect(o.map((x) => x.key)).not.toContain("liberation");
    expect(o.map((x) => x.key)).not.toContain("PHASE_END:2026-08-31");
    expect(o.map((x) => x.key)).not.toContain("REPORT_DEADLINE:2026-04-29");
  });

  it("spans a year boundary: mid-December to early February includes 03/02/2027, the 97th party founding", () => {
    const o = occurrencesBetween(calendar, [], "2026-12-15", "2027-02-10", "vi", t);
    expect(o).toEqual([
      {
        date: "2027-02-03",
        source: "commemoration",
        key: "party_founding",
        ordinal: 97,
        round: null,
        title: "Kỷ niệm 97 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2027)",
        campaignId: null,
      },
    ]);
  });

  it("marks round anniversaries: the 100th party founding in 2030 and the 95th in 2025", () => {
    expect(occurrencesBetween([day("party_founding")], [], "2030-01-01", "2030-12-31", "vi", t)[0]).toMatchObject({ ordinal: 100, round: "ten" });
    expect(occurrencesBetween([day("party_founding")], [], "2025-01-01", "2025-12-31", "vi", t)[0]).toMatchObject({ ordinal: 95, round: "five" });
  });

  it("shows nothing before the event happened", () => {
    expect(occurrencesBetween([day("liberation")], [], "1970-01-01", "1974-12-31", "vi", t)).toEqual([]);
  });

  it("a 29 February day is only observed in leap years", () => {
    const leap: Commemoration = { key: "leap", campaignId: null, month: 2, day: 29, baseYear: 2000, wholeMonth: false, titleVi: "Ngày nhuận", titleEn: "Leap day" };
    expect(dateIn(leap, 2027)).toBeNull();
    expect(dateIn(leap, 2028)).toBe("2028-02-29");
    expect(occurrencesBetween([leap], [], "2026-01-01", "2028-12-31", "vi", t).map((o) => o.date)).toEqual(["2028-02-29"]);
  });

  it("the /lich window runs from today to today plus the number of days", () => {
    expect(window("2026-12-20", 30)).toEqual({ from: "2026-12-20", to: "2027-01-19" });
  });
});

describe("what a phase celebrates", () => {
  it("phase 1 of 2026 lists its anniversaries in the plan's order, not date order", () => {
    const keys = ["party_founding", "liberation", "hcm_birthday", "labour_day", "emulation_day", "union_founding"];
    expect(celebratedIn(calendar, keys, "2026-01-01", "2026-08-31", "vi", t)).toEqual([
      "Kỷ niệm 96 năm Ngày thành lập Đảng Cộng sản Việt Nam (03/02/1930 – 03/02/2026)",
      "Kỷ niệm 51 năm Ngày Giải phóng hoàn toàn miền Nam, thống nhất đất nước (30/04/1975 – 30/04/2026)",
      "Kỷ niệm 136 năm Ngày sinh Chủ tịch Hồ Chí Minh (19/05/1890 – 19/05/2026)",
      "Kỷ niệm 140 năm Ngày Quốc tế Lao động (01/05/1886 – 01/05/2026)",
      "Kỷ niệm 78 năm Ngày Truyền thống Thi đua Yêu nước (11/06/1948 – 11/06/2026)",
      "Kỷ niệm 97 năm Ngày thành lập Công đoàn Việt Nam (28/07/1929 – 28/07/2026)",
    ]);
  });

  it("leaves out the anniversaries that fall outside the phase", () => {
    expect(celebratedIn(calendar, ["national_day", "union_founding"], "2026-01-01", "2026-08-31", "en", t)).toEqual([
      "97th anniversary of the founding of the Vietnam Trade Union (28/07/1929 – 28/07/2026)",
    ]);
  });
});

describe("the plan's own dates in the reader's language", () => {
  const plan = {
    year: 2026,
    deadlinesDefault: false,
    phases: [
      { ordinal: 1, endsOn: "2026-08-31", reportDeadline: "2026-09-10" },
      { ordinal: 2, endsOn: "2026-12-31", reportDeadline: "2027-01-10" },
    ],
  };
  const stored = (kind: CampaignDate["kind"], date: string, title: string): CampaignDate => ({ campaignId: 7, kind, date, title });

  it("words a phase's end and report deadline in English for an English reader, whatever was stored", () => {
    expect(campaignDateTitle(stored("PHASE_END", "2026-12-31", "Kết thúc Đợt 2 thi đua"), plan, "en", t)).toBe("End of emulation phase 2");
    expect(campaignDateTitle(stored("REPORT_DEADLINE", "2026-09-10", "Hạn gửi báo cáo kết quả Đợt 1"), plan, "en", t)).toBe("Deadline for the phase 1 report");
    expect(campaignDateTitle(stored("REPORT_DEADLINE", "2026-09-10", "?"), plan, "vi", t)).toBe("Hạn gửi báo cáo kết quả Đợt 1");
  });

  it("marks deadlines the issuing union has not set as defaults", () => {
    expect(campaignDateTitle(stored("REGISTRATION_DEADLINE", "2026-03-31", "?"), { ...plan, deadlinesDefault: true }, "en", t)).toBe(
      "Deadline to register 2026 emulation themes (default, not yet set)",
    );
  });

  it("keeps the stored title of a date typed in (a congress), or of a campaign it does not know", () => {
    expect(campaignDateTitle(stored("CONGRESS", "2026-10-01", "Đại hội Công đoàn ngành"), plan, "en", t)).toBe("Đại hội Công đoàn ngành");
    expect(campaignDateTitle(stored("PHASE_END", "2026-12-31", "Kết thúc Đợt 2 thi đua"), undefined, "en", t)).toBe("Kết thúc Đợt 2 thi đua");
  });
});
