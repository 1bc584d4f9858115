-- AlterTable
ALTER TABLE "Patient" ADD COLUMN     "linkFailedAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "linkLockedUntil" TIMESTAMP(3);
