// The text of each message kind in the patient's language. SMS text is not UI: it lives here, next to
// the kinds, and is written at send time so it always shows the visit's current time and a fresh link.
import type { Locale } from '@/server/db/generated/client';
import { formatDateTime } from '@/server/shared/zoned';
import { PREVIEW_TOKEN_CHARS } from './notify-config';

type Common = { locale: Locale; clinicName: string; timeZone: string };
type Visit = { clinicianName: string; startsAt: Date };

export type MessageText = Common &
  (
    | ({ kind: 'BOOKED' | 'REMINDER_24H' | 'REMINDER_15M' | 'RESCHEDULED' | 'VIDEO_LINK'; link: string } & Visit)
    | ({ kind: 'CANCELLED' } & Visit)
    | { kind: 'OPT_OUT_CONFIRMATION' }
    | ({ kind: 'CONSULT_INVITE'; link: string; code: string } & Visit)
  );

const INTL_LOCALE: Record<Locale, string> = { zh_CN: 'zh-CN', en: 'en' };

const FOOTER: Record<Locale, string> = { zh_CN: '回复 STOP 退订', en: 'Reply STOP to opt out.' };

type Fill = { clinic: string; clinician: string; time: string; link: string; code: string };

const TEXTS: Record<Locale, Record<MessageText['kind'], (v: Fill) => string>> = {
  en: {
    BOOKED: (v) => `${v.clinic}: your video follow-up with ${v.clinician} is booked for ${v.time}. At that time, join with your personal link: ${v.link}`,
    REMINDER_24H: (v) => `${v.clinic}: reminder, your video follow-up with ${v.clinician} is on ${v.time}. Your personal link: ${v.link}`,
    REMINDER_15M: (v) =>
      `${v.clinic}: your video follow-up with ${v.clinician} starts soon (${v.time}). Open your link now to check your camera and microphone: ${v.link}`,
    RESCHEDULED: (v) => `${v.clinic}: your video follow-up with ${v.clinician} has moved to ${v.time}. Your new personal link: ${v.link}`,
    CANCELLED: (v) =>
      `${v.clinic}: your video follow-up with ${v.clinician} on ${v.time} has been cancelled. Please contact the clinic if you need a new appointment.`,
    OPT_OUT_CONFIRMATION: (v) => `${v.clinic}: you will no longer receive text messages from us. Reply START to receive them again.`,
    CONSULT_INVITE: (v) =>
      `${v.clinic}: you are invited to join a video consult with ${v.clinician}. Open ${v.link} and enter your name and the code ${v.code}.`,
    VIDEO_LINK: (v) => `${v.clinic}: ${v.clinician} asks you to continue your call by video. Open this link on your phone: ${v.link}`,
  },
  zh_CN: {
    BOOKED: (v) => `【${v.clinic}】您与${v.clinician}的视频复诊已预约在${v.time}。届时请点击您的专属链接进入：${v.link}`,
    REMINDER_24H: (v) => `【${v.clinic}】提醒：您与${v.clinician}的视频复诊时间为${v.time}。您的专属链接：${v.link}`,
    REMINDER_15M: (v) => `【${v.clinic}】您与${v.clinician}的视频复诊即将开始（${v.time}）。请现在打开链接检查摄像头和麦克风：${v.link}`,
    RESCHEDULED: (v) => `【${v.clinic}】您与${v.clinician}的视频复诊已改至${v.time}。新的专属链接：${v.link}`,
    CANCELLED: (v) => `【${v.clinic}】您与${v.clinician}在${v.time}的视频复诊已取消。如需重新预约，请联系诊所。`,
    OPT_OUT_CONFIRMATION: (v) => `【${v.clinic}】您已退订本诊所的短信通知。回复 START 可重新订阅。`,
    CONSULT_INVITE: (v) => `【${v.clinic}】邀请您加入与${v.clinician}的视频问诊。请打开 ${v.link} 并输入您的姓名和验证码 ${v.code}。`,
    VIDEO_LINK: (v) => `【${v.clinic}】${v.clinician}请您改用视频继续本次通话。请在手机上打开此链接：${v.link}`,
  },
};

/** The full text to send. Every kind except the opt-out confirmation ends with how to opt out. */
export function renderMessage(text: MessageText): string {
  const fill: Fill = {
    clinic: text.clinicName,
    clinician: 'clinicianName' in text ? text.clinicianName : '',
    time: 'startsAt' in text ? formatDateTime(text.startsAt, text.timeZone, INTL_LOCALE[text.locale]) : '',
    link: 'link' in text ? text.link : '',
    code: 'code' in text ? text.code : '',
  };
  const body = TEXTS[text.locale][text.kind](fill);
  return text.kind === 'OPT_OUT_CONFIRMATION' ? body : `${body} ${FOOTER[text.locale]}`;
}

/** The personal link of a visit message: `${APP_URL}/v/<token>`. */
export function visitLinkUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/v/${token}`;
}

/** The copy kept for staff: the link token cut to its first characters, so the stored text opens nothing. */
export function previewOf(body: string, token: string | null): string {
  if (!token) return body;
  return body.split(token).join(`${token.slice(0, PREVIEW_TOKEN_CHARS)}…`);
}
