import { currentPrincipal } from '@/server/auth/auth';
import { handleClipUpload } from '@/server/ringback/clip-upload';

export const dynamic = 'force-dynamic';

/** An admin's waiting-room clip (multipart/form-data: `title`, `file`), streamed to disk, checked and transcoded. */
export async function POST(request: Request) {
  return handleClipUpload(request, await currentPrincipal());
}
