// Named, realistic demo people shared by the seed, the tests and the demo.
export const DEMO_PASSWORD = 'revisit-demo';

export const demoClinic = {
  slug: 'riverside',
  name: '河畔社区卫生服务中心 Riverside Community Clinic',
  timeZone: 'Asia/Shanghai',
  defaultLocale: 'zh_CN' as const,
};

/** The demo clinic's phone line: the number callers dial, and who may send calls (this machine only). */
export const demoPhoneLine = { numbers: ['+8657188880000'], allowedAddresses: ['127.0.0.1/32'] };

export const demoStaff = [
  { key: 'wang', email: 'dr.wang@revisit.local', name: '王芳 Dr. Wang Fang', role: 'CLINICIAN' as const },
  { key: 'chen', email: 'dr.chen@revisit.local', name: '陈明 Dr. Chen Ming', role: 'CLINICIAN' as const },
  { key: 'li', email: 'nurse.li@revisit.local', name: '李静 Nurse Li Jing', role: 'NURSE' as const },
  { key: 'zhao', email: 'admin@revisit.local', name: '赵强 Zhao Qiang (admin)', role: 'ADMIN' as const },
  { key: 'zhou', email: 'dr.zhou@revisit.local', name: '周海 Dr. Zhou Hai (cardiology)', role: 'CLINICIAN' as const },
];

/** Staff who take specialist requests, with the departments they cover (their routing skills). */
export const demoSpecialists: Record<string, readonly ('cardiology' | 'endocrinology')[]> = { zhou: ['cardiology', 'endocrinology'] };

export const demoPatients = [
  {
    key: 'zhang',
    familyName: '张',
    givenName: '伟',
    birthDate: '1956-03-14',
    phone: '+8613800000001',
    preferredLocale: 'zh_CN' as const,
    primaryClinician: 'wang',
    visit: { localTime: '09:30', reason: '高血压复诊 Hypertension follow-up' },
  },
  {
    key: 'liu',
    familyName: '刘',
    givenName: '秀英',
    birthDate: '1949-11-02',
    phone: '+8613800000002',
    preferredLocale: 'zh_CN' as const,
    primaryClinician: 'wang',
    visit: { localTime: '10:30', reason: '2型糖尿病复诊 Type 2 diabetes review' },
  },
  {
    key: 'huang',
    familyName: '黄',
    givenName: '建国',
    birthDate: '1962-07-21',
    phone: '+8613800000003',
    preferredLocale: 'en' as const,
    primaryClinician: 'chen',
    visit: { localTime: '14:00', reason: 'COPD follow-up 慢阻肺复诊' },
  },
];
