// Imported once when the Node.js server starts: a misconfigured deployment stops with a readable list.
import { env, exitOnConfigError } from './env';

exitOnConfigError();

const interval = env().ROUTING_SWEEP_INTERVAL_MS;
if (interval > 0) {
  const { startRoutingWorker } = await import('./routing/routing-worker');
  startRoutingWorker(interval);
  // Visits nobody came to become no-shows; minutes matter here, not seconds.
  (await import('./scheduling/no-show')).startNoShowSweeper(60_000);
}

if (env().SMS_WORKER_INTERVAL_MS > 0) (await import('./notify/outbox-worker')).startOutboxWorker(env().SMS_WORKER_INTERVAL_MS);

if (env().FHIR_BASE_URL && env().FHIR_OUTBOX_INTERVAL_MS > 0) {
  const [{ startFhirWriteWorker }, { fhirGateway }] = await Promise.all([import('./clinical/fhir-outbox'), import('./fhir/gateway')]);
  startFhirWriteWorker(env().FHIR_OUTBOX_INTERVAL_MS, fhirGateway);
}

if (env().SIP_ENABLED === '1') {
  // The clinics' phone lines in LiveKit SIP: at start-up, then every minute (a trunk or rule removed by hand comes back).
  const [{ reconcilePhoneLines }, { sip }, { startPeriodic }] = await Promise.all([
    import('./sip/provisioning'),
    import('./sip'),
    import('./workers/periodic'),
  ]);
  const reconcile = () => reconcilePhoneLines(sip());
  reconcile().catch((error) => console.error(`[sip] phone lines not provisioned at start-up (tried again each minute): ${(error as Error).message}`));
  startPeriodic('sip-reconcile', 60_000, reconcile);
}
