import { redirect } from 'next/navigation';
import { currentPrincipal } from '@/server/auth/auth';

export default async function VisitPage() {
  const principal = await currentPrincipal();
  if (principal?.kind !== 'patient') redirect('/');
  redirect(`/consult/${principal.appointmentId}`);
}
