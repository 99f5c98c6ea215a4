-- Every row written to the outbox enters each of its indexes. A Confederation's reminder
-- minute writes some 74,000 rows at once, none of them a reply and none part of a
-- broadcast: the indexes that only replies and broadcasts are looked up by now hold only
-- those rows. Prisma cannot declare a partial index; prisma/schema.prisma says so where the
-- model's indexes are.

-- Replies waiting to be sent, claimed before anything else (the claim's `replies` part
-- names both conditions, so it reads this index).
DROP INDEX "OutboxMessage_status_platform_kind_notBefore_id_idx";
CREATE INDEX "OutboxMessage_pending_replies_idx" ON "OutboxMessage"("platform", "notBefore", "id") WHERE "status" = 'PENDING' AND "kind" = 'reply';

-- A broadcast's progress (its rows by status).
DROP INDEX "OutboxMessage_broadcastId_status_idx";
CREATE INDEX "OutboxMessage_broadcastId_status_idx" ON "OutboxMessage"("broadcastId", "status") WHERE "broadcastId" IS NOT NULL;
