import { describe, expect, it } from 'vitest';
import { previewOf, renderMessage, visitLinkUrl } from './message-templates';
import { MESSAGE_KINDS } from '@/server/shared/schemas/notify';

const token = 'AbCdEf0123456789abcdefghijklmnopqrstuvwxyzQ';
const link = visitLinkUrl('https://revisit.example.org/', token);
const visit = { clinicName: '仁和社区诊所', clinicianName: '王医生', startsAt: new Date('2026-11-25T06:30:00.000Z'), timeZone: 'Asia/Shanghai' };

describe('message texts', () => {
  it('builds the personal link from the public address', () => {
    expect(link).toBe(`https://revisit.example.org/v/${token}`);
  });

  it('writes a booking confirmation in Chinese with the clinic, clinician, local time, link and how to opt out', () => {
    const body = renderMessage({ ...visit, kind: 'BOOKED', locale: 'zh_CN', link });
    expect(body).toBe(`【仁和社区诊所】您与王医生的视频复诊已预约在2026年11月25日 14:30。届时请点击您的专属链接进入：${link} 回复 STOP 退订`);
  });

  it('writes the same in English, in the clinic time zone', () => {
    const body = renderMessage({ ...visit, clinicName: 'Riverside Clinic', clinicianName: 'Dr. Wang', kind: 'BOOKED', locale: 'en', link });
    expect(body).toBe(
      `Riverside Clinic: your video follow-up with Dr. Wang is booked for Nov 25, 2026, 14:30. At that time, join with your personal link: ${link} Reply STOP to opt out.`,
    );
    const newYork = renderMessage({ ...visit, timeZone: 'America/New_York', kind: 'REMINDER_24H', locale: 'en', link });
    expect(newYork).toContain('Nov 25, 2026, 01:30');
  });

  it('has a text for every kind in both languages; only visit messages carry the link', () => {
    for (const locale of ['zh_CN', 'en'] as const) {
      for (const kind of MESSAGE_KINDS) {
        const body =
          kind === 'OPT_OUT_CONFIRMATION'
            ? renderMessage({ ...visit, kind, locale })
            : kind === 'CANCELLED'
              ? renderMessage({ ...visit, kind, locale })
              : kind === 'CONSULT_INVITE'
                ? renderMessage({ ...visit, kind, locale, link, code: '4821' })
                : renderMessage({ ...visit, kind, locale, link });
        expect(body).toContain(visit.clinicName);
        expect(body.includes(link), `${locale} ${kind}`).toBe(!['CANCELLED', 'OPT_OUT_CONFIRMATION'].includes(kind));
        if (kind === 'OPT_OUT_CONFIRMATION') {
          expect(body).toContain('START');
          expect(body).not.toMatch(/Reply STOP|回复 STOP/);
        } else {
          expect(body).toContain(locale === 'en' ? 'Reply STOP to opt out.' : '回复 STOP 退订');
          // A consult invitation is for a consult under way: it carries the code instead of a time.
          if (kind === 'CONSULT_INVITE') expect(body).toContain('4821');
          // A video link continues the call under way: no time either.
          else if (kind === 'VIDEO_LINK') expect(body).toContain(locale === 'en' ? 'continue your call by video' : '改用视频继续');
          else expect(body).toContain(locale === 'en' ? 'Nov 25, 2026, 14:30' : '2026年11月25日 14:30');
        }
      }
    }
  });

  it('keeps only the first 6 characters of the link token in the copy shown to staff', () => {
    const body = renderMessage({ ...visit, kind: 'REMINDER_15M', locale: 'en', link });
    const preview = previewOf(body, token);
    expect(preview).toContain('https://revisit.example.org/v/AbCdEf…');
    expect(preview).not.toContain(token);
    expect(preview).not.toContain(token.slice(0, 7));
    expect(previewOf('no link here', null)).toBe('no link here');
  });
});
