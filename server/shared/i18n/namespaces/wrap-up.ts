import type { Translations } from '../locales';

const en = {
  title: 'Wrap-up',
  patient: 'Patient',
  freeText: 'Consult note',
  assessment: 'Assessment',
  plan: 'Plan and instructions for the patient',
  planHint: 'The patient sees this text on their summary page.',
  next: 'Next follow-up',
  none: 'No follow-up',
  weeks: 'In {n} weeks',
  days: 'In {n} days',
  bookNext: 'Book the next follow-up now',
  save: 'Save and finish',
  saving: 'Saving…',
  saved: 'Saved. Next follow-up: {when}',
  savedNoNext: 'Saved.',
  back: 'Back to my desk',
  cancelled: 'This visit was cancelled, so it has no wrap-up.',
};

export const wrapUp: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '问诊小结',
    patient: '患者',
    freeText: '问诊记录',
    assessment: '评估',
    plan: '给患者的计划与医嘱',
    planHint: '患者会在小结页面看到这段文字。',
    next: '下次复诊',
    none: '无需复诊',
    weeks: '{n} 周后',
    days: '{n} 天后',
    bookNext: '现在预约下次复诊',
    save: '保存并完成',
    saving: '正在保存…',
    saved: '已保存。下次复诊：{when}',
    savedNoNext: '已保存。',
    back: '返回工作台',
    cancelled: '此次就诊已取消，无需填写问诊小结。',
  },
};
