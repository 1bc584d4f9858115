import type { Translations } from '../locales';

const en = {
  title: 'Consent to a video visit',
  read: 'Please read this before your visit.',
  agree: 'I have read this and I agree',
  accept: 'Agree and continue',
  decline: 'I do not agree',
  declined: 'Without your consent we cannot hold the visit by video. Please call your clinic to arrange another kind of visit.',
  mustTick: 'Tick the box to show you agree.',
};

export const consent: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '视频问诊知情同意',
    read: '问诊前请阅读以下内容。',
    agree: '我已阅读并同意',
    accept: '同意并继续',
    decline: '我不同意',
    declined: '未经您同意，我们无法进行视频问诊。请致电诊所安排其他就诊方式。',
    mustTick: '请勾选表示您同意。',
  },
};
