// Idempotent: running it again keeps existing data and only fills in what is missing.
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path, { dirname } from 'node:path';
import { db } from '@/server/db';
import { isProduction } from '@/server/env';
import { hashPassword } from '@/server/auth/password';
import { derivedLinkToken } from '@/server/access-links/link-token';
import { issueVisitLink } from '@/server/access-links/access-link-service';
import { dayBounds, localDate, zonedTimeToUtc } from '@/server/shared/zoned';
import { FOLLOW_UP_QUEUE_SLUG } from '@/server/routing/routing-config';
import { createFhirGateway } from '@/server/fhir/gateway';
import { fhirPatientIdFor } from '@/server/fhir/seed/population';
import { seedFhirPopulation } from '@/server/fhir/seed/seed-fhir';
import { CONDITIONS } from '@/server/fhir/codes';
import { inspectClip } from '@/server/ringback/clip-check';
import { DEMO_PASSWORD, demoClinic, demoPatients, demoPhoneLine, demoSpecialists, demoStaff } from './fixtures';
import { SPECIALIST_QUEUE_SLUG, SPECIALIST_SKILL } from '@/server/shared/specialist-config';

async function main() {
  // Demo staff sign in with a published password (an administrator among them): never in a production database.
  if (isProduction()) {
    throw new Error('The demo seed does not run with NODE_ENV=production: its staff accounts use the published demo password. Create real accounts instead.');
  }
  const secret = process.env.AUTH_SECRET;
  const appUrl = process.env.APP_URL ?? 'http://127.0.0.1:3000';
  if (!secret) throw new Error('AUTH_SECRET must be set to seed demo links');

  const clinic = await db.clinic.upsert({ where: { slug: demoClinic.slug }, create: demoClinic, update: {} });
  const followUpQueue = await db.queue.upsert({
    where: { clinicId_slug: { clinicId: clinic.id, slug: FOLLOW_UP_QUEUE_SLUG } },
    create: { clinicId: clinic.id, slug: FOLLOW_UP_QUEUE_SLUG, name: '复诊 Follow-up' },
    update: {},
  });

  await db.queue.upsert({
    where: { clinicId_slug: { clinicId: clinic.id, slug: SPECIALIST_QUEUE_SLUG } },
    create: {
      clinicId: clinic.id,
      slug: SPECIALIST_QUEUE_SLUG,
      name: '专科会诊 Specialist consults',
      requiredSkills: [SPECIALIST_SKILL],
      preferredClinicianSeconds: 0,
    },
    update: {},
  });

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const staffIds: Record<string, string> = {};
  for (const member of demoStaff) {
    const user = await db.user.upsert({
      where: { email: member.email },
      create: { email: member.email, name: member.name, role: member.role, clinicId: clinic.id, passwordHash },
      update: {},
    });
    staffIds[member.key] = user.id;
    const departments = demoSpecialists[member.key];
    if (departments) {
      await db.clinicianPresence.upsert({
        where: { userId: user.id },
        create: { userId: user.id, clinicId: clinic.id, state: 'OFFLINE', skills: [SPECIALIST_SKILL, ...departments] },
        update: { skills: [SPECIALIST_SKILL, ...departments] },
      });
    }
  }

  const now = new Date();
  const today = localDate(now, clinic.timeZone);
  const { start, end } = dayBounds(now, clinic.timeZone);
  const links: { patient: string; birthDate: string; clinician: string; time: string; url: string }[] = [];

  for (const person of demoPatients) {
    const clinicianId = staffIds[person.primaryClinician]!;
    const patient = await db.patient.upsert({
      where: { clinicId_phone: { clinicId: clinic.id, phone: person.phone } },
      create: {
        clinicId: clinic.id,
        familyName: person.familyName,
        givenName: person.givenName,
        birthDate: new Date(`${person.birthDate}T00:00:00Z`),
        phone: person.phone,
        preferredLocale: person.preferredLocale,
        primaryClinicianId: clinicianId,
        fhirPatientId: fhirPatientIdFor(person.key),
      },
      update: {},
    });
    if (!patient.fhirPatientId) {
      await db.patient.update({ where: { id: patient.id }, data: { fhirPatientId: fhirPatientIdFor(person.key) } });
    }

    const startsAt = zonedTimeToUtc(today, person.visit.localTime, clinic.timeZone);
    const appointment =
      (await db.appointment.findFirst({
        where: { patientId: patient.id, startsAt: { gte: start, lt: end }, status: { notIn: ['CANCELLED', 'COMPLETED', 'NO_SHOW'] } },
      })) ??
      (await db.appointment.create({
        data: { clinicId: clinic.id, patientId: patient.id, clinicianId, startsAt, durationMinutes: 15, reason: person.visit.reason },
      }));

    const { token } = await db.$transaction((tx) =>
      issueVisitLink(tx, {
        appointmentId: appointment.id,
        expiresAt: new Date(end.getTime() + 12 * 60 * 60 * 1000),
        token: derivedLinkToken(secret, appointment.id),
      }),
    );
    links.push({
      patient: `${person.familyName}${person.givenName}`,
      birthDate: person.birthDate,
      clinician: demoStaff.find((s) => s.key === person.primaryClinician)!.name,
      time: `${today} ${person.visit.localTime} (${clinic.timeZone})`,
      url: `${appUrl}/v/${token}`,
    });
  }

  // Clinical data: the demo patients' charts (and a few more) in the FHIR server, once.
  const fhirBaseUrl = process.env.FHIR_BASE_URL;
  let fhirSummary = 'no FHIR_BASE_URL, charts not seeded';
  if (fhirBaseUrl) {
    const seeded = await seedFhirPopulation(createFhirGateway({ baseUrl: fhirBaseUrl, timeoutMs: 60_000 }), { endDate: today });
    const written = seeded.filter((p) => p.created);
    fhirSummary = written.length
      ? `${written.length} synthetic charts written to ${fhirBaseUrl} (${written.reduce((n, p) => n + p.resources, 0)} resources)`
      : `${seeded.length} synthetic charts already in ${fhirBaseUrl}`;
  }

  const clipSummary = await seedWaitingClips(clinic.id, followUpQueue.id);
  // The phone line; the web app provisions it in LiveKit SIP when it starts.
  await db.clinicPhone.upsert({ where: { clinicId: clinic.id }, create: { clinicId: clinic.id, ...demoPhoneLine }, update: {} });

  const summary = {
    clinic: clinic.name,
    staff: demoStaff.map((s) => ({ email: s.email, password: DEMO_PASSWORD, role: s.role, name: s.name })),
    patients: links,
    phone: { number: demoPhoneLine.numbers[0], callers: demoPatients.map((p) => ({ patient: `${p.familyName}${p.givenName}`, phone: p.phone })) },
  };
  const out = process.env.SEED_SUMMARY_FILE;
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify(summary, null, 2));
  }
  console.log(`Seeded ${clinic.name}: ${demoStaff.length} staff, ${links.length} patients with follow-ups today; ${fhirSummary}; ${clipSummary}.`);
}

