// Every UI string, in both languages. Keys are grouped by screen.
const en = {
  common: {
    appName: 'Revisit',
    tagline: 'Video follow-up visits with your clinic',
    language: 'Language',
    signOut: 'Sign out',
    loading: 'Loading…',
    tryAgain: 'Try again',
    somethingWrong: 'Something went wrong. Please try again.',
  },
  home: {
    staffEntry: 'Staff sign-in',
    patientHint: 'Patients: open the link in the text message from your clinic.',
  },
  staffSignIn: {
    title: 'Staff sign-in',
    email: 'Email',
    password: 'Password',
    submit: 'Sign in',
    submitting: 'Signing in…',
    invalid: 'The email or password is not correct.',
    invalidInput: 'Enter your email address and password.',
  },
  patientCheck: {
    title: 'Confirm it is you',
    intro: 'To protect your privacy, enter your date of birth before joining your follow-up visit.',
    visitWith: 'Follow-up visit with {clinician}',
    at: '{time}',
    birthDate: 'Date of birth',
    birthDateHint: 'For example 1956-03-14',
    submit: 'Continue',
    submitting: 'Checking…',
    wrongBirthDate: 'The date of birth does not match our records. {remaining} attempts left.',
    invalidBirthDate: 'Enter your date of birth as year-month-day.',
    locked: 'This link is locked after too many wrong answers. Please call your clinic for a new link.',
    expired: 'This link has expired. Please contact your clinic for a new link.',
    malformed: 'This link is not valid. Please open the link exactly as it appears in the text message from your clinic.',
    used: 'This link has already been used the maximum number of times. Please contact your clinic for a new link.',
    revoked: 'This visit has been cancelled or has ended. Please contact your clinic if you need help.',
  },
  staffHome: {
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
  },
  appointmentStatus: {
    SCHEDULED: 'Scheduled',
    CHECKED_IN: 'Checked in',
    IN_PROGRESS: 'In consult',
    COMPLETED: 'Completed',
    CANCELLED: 'Cancelled',
    NO_SHOW: 'No show',
  },
  consult: {
    title: 'Consult',
    connecting: 'Connecting to the consult…',
    waitingForOther: 'Waiting for the other person to join…',
    leave: 'Leave',
    microphone: 'Microphone',
    camera: 'Camera',
    left: 'You have left the consult.',
    rejoin: 'Join again',
    mediaUnavailable: 'The video service is not reachable right now. Please try again in a moment.',
    you: 'You',
    back: 'Back to today',
    ended: 'The consult has ended. Thank you.',
  },
  waiting: {
    title: 'Waiting room',
    joining: 'Joining the waiting room…',
    position: 'You are number {position} in line',
    yourTurnSoon: 'You are next. Your doctor is being told now.',
    estimate: 'Estimated wait: about {minutes} min',
    estimateNow: 'Estimated wait: less than a minute',
    keepOpen: 'Keep this page open. You will be connected automatically when your doctor is ready.',
    leave: 'Leave the waiting room',
    left: 'You have left the waiting room. Open your link again to come back.',
    ended: 'Your place in the waiting room has ended. Open your link again to rejoin.',
    connecting: 'Your doctor is ready. Connecting…',
    reconnecting: 'Connection lost. Reconnecting… you keep your place.',
    noQueue: 'This clinic is not taking video visits right now. Please call the clinic.',
  },
  desk: {
    title: 'My desk',
    presence: 'Status',
    goAvailable: 'Available',
    goOffline: 'Offline',
    states: {
      OFFLINE: 'Offline',
      AVAILABLE: 'Available: waiting for the next patient',
      BUSY: 'In a consult',
      WRAP_UP: 'Wrap-up',
      NOT_RESPONDING: 'Not responding: you missed an offer. Set yourself available to continue.',
    },
    offerTitle: 'Patient waiting for you',
    offerCountdown: '{seconds} s to answer',
    accept: 'Accept',
    decline: 'Decline',
    offerGone: 'This offer is no longer open.',
    current: 'You are in a consult.',
    returnToConsult: 'Return to the consult',
    board: 'Queue',
    boardEmpty: 'Nobody is waiting.',
    waited: 'Waiting',
    priority: 'Priority',
    preferred: 'Own clinician',
    stateOffered: 'Being offered',
    stateWaiting: 'Waiting',
    busyFinishFirst: 'Finish your current consult first.',
    endConsult: 'End consult',
  },
  wallboard: {
    title: 'Wallboard',
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
  },
  queues: {
    title: 'Queues',
    name: 'Name',
    skills: 'Required skills (comma separated)',
    preferred: 'Wait for the patient’s own clinician (seconds, 0 = off)',
    aging: 'Seconds of waiting worth one priority step',
    serviceLevel: 'Service-level target (seconds)',
    offerTimeout: 'Offer timeout (seconds)',
    wrapUp: 'Wrap-up time (seconds)',
    overflowQueue: 'Overflow to queue',
    overflowAfter: 'Overflow after (seconds)',
    maxWait: 'Maximum wait (seconds, empty = none)',
    noOverflow: 'No overflow',
    save: 'Save',
    saved: 'Saved.',
  },
  errors: {
    forbidden: 'You do not have access to this page.',
    notFound: 'This page does not exist.',
    signInRequired: 'Please sign in first.',
    conflict: 'That could not be done: {message}',
  },
};

export type Messages = typeof en;

