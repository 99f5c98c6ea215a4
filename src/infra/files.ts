/** Files the bot produced (exports, chart pictures), read back for sending and downloading. */
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface StoredFile {
  name: string;
  mime: string;
  data: Buffer;
}

export type FileReader = (id: string) => Promise<StoredFile | null>;

/**
 * Files are stamped with the process's time when they are made (`createdAt`), so their age
 * is reckoned on it too, not on an injected clock: the same in production, and a test that
 * moves the app's clock moves no file's age.
 */
const processNow = () => new Date();

const DAY_MS = 86_400_000;

/** Any stored file, whatever its age (a reply being sent carries the file it was made with). */
export function fileReader(prisma: PrismaClient): FileReader {
  return async (id) => {
    const f = await prisma.storedFile.findFirst({ where: { id }, select: { name: true, mime: true, base64: true } });
    return f ? { name: f.name, mime: f.mime, data: Buffer.from(f.base64, "base64") } : null;
  };
}

/**
 * A file for a download link (the Zalo `/files/` route, the sandbox's `/sandbox/files/`):
 * null once it is older than `keepDays`, even in the hour before the housekeeping deletes it.
 */
export function downloadReader(prisma: PrismaClient, keepDays: number, now: () => Date = processNow): FileReader {
  return async (id) => {
    const f = await prisma.storedFile.findFirst({ where: { id, createdAt: { gte: new Date(now().getTime() - keepDays * DAY_MS) } }, select: { name: true, mime: true, base64: true } });
    return f ? { name: f.name, mime: f.mime, data: Buffer.from(f.base64, "base64") } : null;
  };
}

/** Delete the files older than `keepDays` (the hourly housekeeping); returns how many. */
export async function purgeFiles(prisma: PrismaClient, keepDays: number, now: () => Date = processNow): Promise<number> {
  const { count } = await prisma.storedFile.deleteMany({ where: { createdAt: { lt: new Date(now().getTime() - keepDays * DAY_MS) } } });
  return count;
}
