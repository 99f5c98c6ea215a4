-- A claim reads its batch off an index in the order it is sent (replies first, then by due
-- time and id), instead of sorting every due row: with 10,000 rows of one broadcast due at
-- the same instant the old index left an anti-join over all of them and a sort at each claim.

-- DropIndex
DROP INDEX "OutboxMessage_status_platform_notBefore_idx";

-- CreateIndex
CREATE INDEX "OutboxMessage_status_platform_notBefore_id_idx" ON "OutboxMessage"("status", "platform", "notBefore", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_platform_kind_notBefore_id_idx" ON "OutboxMessage"("status", "platform", "kind", "notBefore", "id");
