// The waiting-room clips a room plays while the caller waits, in order.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { env } from '@/server/env';

/** The house-format clips (MP4) in the waiting-media folder; none means the waiting card is shown. */
export async function chooseWaitingClips(_clinicId: string): Promise<string[]> {
  const dir = env().WAITING_MEDIA_DIR;
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((name) => name.endsWith('.mp4'))
    .sort()
    .map((name) => path.join(dir, name));
}
