import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { db } from '@/server/db';
import { freePort } from '@/scripts/lib/proc.mjs';
import { startLivekit } from '@/scripts/lib/livekit.mjs';
import { createLivekitGateway } from './livekit-gateway';
import { receiveLivekitWebhook } from './webhook-service';

// A LiveKit server of this test's own, whose webhooks go to a local HTTP endpoint that runs the real intake.
const apiKey = 'webhook-test';
const apiSecret = randomBytes(32).toString('hex');
let livekit: Awaited<ReturnType<typeof startLivekit>>;
let receiver: Server;
const deliveries: { status: number; body: string; authorization: string | null }[] = [];

beforeAll(async () => {
  const port = await freePort();
  livekit = await startLivekit({
    dir: `.data/test/livekit-webhook-${port}`,
    apiKey,
    apiSecret,
    webhookUrl: `http://127.0.0.1:${port}/webhook`,
  });
  const gateway = createLivekitGateway({ url: livekit.url, apiKey, apiSecret, tokenTtlSeconds: 600 });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const authorization = req.headers.authorization ?? null;
      try {
        await receiveLivekitWebhook(gateway, body, authorization);
        deliveries.push({ status: 200, body, authorization });
        res.writeHead(200).end();
      } catch {
        deliveries.push({ status: 401, body, authorization });
        res.writeHead(401).end();
      }
    });
  });
  await new Promise<void>((resolve) => receiver.listen(port, '127.0.0.1', resolve));
});

afterAll(async () => {
  await livekit?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('LiveKit webhooks (real server)', () => {
  it('verifies and stores the room_started event LiveKit sends, once per event id', async () => {
    const room = `webhook-${randomBytes(4).toString('hex')}`;
    const rooms = new RoomServiceClient(livekit.httpUrl, apiKey, apiSecret);
    await rooms.createRoom({ name: room, emptyTimeout: 10 });

    // The delivery is answered once the intake is done with it; its row is visible a moment before that (the row's
    // commit is seen by this test's own queries before the intake's await of it returns), so wait for the answer.
    await expect.poll(() => deliveries.find((d) => d.body.includes(room) && d.status === 200), { timeout: 10_000 }).toBeDefined();
    const delivery = deliveries.find((d) => d.body.includes(room) && d.status === 200);
    expect(await db.livekitWebhookEvent.count({ where: { roomName: room, event: 'room_started' } })).toBe(1);

    // The very same delivery again (LiveKit retries) is accepted but stored once.
    const gateway = createLivekitGateway({ url: livekit.url, apiKey, apiSecret, tokenTtlSeconds: 600 });
    const again = await receiveLivekitWebhook(gateway, delivery!.body, delivery!.authorization);
    expect(again.stored).toBe(false);
    expect(await db.livekitWebhookEvent.count({ where: { roomName: room, event: 'room_started' } })).toBe(1);
    await rooms.deleteRoom(room);
  });

  it('refuses unsigned, forged and tampered requests without storing anything', async () => {
    const gateway = createLivekitGateway({ url: livekit.url, apiKey, apiSecret, tokenTtlSeconds: 600 });
    const body = JSON.stringify({ id: `EV_${randomBytes(6).toString('hex')}`, event: 'room_started', createdAt: `${Math.floor(Date.now() / 1000)}` });

    await expect(receiveLivekitWebhook(gateway, body, null)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    const forger = new AccessToken(apiKey, 'not-the-secret-'.repeat(3));
    forger.sha256 = 'irrelevant';
    await expect(receiveLivekitWebhook(gateway, body, await forger.toJwt())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    // Signed with the right key but for a different body.
    const signer = new AccessToken(apiKey, apiSecret);
    signer.sha256 = createHash('sha256').update('{"other":"body"}').digest('base64');
    await expect(receiveLivekitWebhook(gateway, body, await signer.toJwt())).rejects.toMatchObject({ code: 'UNAUTHORIZED' });

    expect(await db.livekitWebhookEvent.count({ where: { id: JSON.parse(body).id } })).toBe(0);
  });

  it('refuses a correctly signed but stale event (a replay)', async () => {
    const gateway = createLivekitGateway({ url: livekit.url, apiKey, apiSecret, tokenTtlSeconds: 600 });
    const id = `EV_${randomBytes(6).toString('hex')}`;
    const body = JSON.stringify({ id, event: 'room_started', createdAt: `${Math.floor(Date.now() / 1000) - 3600}` });
    const signer = new AccessToken(apiKey, apiSecret);
    signer.sha256 = createHash('sha256').update(body).digest('base64');
    await expect(receiveLivekitWebhook(gateway, body, await signer.toJwt())).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('stale'),
    });
    expect(await db.livekitWebhookEvent.count({ where: { id } })).toBe(0);
  });
});
