import type { Translations } from '../locales';

const en = {
  SCHEDULED: 'Scheduled',
  CHECKED_IN: 'Checked in',
  IN_PROGRESS: 'In consult',
  COMPLETED: 'Completed',
  CANCELLED: 'Cancelled',
  NO_SHOW: 'No show',
};

export const appointmentStatus: Translations<typeof en> = {
  en,
  'zh-CN': {
    SCHEDULED: '已预约',
    CHECKED_IN: '已签到',
    IN_PROGRESS: '问诊中',
    COMPLETED: '已完成',
    CANCELLED: '已取消',
    NO_SHOW: '未到诊',
  },
};
