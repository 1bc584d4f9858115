import 'server-only';
import NextAuth, { CredentialsSignin, type DefaultSession } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { env } from '@/server/env';
import { checkPatientLink } from '@/server/access-links/access-link-service';
import { patientLinkCredentialsSchema } from '@/server/access-links/schemas';
import { checkStaffPassword, staffCredentialsSchema } from './staff-auth-service';
import type { Principal } from './session-types';
import { checkGuestInvite, guestCredentialsSchema } from '@/server/consult/invite-service';

declare module 'next-auth' {
  interface Session {
    principal: Principal;
    user: DefaultSession['user'];
  }
  interface User {
    principal?: Principal;
  }
}

/** The code travels to the sign-in form, which shows the matching message. */
class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: env().AUTH_SECRET,
  trustHost: true,
  session: { strategy: 'jwt', maxAge: 8 * 60 * 60 },
  pages: { signIn: '/signin' },
  logger: {
    // Refused sign-ins are expected; they are audited, not logged as errors.
    error(error) {
      if (error.name === 'CredentialsSignin' || (error as { type?: string }).type === 'CredentialsSignin') return;
      console.error('[auth]', error);
    },
  },
  providers: [
    Credentials({
      id: 'staff',
      credentials: { email: {}, password: {} },
      async authorize(raw) {
        const parsed = staffCredentialsSchema.safeParse(raw);
        if (!parsed.success) throw new SignInRefused('invalidInput');
        const staff = await checkStaffPassword(parsed.data);
        if (!staff) throw new SignInRefused('invalid');
        return {
          id: staff.id,
          name: staff.name,
          email: staff.email,
          principal: { kind: 'staff', id: staff.id, name: staff.name, role: staff.role, clinicId: staff.clinicId },
        };
      },
    }),
    Credentials({
      id: 'patient-link',
      credentials: { token: {}, birthDate: {} },
      async authorize(raw) {
        const parsed = patientLinkCredentialsSchema.safeParse(raw);
        if (!parsed.success) {
          const tokenBad = parsed.error.issues.some((issue) => issue.path[0] === 'token');
          throw new SignInRefused(tokenBad ? 'malformed' : 'invalidBirthDate');
        }
        const check = await checkPatientLink(parsed.data, { maxFailedAttempts: env().ACCESS_LINK_MAX_FAILED_ATTEMPTS });
        if (!check.ok) {
          throw new SignInRefused(check.reason === 'wrongBirthDate' ? `wrongBirthDate:${check.attemptsLeft}` : check.reason);
        }
        return {
          id: check.patientId,
          name: check.patientName,
          principal: {
            kind: 'patient',
            id: check.patientId,
            name: check.patientName,
            clinicId: check.clinicId,
            appointmentId: check.appointmentId,
          },
        };
      },
    }),
    Credentials({
      id: 'guest-invite',
      credentials: { token: {}, name: {}, code: {} },
      async authorize(raw) {
        const parsed = guestCredentialsSchema.safeParse(raw);
        if (!parsed.success) {
          const tokenBad = parsed.error.issues.some((issue) => issue.path[0] === 'token');
          throw new SignInRefused(tokenBad ? 'malformed' : 'invalidInput');
        }
        const check = await checkGuestInvite(parsed.data);
        if (!check.ok) throw new SignInRefused(check.reason === 'wrong' ? `wrong:${check.attemptsLeft}` : check.reason);
        return {
          id: check.inviteId,
          name: check.name,
          principal: {
            kind: 'guest',
            id: check.inviteId,
            name: check.name,
            clinicId: check.clinicId,
            appointmentId: check.appointmentId,
            guestRole: check.role,
          },
        };
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.principal) token.principal = user.principal;
      return token;
    },
    session({ session, token }) {
      session.principal = token.principal as Principal;
      return session;
    },
  },
}));

export async function currentPrincipal(): Promise<Principal | null> {
  const session = await auth();
  return session?.principal ?? null;
}
