import type { Translations } from '../locales';

const en = {
  title: 'Wallboard',
  states: { OFFLINE: 'Offline', AVAILABLE: 'Available', BUSY: 'In a consult', WRAP_UP: 'Wrap-up', NOT_RESPONDING: 'Not responding' },
  waitingNow: 'Waiting now',
  longestWait: 'Longest wait',
  asa: 'Average speed of answer',
  serviceLevel: 'Service level',
  abandonRate: 'Abandon rate',
  clinicians: 'Clinicians',
  today: 'Today by hour',
  arrived: 'Arrived',
  answered: 'Answered',
  abandoned: 'Abandoned',
  none: '—',
  hour: 'Hour',
  reconnecting: 'Connection lost. Reconnecting…',
};

export const wallboard: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '实时看板',
    states: { OFFLINE: '离线', AVAILABLE: '空闲', BUSY: '问诊中', WRAP_UP: '整理中', NOT_RESPONDING: '未响应' },
    waitingNow: '当前等待',
    longestWait: '最长等待',
    asa: '平均应答时间',
    serviceLevel: '服务水平',
    abandonRate: '放弃率',
    clinicians: '医生状态',
    today: '今日各时段',
    arrived: '到达',
    answered: '接诊',
    abandoned: '放弃',
    none: '—',
    hour: '时段',
    reconnecting: '连接中断，正在重新连接…',
  },
};
