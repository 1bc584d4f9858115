-- CreateEnum
CREATE TYPE "SpecialistUrgency" AS ENUM ('ROUTINE', 'URGENT');

-- CreateEnum
CREATE TYPE "GuestRole" AS ENUM ('FAMILY', 'INTERPRETER');

-- AlterEnum
ALTER TYPE "MessageKind" ADD VALUE 'CONSULT_INVITE';

-- CreateTable
CREATE TABLE "SpecialistRequest" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "appointmentId" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "department" TEXT NOT NULL,
    "urgency" "SpecialistUrgency" NOT NULL DEFAULT 'ROUTINE',
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "cancelledAt" TIMESTAMP(3),

    CONSTRAINT "SpecialistRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsultInvite" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "appointmentId" TEXT NOT NULL,
    "role" "GuestRole" NOT NULL,
    "displayName" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "phone" TEXT,
    "invitedById" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "failedAttempts" INTEGER NOT NULL DEFAULT 0,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConsultInvite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConsultParticipant" (
    "id" TEXT NOT NULL,
    "appointmentId" TEXT NOT NULL,
    "participantSid" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT NOT NULL,
    "joinedAt" TIMESTAMP(3) NOT NULL,
    "leftAt" TIMESTAMP(3),

    CONSTRAINT "ConsultParticipant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SpecialistNote" (
    "id" TEXT NOT NULL,
    "appointmentId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "authorName" TEXT NOT NULL,
    "authorRole" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SpecialistNote_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SpecialistRequest_taskId_key" ON "SpecialistRequest"("taskId");

-- CreateIndex
CREATE INDEX "SpecialistRequest_appointmentId_createdAt_idx" ON "SpecialistRequest"("appointmentId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ConsultInvite_tokenHash_key" ON "ConsultInvite"("tokenHash");

-- CreateIndex
CREATE INDEX "ConsultInvite_appointmentId_idx" ON "ConsultInvite"("appointmentId");

-- CreateIndex
CREATE UNIQUE INDEX "ConsultParticipant_participantSid_key" ON "ConsultParticipant"("participantSid");

-- CreateIndex
CREATE INDEX "ConsultParticipant_appointmentId_joinedAt_idx" ON "ConsultParticipant"("appointmentId", "joinedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SpecialistNote_appointmentId_authorId_key" ON "SpecialistNote"("appointmentId", "authorId");
