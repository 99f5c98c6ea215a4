/**
 * Progress of a sector union's units below, made up but shaped like the store's answer:
 * Vietnamese unit names with every kind of diacritic, statuses spread deterministically.
 * Feeds the chart tests and the preview pictures in test-artifacts/.
 */
import type { Campaign, Phase, SubmissionStatus, Unit, UnitLevel } from "../../src/core/model.js";
import type { ChildProgress, Progress } from "../../src/core/ports.js";

export const SAMPLE_UNIT_NAMES = [
  "Công đoàn Tập đoàn Hóa chất Việt Nam",
  "Công đoàn Tổng công ty Thép Việt Nam – CTCP",
  "Công đoàn Tập đoàn Dệt May Việt Nam",
  "Công đoàn Công ty Cổ phần Phân bón và Hóa chất Dầu khí miền Bắc",
  "Công đoàn Tổng công ty Thuốc lá Việt Nam",
  "Công đoàn Công Thương tỉnh Quảng Ninh",
  "Công đoàn Tổng công ty Máy động lực và Máy nông nghiệp",
  "Công đoàn Công ty Phân bón Sông Cầu",
  "Công đoàn Trường Đại học Công nghiệp Hà Nội",
  "Công đoàn Tổng công ty Giấy Việt Nam",
  "Công đoàn Công Thương thành phố Hồ Chí Minh",
  "Công đoàn Tổng công ty Rượu – Bia – Nước giải khát Sài Gòn",
  "Công đoàn Viện Nghiên cứu Cơ khí",
  "Công đoàn Công ty Xăng dầu Khu vực I",
  "Công đoàn Tổng công ty Điện lực miền Trung",
  "Công đoàn Công ty Than Hòn Gai – TKV",
];

export const SAMPLE_PHASES: Phase[] = [
  { id: 11, campaignId: 1, ordinal: 1, startsOn: "2026-01-01", endsOn: "2026-08-31", reportDeadline: "2026-09-15", dedication: "" },
  { id: 12, campaignId: 1, ordinal: 2, startsOn: "2026-09-01", endsOn: "2026-12-31", reportDeadline: "2027-01-15", dedication: "" },
];

export const SAMPLE_CAMPAIGN: Pick<Campaign, "number" | "year" | "phases" | "figureKeys"> = {
  number: "01/KH-CĐCT",
  year: 2026,
  phases: SAMPLE_PHASES,
  figureKeys: ["participants", "initiatives", "initiative_value", "savings", "works_completed", "commended"],
};

function unit(id: number, name: string, level: UnitLevel): Unit {
  return { id, code: `U${id}`, name, level, parentId: 1, path: `/1/${id}/`, depth: 1, status: "ACTIVE", demo: false, reviewPassThrough: false, abbreviation: null, place: null };
}

/** A deterministic sequence in [0, 1) (a linear congruential generator). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const STATUSES: (SubmissionStatus | null)[] = ["APPROVED", "APPROVED", "APPROVED", "SUBMITTED", "SUBMITTED", "RETURNED", null, null, "DRAFT"];

export interface SampleOptions {
  /** Direct units below. */
  children: number;
  /** Units deeper down (grandchildren), counted in the totals only. */
  deeper?: number;
  seed?: number;
  /** Level of every direct unit, or of each by index. */
  level?: UnitLevel | ((i: number) => UnitLevel);
  /** Reports of phase 2 exist (phase 1 always has some). */
  secondPhase?: boolean;
}

/** A Progress as the store would return it for the sample tree. */
export function sampleProgress(o: SampleOptions): Progress {
  const next = random(o.seed ?? 7);
  const pick = () => STATUSES[Math.floor(next() * STATUSES.length)]!;
  const levelOf = typeof o.level === "function" ? o.level : () => (o.level as UnitLevel | undefined) ?? "UPPER_GRASSROOTS";
  const children: ChildProgress[] = Array.from({ length: o.children }, (_, i) => {
    const base = SAMPLE_UNIT_NAMES[i % SAMPLE_UNIT_NAMES.length]!;
    const name = i < SAMPLE_UNIT_NAMES.length ? base : `${base} (${Math.floor(i / SAMPLE_UNIT_NAMES.length) + 1})`;
    const registration = pick();
    const reports: ChildProgress["reports"] = {};
    const r1 = registration === "APPROVED" ? pick() : null;
    if (r1 && r1 !== "DRAFT") reports[11] = { status: r1, late: next() < 0.2 };
    const r2 = o.secondPhase && registration === "APPROVED" ? pick() : null;
    if (r2 && r2 !== "DRAFT") reports[12] = { status: r2, late: false };
    return { unit: unit(100 + i, name, levelOf(i)), registration, themes: registration ? 2 + (i % 3) : 0, reports };
  });
  // Deeper units: spread like the direct ones, counted in the subtree totals only.
  const deeper = Array.from({ length: o.deeper ?? 0 }, () => ({ registration: pick(), r1: pick(), r2: o.secondPhase ? pick() : null }));
  const tally = (xs: (SubmissionStatus | null | undefined)[]) => {
    const out: Partial<Record<SubmissionStatus, number>> = {};
    for (const s of xs) if (s) out[s] = (out[s] ?? 0) + 1;
    return out;
  };
  const expected = o.children + deeper.length;
  const reg = tally([...children.map((c) => c.registration), ...deeper.map((d) => d.registration)]);
  const rep1 = tally([...children.map((c) => c.reports[11]?.status), ...deeper.map((d) => d.r1)]);
  const rep2 = tally([...children.map((c) => c.reports[12]?.status), ...deeper.map((d) => d.r2)]);
  const sent = (t: Partial<Record<SubmissionStatus, number>>) => BigInt((t.SUBMITTED ?? 0) + (t.APPROVED ?? 0));
  const figures = (k: bigint): Record<string, bigint> =>
    k === 0n
      ? {}
      : { participants: 812n * k, initiatives: 3n * k, initiative_value: 1_250_000_000n * k, savings: 430_000_000n * k, works_completed: 2n * k, commended: 17n * k };
  return {
    expected,
    registrations: reg,
    reports: [
      { phaseId: 11, byStatus: rep1, late: children.filter((c) => c.reports[11]?.late).length, totals: figures(sent(rep1)) },
      { phaseId: 12, byStatus: rep2, late: 0, totals: figures(sent(rep2)) },
    ],
    nominations: {},
    directWorkersApproved: 0,
    nominationsSent: 0,
    directWorkersProposed: 0,
    directWorkersWaiting: 0,
    works: {},
    targets: { registered: 0, reported: 0, reached: 0 },
    children,
  };
}
