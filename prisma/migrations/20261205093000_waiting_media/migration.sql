-- CreateTable
CREATE TABLE "WaitingClip" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "file" TEXT NOT NULL,
    "durationSeconds" DOUBLE PRECISION NOT NULL,
    "uploadedById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WaitingClip_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WaitingPlaylistEntry" (
    "id" TEXT NOT NULL,
    "clinicId" TEXT NOT NULL,
    "queueId" TEXT NOT NULL,
    "clipId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "fromMinute" INTEGER,
    "toMinute" INTEGER,
    "conditionCode" TEXT,

    CONSTRAINT "WaitingPlaylistEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WaitingClip_clinicId_idx" ON "WaitingClip"("clinicId");

-- CreateIndex
CREATE INDEX "WaitingPlaylistEntry_queueId_position_idx" ON "WaitingPlaylistEntry"("queueId", "position");

-- AddForeignKey
ALTER TABLE "WaitingPlaylistEntry" ADD CONSTRAINT "WaitingPlaylistEntry_clipId_fkey" FOREIGN KEY ("clipId") REFERENCES "WaitingClip"("id") ON DELETE CASCADE ON UPDATE CASCADE;
