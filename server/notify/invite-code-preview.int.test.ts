import { describe, expect, it } from 'vitest';
import { createCaller } from '@/server/api/root';
import { createContext } from '@/server/api/trpc';
import { createStaff, createVisitScenario, staffPrincipal } from '@/server/testing/factories';
import { DevSmsProvider } from './dev-sms-provider';
import { sendDueMessages } from './outbox-worker';

describe('a guest invitation in the admin message log (real PostgreSQL)', () => {
  it('shows admins neither the guest’s code nor the working link, only the text around them', async () => {
    const s = await createVisitScenario();
    const admin = await createStaff(s.clinic.id, 'ADMIN');
    await createCaller(createContext(staffPrincipal(s.doctor))).multiparty.createInvite({
      appointmentId: s.appointment.id,
      role: 'INTERPRETER',
      displayName: 'Lin Hua',
      phone: '+8613900002222',
    });
    const texts: string[] = [];
    await sendDueMessages(new DevSmsProvider((line) => texts.push(line)), new Date(), { clinicId: s.clinic.id, appUrl: 'https://revisit.example.org' });
    // What the guest's phone got: the link and the 6-digit code.
    expect(texts).toHaveLength(1);
    const code = /(?:code|验证码) (\d{6})/.exec(texts[0]!)?.[1];
    const token = /\/g\/([A-Za-z0-9_-]{43})/.exec(texts[0]!)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    expect(token).toBeTruthy();

    const { messages } = await createCaller(createContext(staffPrincipal(admin))).messages.list({});
    const invite = messages.find((m) => m.kind === 'CONSULT_INVITE');
    expect(invite?.bodyPreview).toBeTruthy();
    expect(invite!.bodyPreview).not.toContain(code!);
    expect(invite!.bodyPreview).not.toContain(token!);
    expect(invite!.bodyPreview).toContain('••••••');
    expect(invite!.bodyPreview).toContain('https://revisit.example.org/g/');
  });
});
