import type { Translations } from '../locales';

const en = {
  appName: 'Revisit',
  tagline: 'Video follow-up visits with your clinic',
  language: 'Language',
  signOut: 'Sign out',
  loading: 'Loading…',
  tryAgain: 'Try again',
  somethingWrong: 'Something went wrong. Please try again.',
};

export const common: Translations<typeof en> = {
  en,
  'zh-CN': {
    appName: 'Revisit 复诊',
    tagline: '与您的诊所进行视频复诊',
    language: '语言',
    signOut: '退出登录',
    loading: '加载中…',
    tryAgain: '重试',
    somethingWrong: '出了点问题，请重试。',
  },
};
