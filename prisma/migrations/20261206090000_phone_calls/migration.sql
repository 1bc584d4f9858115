-- AlterEnum
ALTER TYPE "CallStage" ADD VALUE 'IDENTIFY' BEFORE 'MENU';

-- AlterEnum
ALTER TYPE "MessageKind" ADD VALUE 'VIDEO_LINK';

-- AlterTable
ALTER TABLE "Appointment" ADD COLUMN     "callRoom" TEXT;

-- AlterTable
ALTER TABLE "CallSession" ADD COLUMN     "callerIdentity" TEXT,
ADD COLUMN     "callerNumber" TEXT,
ADD COLUMN     "channel" "RoutingChannel" NOT NULL DEFAULT 'WEB',
ADD COLUMN     "identifyTries" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "ClinicPhone" (
    "clinicId" TEXT NOT NULL,
    "numbers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "allowedAddresses" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "inboundUsername" TEXT,
    "inboundPassword" TEXT,
    "outboundAddress" TEXT,
    "outboundNumber" TEXT,
    "outboundUsername" TEXT,
    "outboundPassword" TEXT,
    "inboundTrunkId" TEXT,
    "dispatchRuleId" TEXT,
    "outboundTrunkId" TEXT,
    "reconciledAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ClinicPhone_pkey" PRIMARY KEY ("clinicId")
);

-- CreateIndex
CREATE UNIQUE INDEX "Appointment_callRoom_key" ON "Appointment"("callRoom");
