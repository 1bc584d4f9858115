import type { Translations } from '../locales';

const en = {
  title: 'Waiting room',
  joining: 'Joining the waiting room…',
  position: 'You are number {position} in line',
  yourTurnSoon: 'A doctor is being told about you now.',
  estimate: 'Estimated wait: about {minutes} min',
  estimateNow: 'Estimated wait: less than a minute',
  keepOpen: 'Keep this page open. You will be connected automatically when your doctor is ready.',
  leave: 'Leave the waiting room',
  left: 'You have left the waiting room. Open your link again to come back.',
  ended: 'Your place in the waiting room has ended. Open your link again to rejoin.',
  connecting: 'Your doctor is ready. Connecting…',
  reconnecting: 'Connection lost. Reconnecting… you keep your place.',
};

export const waiting: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '候诊室',
    joining: '正在进入候诊室…',
    position: '您排在第 {position} 位',
    yourTurnSoon: '正在为您通知医生。',
    estimate: '预计等待：约 {minutes} 分钟',
    estimateNow: '预计等待：不到 1 分钟',
    keepOpen: '请保持此页面打开。医生准备好后会自动为您接通。',
    leave: '离开候诊室',
    left: '您已离开候诊室。再次打开链接即可返回。',
    ended: '您的候诊已结束。再次打开链接即可重新排队。',
    connecting: '医生已准备好，正在接通…',
    reconnecting: '连接中断，正在重新连接…您的排队位置会保留。',
  },
};
