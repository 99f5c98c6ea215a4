/** Files the bot produced (exports), read back for sending. */
import type { PrismaClient } from "../generated/prisma/client.ts";

export interface StoredFile {
  name: string;
  mime: string;
  data: Buffer;
}

export type FileReader = (id: string) => Promise<StoredFile | null>;

export function fileReader(prisma: PrismaClient): FileReader {
  return async (id) => {
    const f = await prisma.storedFile.findFirst({ where: { id }, select: { name: true, mime: true, base64: true } });
    return f ? { name: f.name, mime: f.mime, data: Buffer.from(f.base64, "base64") } : null;
  };
}
