-- Routing reads that must not scan every live task of a clinic (Prisma has no partial indexes:
-- keep these lines when a later generated migration proposes to drop them).
-- The desks' queue board: the first waiting or offered tasks of a clinic in arrival order.
CREATE INDEX "Task_live_board_idx" ON "Task"("clinicId", "enqueuedAt") WHERE "state" IN ('WAITING', 'OFFERED');
-- The sweeper's search for patients not heard from within the reconnect grace period.
CREATE INDEX "Task_live_last_seen_idx" ON "Task"("lastSeenAt") WHERE "state" IN ('WAITING', 'OFFERED');
