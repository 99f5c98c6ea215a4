import { describe, it, expect } from "vitest";
import { addDays, daysBetween, formatDate, formatInstant, isValidLocalDate, localDateOf, localTimeOf, makeLocalDate, parseUserDate, readUserDate, yearOf } from "../../src/core/time.js";

const VN = "Asia/Ho_Chi_Minh";

describe("the day an instant falls on in Vietnam (UTC+7)", () => {
  it("17:30 UTC on 31 August is already 1 September in Hà Nội", () => {
    expect(localDateOf(new Date("2026-08-31T17:30:00Z"), VN)).toBe("2026-09-01");
  });

  it("16:59 UTC on 31 August is still 31 August in Hà Nội", () => {
    expect(localDateOf(new Date("2026-08-31T16:59:00Z"), VN)).toBe("2026-08-31");
  });

  it("the local midnight boundary is exactly 17:00 UTC", () => {
    expect(localDateOf(new Date("2026-08-31T17:00:00Z"), VN)).toBe("2026-09-01");
    expect(localTimeOf(new Date("2026-08-31T17:00:00Z"), VN)).toBe("00:00");
    expect(localDateOf(new Date("2026-08-31T16:59:59.999Z"), VN)).toBe("2026-08-31");
  });

  it("instants asked one after another, in two zones, each get their own minute and day", () => {
    // The last minute asked is kept per zone: a later instant, or another zone, must not get it.
    const asked: [string, string, string, string][] = [
      ["2026-08-31T16:59:00.000Z", VN, "2026-08-31", "23:59"],
      ["2026-08-31T16:59:59.999Z", VN, "2026-08-31", "23:59"],
      ["2026-08-31T16:59:30.000Z", "UTC", "2026-08-31", "16:59"],
      ["2026-08-31T17:00:00.000Z", VN, "2026-09-01", "00:00"],
      ["2026-08-31T16:59:59.000Z", VN, "2026-08-31", "23:59"],
      ["2026-08-31T17:00:00.000Z", "UTC", "2026-08-31", "17:00"],
      ["1969-12-31T23:59:30.000Z", "UTC", "1969-12-31", "23:59"],
      ["1969-12-31T23:59:59.000Z", VN, "1970-01-01", "07:59"], // Sài Gòn kept UTC+8 until 1975
    ];
    for (const [iso, zone, day, time] of asked) {
      expect([localDateOf(new Date(iso), zone), localTimeOf(new Date(iso), zone)], `${iso} in ${zone}`).toEqual([day, time]);
    }
  });

  it("New Year's Eve in UTC is already New Year's Day in Vietnam", () => {
    expect(localDateOf(new Date("2026-12-31T18:00:00Z"), VN)).toBe("2027-01-01");
  });

  it("the same instant is a different day in UTC", () => {
    expect(localDateOf(new Date("2026-08-31T17:30:00Z"), "UTC")).toBe("2026-08-31");
  });

  it("shows the local clock time as HH:MM on a 24-hour clock", () => {
    expect(localTimeOf(new Date("2026-08-31T17:30:00Z"), VN)).toBe("00:30");
    expect(localTimeOf(new Date("2026-08-31T06:05:00Z"), VN)).toBe("13:05");
  });

  it("formats an instant as dd/mm/yyyy HH:MM in local time", () => {
    expect(formatInstant(new Date("2026-08-31T17:30:00Z"), VN)).toBe("01/09/2026 00:30");
  });
});

