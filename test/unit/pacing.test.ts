import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { botPerSecond, DbClock, JITTER_ROOM_MS, TELEGRAM_PACING } from "../../src/infra/outbox/pacing.js";
import { SendQueue, type QueuedSend } from "../../src/infra/outbox/send-queue.js";

/** What happened to each send: started at a time, or given back with a delay. */
interface Log {
  started: { id: string; at: number }[];
  givenBack: { id: string; delayMs: number }[];
}

function sends(log: Log, slots: [id: string, at: number][], sendMs = 5, giveBackMs = 0): QueuedSend[] {
  return slots.map(([id, at]) => ({
    at,
    run: async () => {
      log.started.push({ id, at: Date.now() });
      await new Promise((r) => setTimeout(r, sendMs));
    },
    cancel: async (delayMs) => {
      if (giveBackMs) await new Promise((r) => setTimeout(r, giveBackMs));
      log.givenBack.push({ id, delayMs });
    },
  }));
}

describe("paced sends of one process", () => {
  let log: Log;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    log = { started: [], givenBack: [] };
  });
  afterEach(() => vi.useRealTimers());

  it("starts each send at its slot, in slot order, whatever order they came in", async () => {
    const q = new SendQueue(100, { count: 10, ms: 1000 }, 8);
    const t0 = Date.now();
    q.add(sends(log, [["c", t0 + 200], ["a", t0], ["b", t0 + 100]]));
    await vi.advanceTimersByTimeAsync(1000);
    expect(log.started).toEqual([
      { id: "a", at: t0 },
      { id: "b", at: t0 + 100 },
      { id: "c", at: t0 + 200 },
    ]);
    expect(log.givenBack).toEqual([]);
  });

  it("lets sends a little late catch up, never closer than 0.8 of an interval nor more than the window allows", async () => {
    const q = new SendQueue(100, { count: 3, ms: 1000 }, 8);
    const t0 = Date.now();
    // The process was busy: the first slots are already 90 ms past.
    q.add(sends(log, [["a", t0 - 90], ["b", t0 + 10], ["c", t0 + 110], ["d", t0 + 210]]));
    await vi.advanceTimersByTimeAsync(3000);
    expect(log.started.map((s) => [s.id, s.at - t0])).toEqual([
      ["a", 0],
      ["b", 80],
      ["c", 160],
    ]);
    // Three starts fill the window of one second: "d" would wait until the first leaves it,
    // far past its slot, so it is given back for a new one.
    expect(log.givenBack).toEqual([{ id: "d", delayMs: 0 }]);
  });

  it("gives back a send more than one slot late instead of crowding the next slots", async () => {
    const q = new SendQueue(100, { count: 10, ms: 1000 }, 8);
    const t0 = Date.now();
    q.add(sends(log, [["stale", t0 - 250], ["late", t0 - 50], ["due", t0 + 100]]));
    await vi.advanceTimersByTimeAsync(1000);
    expect(log.givenBack).toEqual([{ id: "stale", delayMs: 0 }]);
    expect(log.started.map((s) => s.id)).toEqual(["late", "due"]);
  });

  it("giving back late sends does not make the next ones late", async () => {
    const q = new SendQueue(10, { count: 100, ms: 1000 }, 8);
    const t0 = Date.now();
    // Giving a row back takes 100 ms (a database round trip under load): the punctual sends
    // must not wait for it.
    q.add(sends(log, [["late1", t0 - 50], ["late2", t0 - 40], ["a", t0 + 5], ["b", t0 + 15]], 5, 100));
    await vi.advanceTimersByTimeAsync(500);
    expect(log.started).toEqual([
      { id: "a", at: t0 + 5 },
      { id: "b", at: t0 + 15 },
    ]);
    expect(log.givenBack.map((g) => g.id).sort()).toEqual(["late1", "late2"]);
  });

  it("on a pause, gives back what waits, due when the pause ends, and starts nothing before", async () => {
    const q = new SendQueue(100, { count: 10, ms: 1000 }, 8);
    const t0 = Date.now();
    q.add(sends(log, [["a", t0], ["b", t0 + 100], ["c", t0 + 200]]));
    await vi.advanceTimersByTimeAsync(50);
    await q.pause(t0 + 3050);
    expect(log.givenBack).toEqual([
      { id: "b", delayMs: 3000 },
      { id: "c", delayMs: 3000 },
    ]);
    q.add(sends(log, [["d", t0 + 200]]));
    await vi.advanceTimersByTimeAsync(5000);
    // "d" had its slot in the pause: more than one slot late by its end, so it is given back too.
    expect(log.started.map((s) => s.id)).toEqual(["a"]);
    expect(log.givenBack.map((g) => g.id)).toEqual(["b", "c", "d"]);
  });

  it("keeps at most maxInFlight sends waiting for the platform", async () => {
    const q = new SendQueue(100, { count: 10, ms: 1000 }, 2);
    const t0 = Date.now();
    // Each send takes 250 ms: with two in flight, the third starts when the first is answered.
    q.add(sends(log, [["a", t0], ["b", t0 + 100], ["c", t0 + 200]], 250));
    await vi.advanceTimersByTimeAsync(1000);
    expect(log.started.map((s) => s.at - t0)).toEqual([0, 100, 250]);
  });

  it("on stop, gives back what waits and waits for the sends in flight", async () => {
    const q = new SendQueue(100, { count: 10, ms: 1000 }, 8);
    const t0 = Date.now();
    let answered = false;
    q.add([
      { at: t0, run: () => new Promise((r) => setTimeout(() => r((answered = true)), 500)), cancel: async () => undefined },
      ...sends(log, [["later", t0 + 100]]),
    ]);
    await vi.advanceTimersByTimeAsync(10);
    const stopped = q.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopped;
    expect(answered).toBe(true);
    expect(log.givenBack).toEqual([{ id: "later", delayMs: 0 }]);
    // Anything added after the stop is given back at once.
    q.add(sends(log, [["after", t0 + 2000]]));
    expect(log.givenBack.map((g) => g.id)).toEqual(["later", "after"]);
  });

  it("drain resolves once everything queued has been sent and answered", async () => {
    const q = new SendQueue(100, { count: 10, ms: 1000 }, 8);
    const t0 = Date.now();
    q.add(sends(log, [["a", t0], ["b", t0 + 100]], 50));
    let drained = false;
    void q.drain().then(() => (drained = true));
    await vi.advanceTimersByTimeAsync(120);
    expect(drained).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(drained).toBe(true);
  });
});