const zhCN: Messages = {
  common: {
    appName: 'Revisit 复诊',
    tagline: '与您的诊所进行视频复诊',
    language: '语言',
    signOut: '退出登录',
    loading: '加载中…',
    tryAgain: '重试',
    somethingWrong: '出了点问题，请重试。',
  },
  home: {
    staffEntry: '医护人员登录',
    patientHint: '患者：请打开诊所短信中的链接。',
  },
  staffSignIn: {
    title: '医护人员登录',
    email: '邮箱',
    password: '密码',
    submit: '登录',
    submitting: '正在登录…',
    invalid: '邮箱或密码不正确。',
    invalidInput: '请输入邮箱和密码。',
  },
  patientCheck: {
    title: '确认您的身份',
    intro: '为保护您的隐私，加入复诊前请输入您的出生日期。',
    visitWith: '与{clinician}的复诊',
    at: '{time}',
    birthDate: '出生日期',
    birthDateHint: '例如 1956-03-14',
    submit: '继续',
    submitting: '正在核对…',
    wrongBirthDate: '出生日期与记录不符。还可以尝试 {remaining} 次。',
    invalidBirthDate: '请按 年-月-日 输入出生日期。',
    locked: '输错次数过多，此链接已锁定。请致电诊所获取新链接。',
    expired: '此链接已过期。请联系诊所获取新链接。',
    malformed: '此链接无效。请按诊所短信中的原样打开链接。',
    used: '此链接的使用次数已达上限。请联系诊所获取新链接。',
    revoked: '此次复诊已取消或已结束。如需帮助请联系诊所。',
  },
  staffHome: {
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
  appointmentStatus: {
    SCHEDULED: '已预约',
    CHECKED_IN: '已签到',
    IN_PROGRESS: '问诊中',
    COMPLETED: '已完成',
    CANCELLED: '已取消',
    NO_SHOW: '未到诊',
  },
  consult: {
    title: '问诊',
    connecting: '正在连接问诊…',
    waitingForOther: '正在等待对方加入…',
    leave: '离开',
    microphone: '麦克风',
    camera: '摄像头',
    left: '您已离开问诊。',
    rejoin: '重新加入',
    mediaUnavailable: '视频服务暂时无法连接，请稍后再试。',
    you: '我',
    back: '返回今日列表',
    ended: '问诊已结束，谢谢。',
  },
  waiting: {
    title: '候诊室',
    joining: '正在进入候诊室…',
    position: '您排在第 {position} 位',
    yourTurnSoon: '下一位就是您，正在通知医生。',
    estimate: '预计等待：约 {minutes} 分钟',
    estimateNow: '预计等待：不到 1 分钟',
    keepOpen: '请保持此页面打开。医生准备好后会自动为您接通。',
    leave: '离开候诊室',
    left: '您已离开候诊室。再次打开链接即可返回。',
    ended: '您的候诊已结束。再次打开链接即可重新排队。',
    connecting: '医生已准备好，正在接通…',
    reconnecting: '连接中断，正在重新连接…您的排队位置会保留。',
    noQueue: '本诊所暂不提供视频复诊，请致电诊所。',
  },
  desk: {
    title: '我的工作台',
    presence: '状态',
    goAvailable: '空闲',
    goOffline: '离线',
    states: {
      OFFLINE: '离线',
      AVAILABLE: '空闲：等待下一位患者',
      BUSY: '问诊中',
      WRAP_UP: '整理中',
      NOT_RESPONDING: '未响应：您错过了一次分配。请设为空闲以继续。',
    },
    offerTitle: '有患者等待您接诊',
    offerCountdown: '{seconds} 秒内响应',
    accept: '接诊',
    decline: '拒绝',
    offerGone: '此分配已失效。',
    current: '您正在问诊中。',
    returnToConsult: '返回问诊',
    board: '排队',
    boardEmpty: '当前没有患者等待。',
    waited: '已等待',
    priority: '优先级',
    preferred: '主治医生',
    stateOffered: '分配中',
    stateWaiting: '等待中',
    busyFinishFirst: '请先结束当前问诊。',
    endConsult: '结束问诊',
  },
  wallboard: {
    title: '实时看板',
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
  },
  queues: {
    title: '队列',
    name: '名称',
    skills: '所需技能（逗号分隔）',
    preferred: '等待患者主治医生的时间（秒，0 为关闭）',
    aging: '每提升一级优先级相当于等待的秒数',
    serviceLevel: '服务水平目标（秒）',
    offerTimeout: '分配超时（秒）',
    wrapUp: '整理时间（秒）',
    overflowQueue: '溢出到队列',
    overflowAfter: '溢出等待时间（秒）',
    maxWait: '最长等待（秒，留空为不限）',
    noOverflow: '不溢出',
    save: '保存',
    saved: '已保存。',
  },
  errors: {
    forbidden: '您无权访问此页面。',
    notFound: '页面不存在。',
    signInRequired: '请先登录。',
    conflict: '操作未完成：{message}',
  },
};

export const locales = ['zh-CN', 'en'] as const;
export type AppLocale = (typeof locales)[number];
export const defaultLocale: AppLocale = 'zh-CN';
export const localeCookie = 'revisit_locale';

export const dictionaries: Record<AppLocale, Messages> = { 'zh-CN': zhCN, en };

export function isLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Picks the best supported locale from an Accept-Language header. */
export function localeFromAcceptLanguage(header: string | null | undefined): AppLocale {
  if (!header) return defaultLocale;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((entry) => entry.tag && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return defaultLocale;
}

/** Fills `{name}` placeholders. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) =>
    key in values ? String(values[key]) : match,
  );
}
