-- A visit record's newer and in-flight versions are looked up at every claim and save.
CREATE INDEX "FhirWrite_appointmentId_kind_createdAt_idx" ON "FhirWrite"("appointmentId", "kind", "createdAt");