/**
 * The demo's waiting-room clips (made by scripts/lib/demo-clips.mjs in WAITING_MEDIA_DIR before seeding, already in the
 * house format) copied into the clinic's folder as its own clips, and the follow-up queue's playlist: the welcome for
 * everyone, the blood-pressure tips only for patients with hypertension. Skipped when the clips are not there.
 */
async function seedWaitingClips(clinicId: string, queueId: string): Promise<string> {
  const dir = path.resolve(process.env.WAITING_MEDIA_DIR ?? '.data/media/waiting');
  const demo = [
    { source: 'welcome.mp4', title: '欢迎 Welcome', conditionCode: null },
    { source: 'blood-pressure-tips.mp4', title: '血压小贴士 Blood pressure tips', conditionCode: CONDITIONS.hypertension.snomed.code },
  ];
  if (!demo.every((clip) => existsSync(path.join(dir, clip.source)))) return `no demo clips in ${dir}, no waiting-room clips registered`;
  const clipIds: string[] = [];
  for (const clip of demo) {
    const file = `${clinicId}/demo-${clip.source}`;
    const target = path.join(dir, file);
    let row = await db.waitingClip.findFirst({ where: { clinicId, file }, select: { id: true } });
    if (!row) {
      const inspection = await inspectClip(path.join(dir, clip.source));
      if (!inspection.ok) throw new Error(`The demo clip ${clip.source} is not usable: ${inspection.message}`);
      row = await db.waitingClip.create({ data: { clinicId, title: clip.title, file, durationSeconds: inspection.durationSeconds }, select: { id: true } });
    }
    if (!existsSync(target)) {
      mkdirSync(path.dirname(target), { recursive: true });
      // Aside, then renamed: an interrupted seed never leaves half a clip for the agent to play.
      copyFileSync(path.join(dir, clip.source), `${target}.partial`);
      renameSync(`${target}.partial`, target);
    }
    clipIds.push(row.id);
  }
  // An admin's own playlist for the queue is kept as it is.
  if ((await db.waitingPlaylistEntry.count({ where: { queueId } })) > 0) return `${demo.length} waiting-room clips, the follow-up playlist kept`;
  await db.waitingPlaylistEntry.createMany({
    data: demo.map((clip, position) => ({ clinicId, queueId, clipId: clipIds[position]!, position, conditionCode: clip.conditionCode })),
  });
  return `${demo.length} waiting-room clips in the follow-up playlist`;
}

main()
  .then(() => db.$disconnect())
  .catch(async (error) => {
    console.error(`Seeding failed: ${(error as Error).message}`);
    await db.$disconnect();
    process.exit(1);
  });
