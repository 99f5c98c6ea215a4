-- A completed broadcast keeps its counts: its outbox rows are deleted after OUTBOX_KEEP_DAYS.
ALTER TABLE "Broadcast" ADD COLUMN "failed" INTEGER,
ADD COLUMN "sent" INTEGER;
