// The embedded FHIR R4 server (server/fhir/embedded) as a child process on 127.0.0.1, shared by the demo,
// the test runner and the benchmarks. Plain Node ESM on purpose. Data lives in `dataDir` (a JSON-lines
// journal) and survives a restart.
import path from 'node:path';
import { freePort, startService, waitFor } from './proc.mjs';

/**
 * @param {object} options
 * @param {string} options.dataDir  where the journal is kept
 * @param {number} [options.port]   TCP port on 127.0.0.1 (a free one when omitted)
 * @param {string} [options.logFile]
 * @returns {Promise<{ url: string, port: number, pid: number, stop: () => Promise<void> }>}
 *   `url` is the FHIR base URL (…/fhir); `stop()` stops the process by its PID.
 */
export async function startFhirServer({ dataDir, port, logFile }) {
  if (!dataDir) throw new Error('startFhirServer: dataDir is required');
  const listenPort = port ?? (await freePort());
  // One Node process (tsx as a loader, not its CLI), so the PID is the server's own.
  const service = startService(
    'FHIR server',
    process.execPath,
    ['--import', 'tsx', 'server/fhir/embedded/main.ts', '--data-dir', path.resolve(dataDir), '--port', String(listenPort)],
    { logFile: logFile ?? path.join(path.resolve(dataDir), 'fhir.log') },
  );
  const url = `http://127.0.0.1:${listenPort}/fhir`;
  try {
    await waitFor(
      async () => {
        if (!service.running) throw new Error(`the FHIR server exited; see ${service.logFile}`);
        return fetch(`${url}/metadata`).then(
          (r) => r.ok,
          () => false,
        );
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `the FHIR server on ${url}` },
    );
  } catch (error) {
    await service.stop(2_000);
    throw error;
  }
  return { url, port: listenPort, pid: service.pid, stop: (graceMs) => service.stop(graceMs) };
}
