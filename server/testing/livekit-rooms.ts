// Integration tests' own participants on the test stack's LiveKit server (LIVEKIT_* from its env), left at the end.
import { Room } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { env } from '@/server/env';

export function testRooms(roomName: string) {
  const rooms: Room[] = [];
  return {
    /** A participant that may publish and subscribes to everything, in a room of this test's own. */
    async join(identity: string): Promise<Room> {
      const settings = env();
      const token = new AccessToken(settings.LIVEKIT_API_KEY, settings.LIVEKIT_API_SECRET, { identity });
      token.addGrant({ room: roomName, roomJoin: true, canPublish: true, canSubscribe: true });
      const room = new Room();
      rooms.push(room);
      await room.connect(settings.LIVEKIT_URL, await token.toJwt(), { autoSubscribe: true, dynacast: false });
      return room;
    },
    async leaveAll() {
      for (const room of rooms.splice(0)) await room.disconnect();
    },
  };
}
