-- CreateEnum
CREATE TYPE "FhirWriteKind" AS ENUM ('VITALS', 'VISIT_RECORD');

-- CreateEnum
CREATE TYPE "FhirWriteStatus" AS ENUM ('PENDING', 'STORING', 'STORED', 'FAILED');

-- CreateTable
CREATE TABLE "FhirWrite" (
    "id" TEXT NOT NULL,
    "kind" "FhirWriteKind" NOT NULL,
    "clinicId" TEXT NOT NULL,
    "patientId" TEXT NOT NULL,
    "appointmentId" TEXT,
    "enteredBy" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "FhirWriteStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "storedAt" TIMESTAMP(3),

    CONSTRAINT "FhirWrite_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SharedPanel" (
    "appointmentId" TEXT NOT NULL,
    "shareId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "vital" TEXT,
    "careNote" TEXT,
    "sharedById" TEXT NOT NULL,
    "sharedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SharedPanel_pkey" PRIMARY KEY ("appointmentId")
);

-- CreateIndex
CREATE INDEX "FhirWrite_status_nextAttemptAt_idx" ON "FhirWrite"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "FhirWrite_patientId_createdAt_idx" ON "FhirWrite"("patientId", "createdAt");
