// Lets end-to-end tests stop and start the stack's FHIR server (to show that nothing is lost while it is
// down) while the stack keeps owning the process: a small HTTP endpoint on the loopback,
// `POST <url>/stop` and `POST <url>/start`, answered once the server is down or up again.
import { createServer } from 'node:http';
import { startFhirServer } from './fhir.mjs';
import { freePort } from './proc.mjs';

/**
 * @param {{ dataDir: string, port: number, initial: { stop: () => Promise<void> } }} options
 * @returns {Promise<{ url: string, stopServer: () => Promise<void>, close: () => Promise<void> }>}
 */
export async function startFhirControl({ dataDir, port, initial }) {
  let current = initial;
  let busy = Promise.resolve();
  const actions = {
    stop: async () => {
      if (current) await current.stop();
      current = null;
    },
    // Same port and data folder: FHIR_BASE_URL stays valid and the journal brings the data back.
    start: async () => {
      if (!current) current = await startFhirServer({ dataDir, port });
    },
  };
  const server = createServer((request, response) => {
    const action = request.method === 'POST' ? actions[(request.url ?? '').replace(/^\/+/, '')] : undefined;
    if (!action) {
      response.writeHead(404).end('POST /stop or /start');
      return;
    }
    busy = busy.then(action).then(
      () => response.writeHead(200).end('ok'),
      (error) => response.writeHead(500).end(String(error?.message ?? error)),
    );
  });
  const controlPort = await freePort();
  await new Promise((resolve) => server.listen(controlPort, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${controlPort}`,
    /** Stops whichever FHIR server process is running now. */
    stopServer: () => (busy = busy.then(actions.stop)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
