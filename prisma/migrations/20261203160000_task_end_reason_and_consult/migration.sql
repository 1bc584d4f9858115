-- Task.endReason becomes an enum (the values written until now), and a specialist request's consult
-- moves from Task.attributes into a column of its own.
CREATE TYPE "TaskEndReason" AS ENUM ('completed', 'left', 'disconnected', 'maxWait', 'rescheduled', 'appointmentCancelled', 'consultEnded', 'cancelledByRequester');

ALTER TABLE "Task" ALTER COLUMN "endReason" TYPE "TaskEndReason" USING "endReason"::"TaskEndReason";

ALTER TABLE "Task" ADD COLUMN "consultAppointmentId" TEXT;
UPDATE "Task" SET "consultAppointmentId" = attributes ->> 'consultAppointmentId'
WHERE channel = 'SPECIALIST_REQUEST' AND attributes ? 'consultAppointmentId';
