import type { Translations } from '../locales';

const en = {
  staffEntry: 'Staff sign-in',
  patientHint: 'Patients: open the link in the text message from your clinic.',
};

export const home: Translations<typeof en> = {
  en,
  'zh-CN': {
    staffEntry: '医护人员登录',
    patientHint: '患者：请打开诊所短信中的链接。',
  },
};
