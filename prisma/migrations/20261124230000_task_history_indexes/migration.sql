-- Reads over finished tasks, which pile up (a busy clinic adds thousands a day), must not scan them all.

-- The wallboard's "today" (the clinic's tasks created since midnight) scanned the whole table. The
-- wallboard's "waiting now" reads the live tasks along "Task_live_board_idx" instead of this index.
DROP INDEX "Task_clinicId_state_idx";
CREATE INDEX "Task_clinicId_createdAt_idx" ON "Task"("clinicId", "createdAt");

-- The estimated wait's average handling time (a queue's 20 most recently completed consults, read
-- with every refresh of the queue's line) sorted every completed task of the queue. The same prefix
-- serves the queue's live line. Not partial: the ORM sends the state as a cast parameter, which a
-- partial index's condition cannot be proven from. The sweeper's searches by waiting time use
-- "Task_waiting_order_idx".
DROP INDEX "Task_queueId_state_enqueuedAt_idx";
CREATE INDEX "Task_queueId_state_completedAt_idx" ON "Task"("queueId", "state", "completedAt");
