-- A text message attempt whose outcome is not known yet (no answer from the provider, or a process that died
-- mid-send): the SHA-256 of its text and when it started, so the next attempt asks the provider for it first.
ALTER TABLE "Message" ADD COLUMN "pendingTextSha256" TEXT,
ADD COLUMN "pendingSince" TIMESTAMP(3);
