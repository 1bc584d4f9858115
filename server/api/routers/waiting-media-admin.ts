import 'server-only';
import { createTRPCRouter, staffProcedure } from '@/server/api/trpc';
import { deleteClip, listClips, playlistOf, savePlaylist } from '@/server/ringback/waiting-media-service';
import { clipIdInput, queueIdInput, savePlaylistInput } from '@/server/shared/schemas/waiting-media';

// The admin screen's waiting-room media: clips (uploaded through app/api/admin/waiting-clips) and playlists per queue.
const adminProcedure = staffProcedure(['ADMIN']);

export const waitingMediaAdminRouter = createTRPCRouter({
  listClips: adminProcedure.query(({ ctx }) => listClips(ctx.principal)),
  deleteClip: adminProcedure.input(clipIdInput).mutation(({ ctx, input }) => deleteClip(ctx.principal, input.clipId)),
  playlist: adminProcedure.input(queueIdInput).query(({ ctx, input }) => playlistOf(ctx.principal, input.queueId)),
  savePlaylist: adminProcedure.input(savePlaylistInput).mutation(({ ctx, input }) => savePlaylist(ctx.principal, input.queueId, input.entries)),
});
