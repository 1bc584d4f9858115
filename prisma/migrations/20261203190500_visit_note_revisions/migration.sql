-- CreateTable
CREATE TABLE "VisitNoteRevision" (
    "id" TEXT NOT NULL,
    "visitNoteId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "freeText" TEXT NOT NULL,
    "assessment" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "nextFollowUpDays" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VisitNoteRevision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "VisitNoteRevision_visitNoteId_createdAt_idx" ON "VisitNoteRevision"("visitNoteId", "createdAt");

-- AddForeignKey
ALTER TABLE "VisitNoteRevision" ADD CONSTRAINT "VisitNoteRevision_visitNoteId_fkey" FOREIGN KEY ("visitNoteId") REFERENCES "VisitNote"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
