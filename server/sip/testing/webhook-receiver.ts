// LiveKit's webhooks served with the real intake where the web app would take them (the stack's WEB_PORT), for
// integration tests and benchmarks that run without the web app.
import { createServer } from 'node:http';
import { livekit } from '@/server/livekit';
import { receiveLivekitWebhook } from '@/server/livekit/webhook-service';

export async function serveLivekitWebhooks(port: number): Promise<{ close: () => Promise<void> }> {
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      receiveLivekitWebhook(livekit(), body, req.headers.authorization ?? null).then(
        () => res.writeHead(200).end(),
        (error) => {
          console.error(`[webhook] ${(error as Error).message}`);
          res.writeHead(500).end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
  return { close: () => new Promise<void>((resolve) => receiver.close(() => resolve())) };
}
