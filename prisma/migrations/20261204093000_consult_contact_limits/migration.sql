-- CreateIndex
CREATE INDEX "AuditEvent_clinicId_action_occurredAt_idx" ON "AuditEvent"("clinicId", "action", "occurredAt");

-- CreateIndex
CREATE INDEX "ConsultInvite_clinicId_createdAt_idx" ON "ConsultInvite"("clinicId", "createdAt");
