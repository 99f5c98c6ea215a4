-- Personal data has a lifecycle: an update's payload is kept until it is handled, the
-- replies kept for crash recovery until they are delivered, and no code in plaintext.

-- AlterTable
ALTER TABLE "InboundEvent" ALTER COLUMN "payload" DROP NOT NULL;

-- AlterTable
ALTER TABLE "SandboxMessage" ADD COLUMN     "userKey" TEXT;

-- What older versions kept after handling: payloads and delivered replies.
UPDATE "InboundEvent" SET "payload" = NULL WHERE "handledAt" IS NOT NULL;
UPDATE "ProcessedUpdate" p SET "replies" = NULL
 WHERE NOT EXISTS (SELECT 1 FROM "InboundEvent" e WHERE e."key" = p."key" AND e."handledAt" IS NULL)
   AND NOT EXISTS (SELECT 1 FROM "SandboxMessage" s WHERE 'web:' || s."seq" = p."key" AND s."handled" = false);

-- Codes shown or typed in older transcripts and outbox rows (the shape they are shown in).
UPDATE "SandboxMessage" SET "text" = regexp_replace("text", '(^|[^0-9A-Za-z])[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}($|[^0-9A-Za-z])', '\1••••-••••-••••\2', 'g')
 WHERE "text" ~ '[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}';
UPDATE "OutboxMessage" SET "text" = regexp_replace("text", '(^|[^0-9A-Za-z])[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}($|[^0-9A-Za-z])', '\1••••-••••-••••\2', 'g')
 WHERE "text" ~ '[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}';