describe("reading a date typed by a person", () => {
  it.each([
    ["31/8/2026", "2026-08-31"],
    ["31/08/2026", "2026-08-31"],
    ["31-08-2026", "2026-08-31"],
    ["31.8.2026", "2026-08-31"],
    ["2026-08-31", "2026-08-31"],
    ["1/9/2026", "2026-09-01"],
    ["  31/8/2026  ", "2026-08-31"],
  ])("reads %j as %s", (typed, expected) => {
    expect(parseUserDate(typed)).toBe(expected);
  });

  it("reads day first, month second (Vietnamese order), not month first", () => {
    expect(parseUserDate("3/2/2027")).toBe("2027-02-03");
  });

  it.each(["30/02/2026", "31/04/2026", "29/02/2027", "31/13/2026", "0/8/2026", "32/1/2026"])("refuses the non-existent day %j", (typed) => {
    expect(parseUserDate(typed)).toBeNull();
  });

  it("accepts 29 February in a leap year", () => {
    expect(parseUserDate("29/02/2028")).toBe("2028-02-29");
  });

  it.each(["mai", "", "   ", "hôm nay", "31/8", "31/8/26", "2026/08/31", "31 8 2026"])("refuses %j, which is not a full date", (typed) => {
    expect(parseUserDate(typed)).toBeNull();
  });

  it.each([
    ["01/01/1000", 1000],
    ["31/12/9999", 9999],
    ["31/12/1999", 1999],
    ["01/01/2101", 2101],
    ["0001-01-01", 1],
    ["29/02/0000", 0],
  ])("refuses %j: year %i is outside 2000–2100, said as such", (typed, year) => {
    expect(readUserDate(typed)).toEqual({ ok: false, reason: "out_of_range", year });
    expect(parseUserDate(typed)).toBeNull();
  });

  it("accepts the first and the last day of the range", () => {
    expect(readUserDate("01/01/2000")).toEqual({ ok: true, value: "2000-01-01" });
    expect(readUserDate("31/12/2100")).toEqual({ ok: true, value: "2100-12-31" });
    expect(readUserDate("29/02/2100")).toEqual({ ok: false, reason: "bad_date" });
  });
});

describe("dates as Vietnamese prose writes them", () => {
  it("formats as dd/mm/yyyy with leading zeros", () => {
    expect(formatDate("2026-08-31")).toBe("31/08/2026");
    expect(formatDate("1930-02-03")).toBe("03/02/1930");
  });
});

describe("calendar arithmetic", () => {
  it("adds days across the end of a month", () => {
    expect(addDays("2026-08-31", 1)).toBe("2026-09-01");
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
  });

  it("adds days across the end of a year", () => {
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-12-15", 30)).toBe("2027-01-14");
  });

  it("goes back across a leap day and a year start", () => {
    expect(addDays("2028-03-01", -1)).toBe("2028-02-29");
    expect(addDays("2027-03-01", -1)).toBe("2027-02-28");
    expect(addDays("2027-01-01", -1)).toBe("2026-12-31");
  });

  it("adding zero days keeps the day", () => {
    expect(addDays("2026-08-31", 0)).toBe("2026-08-31");
  });

  it("counts whole days between two dates, negative when the second is earlier", () => {
    expect(daysBetween("2026-08-31", "2026-09-01")).toBe(1);
    expect(daysBetween("2026-01-01", "2027-01-01")).toBe(365);
    expect(daysBetween("2028-01-01", "2029-01-01")).toBe(366);
    expect(daysBetween("2026-09-01", "2026-08-31")).toBe(-1);
    expect(daysBetween("2026-08-31", "2026-08-31")).toBe(0);
  });

  it("addDays and daysBetween agree", () => {
    expect(daysBetween("2026-12-15", addDays("2026-12-15", 57))).toBe(57);
  });

  it("knows which day strings exist", () => {
    expect(isValidLocalDate("2028-02-29")).toBe(true);
    expect(isValidLocalDate("2027-02-29")).toBe(false);
    expect(isValidLocalDate("2026-8-31")).toBe(false);
    expect(makeLocalDate(2026, 2, 30)).toBeNull();
    expect(makeLocalDate(2026, 9, 2)).toBe("2026-09-02");
    expect(yearOf("2026-09-02")).toBe(2026);
  });
});

describe("dates typed with mixed separators", () => {
  it("are refused rather than guessed", () => {
    expect(parseUserDate("31/08-2026")).toBeNull();
    expect(parseUserDate("31.08/2026")).toBeNull();
  });
});
