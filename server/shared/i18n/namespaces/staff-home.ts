import type { Translations } from '../locales';

const en = {
  title: 'Today',
  admin: 'Wallboard and queues',
  greeting: 'Hello, {name}',
  empty: 'No follow-ups scheduled for today.',
  time: 'Time',
  patient: 'Patient',
  reason: 'Reason',
  status: 'Status',
  open: 'Open consult',
  noReason: '—',
};

export const staffHome: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '今日',
    admin: '实时看板与队列',
    greeting: '您好，{name}',
    empty: '今天没有安排复诊。',
    time: '时间',
    patient: '患者',
    reason: '原因',
    status: '状态',
    open: '进入问诊',
    noReason: '—',
  },
};
