-- Texts from patients that changed something (STOP, START), by the provider's message id: a webhook the
-- provider delivers again (a retry of an old STOP after a START) is handled once.
CREATE TABLE "InboundSms" (
    "providerMessageId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "InboundSms_pkey" PRIMARY KEY ("providerMessageId")
);
