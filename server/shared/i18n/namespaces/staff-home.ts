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
  noShow: 'No-show',
  noShowFor: 'Mark {name} as a no-show',
  noShowConfirm: 'Patient did not come: mark no-show',
  noShowSaving: 'Saving…',
  noShowKeep: 'Keep the visit',
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
    noShow: '爽约',
    noShowFor: '将{name}标记为爽约',
    noShowConfirm: '患者未到：标记为爽约',
    noShowSaving: '正在保存…',
    noShowKeep: '保留此次复诊',
  },
};