describe("the database's clock seen from the app", () => {
  it("trusts the round trip with the least delay", () => {
    const clock = new DbClock();
    // The database runs 40 ms ahead. A slow round trip (the reply sat 60 ms in a busy event
    // loop) would put it 30 ms off; the quick ones are within a millisecond.
    clock.observe(1000, 1060, 1045);
    clock.observe(2000, 2002, 2041);
    clock.observe(3000, 3010, 3045);
    expect(clock.toLocal(10_040)).toBe(10_000);
  });

  it("without a sample, takes the clocks to agree", () => {
    expect(new DbClock().toLocal(5000)).toBe(5000);
  });
});

describe("the bot-wide rate", () => {
  it("is Telegram's 29 a second in real time", () => {
    expect(botPerSecond(TELEGRAM_PACING.bot, 1)).toBe(29);
  });

  it("slows down when time is compressed, so that the window still has room for jitter", () => {
    for (const scale of [2, 10, 20]) {
      const windowMs = 1000 / scale;
      const perSecond = botPerSecond(TELEGRAM_PACING.bot, scale);
      expect(perSecond).toBeLessThan(29);
      // The 30 sends a window may hold, spaced at this rate, span the window plus the room.
      expect((30 * windowMs) / perSecond).toBeCloseTo(windowMs + JITTER_ROOM_MS, 6);
    }
  });
});
