import type { Translations } from '../locales';

// The patient's own "choose another time" screen, on their phone (the staff schedule is its own namespace).
const en = {
  title: 'Choose another time',
  changeLink: 'Can’t make it? Choose another time',
  current: 'Your visit with {clinician} is now on {time}.',
  intro: 'Choose a new time below. Your clinic will be told, and you will get a text message.',
  timeZoneNote: 'Times are in your clinic’s time zone.',
  loading: 'Looking for free times…',
  noSlots: 'There are no free times in the next {days} days. Please call your clinic.',
  freeTimes: '{count} free times',
  slotLabel: '{day}, {time}',
  confirmTitle: 'Move your visit to {time}?',
  confirm: 'Yes, move my visit',
  chooseAgain: 'Choose another time',
  saving: 'Moving your visit…',
  done: 'Done. Your visit is now on {time}. You will get a text message to confirm.',
  back: 'Back to my visit',
  taken: 'Sorry, that time has just been taken. Please choose another.',
  inPast: 'That time has already passed. Please choose another.',
  notChangeable: 'This visit can no longer be moved. Please call your clinic if you need help.',
};

export const patientReschedule: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '选择其他时间',
    changeLink: '无法按时就诊？选择其他时间',
    current: '您与{clinician}的复诊目前安排在 {time}。',
    intro: '请在下方选择新的时间。诊所会收到通知，您也会收到确认短信。',
    timeZoneNote: '时间均为诊所所在时区。',
    loading: '正在查找可预约的时间…',
    noSlots: '未来 {days} 天内没有可预约的时间，请致电诊所。',
    freeTimes: '{count} 个可选时间',
    slotLabel: '{day} {time}',
    confirmTitle: '将复诊改到 {time}？',
    confirm: '确定改期',
    chooseAgain: '选择其他时间',
    saving: '正在改期…',
    done: '已改期。您的复诊现在安排在 {time}，您将收到确认短信。',
    back: '返回我的复诊',
    taken: '抱歉，该时间刚刚被预约，请选择其他时间。',
    inPast: '该时间已过，请选择其他时间。',
    notChangeable: '此次复诊已无法改期。如需帮助请致电诊所。',
  },
};
