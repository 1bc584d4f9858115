-- CreateEnum
CREATE TYPE "CallStage" AS ENUM ('MENU', 'WAITING', 'CONSULT', 'ENDED');

-- CreateEnum
CREATE TYPE "IvrEventKind" AS ENUM ('ENTER', 'CHOICE', 'INVALID', 'TIMEOUT', 'HANGUP');

-- AlterTable
ALTER TABLE "Queue" ADD COLUMN     "skipIvr" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "IvrMenu" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "tree" JSONB NOT NULL,
    "savedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IvrMenu_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CallSession" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "appointmentId" TEXT,
    "room" TEXT NOT NULL,
    "stage" "CallStage" NOT NULL DEFAULT 'MENU',
    "locale" "Locale" NOT NULL,
    "audioOnly" BOOLEAN NOT NULL DEFAULT false,
    "menuVersion" INTEGER,
    "nodeId" TEXT,
    "path" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "agentWorkerId" TEXT,
    "agentSeenAt" TIMESTAMP(3),
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "CallSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IvrEvent" (
    "id" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "menuVersion" INTEGER NOT NULL,
    "nodeId" TEXT NOT NULL,
    "kind" "IvrEventKind" NOT NULL,
    "digit" TEXT,
    "durationMs" INTEGER,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IvrEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "IvrMenu_clinicId_version_key" ON "IvrMenu"("clinicId", "version");

-- CreateIndex
CREATE INDEX "CallSession_stage_agentSeenAt_idx" ON "CallSession"("stage", "agentSeenAt");

-- CreateIndex
CREATE INDEX "CallSession_appointmentId_idx" ON "CallSession"("appointmentId");

-- CreateIndex
CREATE INDEX "IvrEvent_clinicId_menuVersion_nodeId_idx" ON "IvrEvent"("clinicId", "menuVersion", "nodeId");

-- AddForeignKey
ALTER TABLE "IvrEvent" ADD CONSTRAINT "IvrEvent_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "CallSession"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A room has at most one live call session: a reload or a second agent finds the same one.
CREATE UNIQUE INDEX "CallSession_one_live_per_room" ON "CallSession"("room") WHERE "stage" <> 'ENDED';
