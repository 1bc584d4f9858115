-- Dispatch rounds read the head of each (queue, priority) group of a clinic's waiting tasks in
-- first-come order and merge the heads by priority-with-aging score (server/routing/dispatcher.ts),
-- instead of sorting every waiting task of the clinic in every round.
-- Prisma has no partial indexes: keep this line when a later generated migration proposes to drop it.
CREATE INDEX "Task_waiting_order_idx" ON "Task"("clinicId", "queueId", "priority", "enqueuedAt", "id") WHERE "state" = 'WAITING';
