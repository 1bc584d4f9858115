import type { Translations } from '../locales';

const en = {
  title: 'Confirm it is you',
  intro: 'To protect your privacy, enter your date of birth before joining your follow-up visit.',
  visitWith: 'Follow-up visit with {clinician}',
  at: '{time}',
  birthDate: 'Date of birth',
  birthDateHint: 'For example 1956-03-14',
  year: 'Year',
  month: 'Month',
  day: 'Day',
  submit: 'Continue',
  submitting: 'Checking…',
  wrongBirthDate: 'The date of birth does not match our records. {remaining} attempts left.',
  invalidBirthDate: 'Enter your date of birth as year-month-day.',
  locked: 'This link is locked after too many wrong answers. Please call your clinic for a new link.',
  patientLocked:
    'Too many wrong dates of birth were entered for your visits, so signing in is paused for 24 hours to protect your records. Please call your clinic: they can check your details and help you with your visit.',
  expired: 'This link has expired. Please contact your clinic for a new link.',
  malformed: 'This link is not valid. Please open the link exactly as it appears in the text message from your clinic.',
  used: 'This link has already been used the maximum number of times. Please contact your clinic for a new link.',
  revoked: 'This visit has been cancelled or has ended. Please contact your clinic if you need help.',
};

export const patientCheck: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '确认您的身份',
    intro: '为保护您的隐私，加入复诊前请输入您的出生日期。',
    visitWith: '与{clinician}的复诊',
    at: '{time}',
    birthDate: '出生日期',
    birthDateHint: '例如 1956-03-14',
    year: '年',
    month: '月',
    day: '日',
    submit: '继续',
    submitting: '正在核对…',
    wrongBirthDate: '出生日期与记录不符。还可以尝试 {remaining} 次。',
    invalidBirthDate: '请按 年-月-日 输入出生日期。',
    locked: '输错次数过多，此链接已锁定。请致电诊所获取新链接。',
    patientLocked: '您的复诊链接多次输入了错误的出生日期，为保护您的病历，登录已暂停 24 小时。请致电诊所：工作人员可以核对您的信息并协助您完成复诊。',
    expired: '此链接已过期。请联系诊所获取新链接。',
    malformed: '此链接无效。请按诊所短信中的原样打开链接。',
    used: '此链接的使用次数已达上限。请联系诊所获取新链接。',
    revoked: '此次复诊已取消或已结束。如需帮助请联系诊所。',
  },
};
