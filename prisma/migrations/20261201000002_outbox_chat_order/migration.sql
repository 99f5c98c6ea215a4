-- A chat's messages leave in the order written: the claim looks up what waits before a row.
CREATE INDEX "OutboxMessage_chatKey_status_id_idx" ON "OutboxMessage"("chatKey", "status", "id");
