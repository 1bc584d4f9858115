-- Writes the FHIR server refused are shown to the patient, the care team and the clinic's admins: why (a
-- translatable reason, not the server's text) and when; an admin can set one aside (DISMISSED) or retry it.
ALTER TYPE "FhirWriteStatus" ADD VALUE 'DISMISSED';

ALTER TABLE "FhirWrite" ADD COLUMN "failureReason" TEXT,
ADD COLUMN "failedAt" TIMESTAMP(3);

CREATE INDEX "FhirWrite_clinicId_status_createdAt_idx" ON "FhirWrite"("clinicId", "status", "createdAt");
