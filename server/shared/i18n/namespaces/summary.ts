import type { Translations } from '../locales';

const en = {
  title: 'Your visit summary',
  with: 'Visit with {clinician}',
  instructions: 'Instructions from your doctor',
  pending: 'Your doctor is still writing your summary. This page updates by itself.',
  next: 'Your next follow-up',
  noNext: 'No further follow-up is booked.',
  nextLink: 'You will get a text message with the link for that visit.',
};

export const summary: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '本次复诊小结',
    with: '与{clinician}的复诊',
    instructions: '医生的医嘱',
    pending: '医生正在填写小结，本页面会自动更新。',
    next: '下次复诊',
    noNext: '暂未预约下次复诊。',
    nextLink: '您会收到一条包含该次复诊链接的短信。',
  },
};
