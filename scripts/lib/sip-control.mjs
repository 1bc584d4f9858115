// Lets tests restart the stack's SIP bridge mid-call (as an upgrade or a crash would) while the stack keeps owning the
// process: `POST <url>/restart` on the loopback, answered once the new bridge takes calls on the same port.
import { createServer } from 'node:http';
import { freePort } from './proc.mjs';

/**
 * @param {{ start: () => Promise<{ stop: () => Promise<void>, pid: number }>, initial: { stop: () => Promise<void>, pid: number } }} options
 * @returns {Promise<{ url: string, stopBridge: () => Promise<void>, close: () => Promise<void> }>}
 */
export async function startSipControl({ start, initial }) {
  let current = initial;
  let busy = Promise.resolve();
  const restart = async () => {
    if (current) await current.stop();
    current = null;
    current = await start();
    return String(current.pid);
  };
  const server = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/restart') {
      response.writeHead(404).end('POST /restart');
      return;
    }
    busy = busy.then(restart).then(
      (pid) => response.writeHead(200).end(pid),
      (error) => response.writeHead(500).end(String(error?.message ?? error)),
    );
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    /** Stops whichever bridge process runs now. */
    stopBridge: () =>
      (busy = busy.then(async () => {
        if (current) await current.stop();
        current = null;
      })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
