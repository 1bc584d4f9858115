-- CreateEnum
CREATE TYPE "RoutingChannel" AS ENUM ('WEB', 'PHONE', 'SPECIALIST_REQUEST');

-- CreateEnum
CREATE TYPE "TaskState" AS ENUM ('WAITING', 'OFFERED', 'ASSIGNED', 'COMPLETED', 'ABANDONED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PresenceState" AS ENUM ('OFFLINE', 'AVAILABLE', 'BUSY', 'WRAP_UP', 'NOT_RESPONDING');

-- CreateEnum
CREATE TYPE "OfferState" AS ENUM ('PENDING', 'ACCEPTED', 'DECLINED', 'TIMED_OUT', 'RESCINDED');

-- CreateTable
CREATE TABLE "Queue" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "requiredSkills" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "preferredClinicianSeconds" INTEGER NOT NULL DEFAULT 120,
    "agingSecondsPerPriority" INTEGER NOT NULL DEFAULT 300,
    "serviceLevelSeconds" INTEGER NOT NULL DEFAULT 120,
    "offerTimeoutSeconds" INTEGER NOT NULL DEFAULT 20,
    "wrapUpSeconds" INTEGER NOT NULL DEFAULT 60,
    "overflowQueueId" TEXT,
    "overflowAfterSeconds" INTEGER,
    "maxWaitSeconds" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Queue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Task" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "queueId" TEXT NOT NULL,
    "channel" "RoutingChannel" NOT NULL,
    "patientId" TEXT,
    "appointmentId" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "requiredSkills" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "preferredClinicianId" TEXT,
    "state" "TaskState" NOT NULL DEFAULT 'WAITING',
    "enqueuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "assignedAt" TIMESTAMP(3),
    "assignedClinicianId" TEXT,
    "completedAt" TIMESTAMP(3),
    "endReason" TEXT,
    "abandonedAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "overflowedAt" TIMESTAMP(3),

    CONSTRAINT "Task_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ClinicianPresence" (
    "userId" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "state" "PresenceState" NOT NULL DEFAULT 'OFFLINE',
    "skills" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "capacity" INTEGER NOT NULL DEFAULT 1,
    "idleSince" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "wrapUpUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClinicianPresence_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "Offer" (
    "id" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "clinicianId" TEXT NOT NULL,
    "state" "OfferState" NOT NULL DEFAULT 'PENDING',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "respondedAt" TIMESTAMP(3),

    CONSTRAINT "Offer_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Queue_clinicId_slug_key" ON "Queue"("clinicId", "slug");

-- CreateIndex
CREATE INDEX "Task_queueId_state_enqueuedAt_idx" ON "Task"("queueId", "state", "enqueuedAt");

-- CreateIndex
CREATE INDEX "Task_clinicId_state_idx" ON "Task"("clinicId", "state");

-- CreateIndex
CREATE INDEX "Task_assignedClinicianId_state_idx" ON "Task"("assignedClinicianId", "state");

-- CreateIndex
CREATE INDEX "Task_appointmentId_idx" ON "Task"("appointmentId");

-- CreateIndex
CREATE INDEX "ClinicianPresence_clinicId_state_idleSince_idx" ON "ClinicianPresence"("clinicId", "state", "idleSince");

-- CreateIndex
CREATE INDEX "Offer_clinicianId_state_idx" ON "Offer"("clinicianId", "state");

-- CreateIndex
CREATE INDEX "Offer_state_expiresAt_idx" ON "Offer"("state", "expiresAt");

-- CreateIndex
CREATE INDEX "Offer_taskId_idx" ON "Offer"("taskId");

-- AddForeignKey
ALTER TABLE "Queue" ADD CONSTRAINT "Queue_clinicId_fkey" FOREIGN KEY ("clinicId") REFERENCES "Clinic"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Queue" ADD CONSTRAINT "Queue_overflowQueueId_fkey" FOREIGN KEY ("overflowQueueId") REFERENCES "Queue"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_queueId_fkey" FOREIGN KEY ("queueId") REFERENCES "Queue"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Task" ADD CONSTRAINT "Task_appointmentId_fkey" FOREIGN KEY ("appointmentId") REFERENCES "Appointment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ClinicianPresence" ADD CONSTRAINT "ClinicianPresence_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Offer" ADD CONSTRAINT "Offer_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Offer" ADD CONSTRAINT "Offer_clinicianId_fkey" FOREIGN KEY ("clinicianId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Invariants the schema language cannot state (Prisma has no partial indexes; keep these lines when
-- a later generated migration proposes to drop them):
-- a task has at most one live offer,
CREATE UNIQUE INDEX "Offer_one_pending_per_task" ON "Offer"("taskId") WHERE "state" = 'PENDING';
-- and an appointment has at most one live task, so a reconnecting patient never becomes a duplicate.
CREATE UNIQUE INDEX "Task_one_live_per_appointment" ON "Task"("appointmentId") WHERE "state" IN ('WAITING', 'OFFERED', 'ASSIGNED');
