import type { Translations } from '../locales';

const en = {
  title: 'Join a video consult',
  intro: 'You were invited to a video consult. Enter your name and the code you were given.',
  invitedAs: 'Invited as: {role}',
  name: 'Your name',
  code: 'Code',
  submit: 'Join',
  submitting: 'Checking…',
  wrong: 'The name or the code does not match the invitation. {remaining} attempts left.',
  invalidInput: 'Enter your name and the code.',
  expired: 'This invitation has expired. Ask the clinic for a new one.',
  revoked: 'You were removed from this consult, so this invitation no longer works.',
  locked: 'This invitation is locked after too many wrong answers. Ask the clinic for a new one.',
  malformed: 'This invitation link is not valid.',
  ended: 'This consult has ended.',
  notStarted: 'The consult has not started yet. Open this link again in a moment.',
  removed: 'You were removed from this consult by the clinician.',
};

export const guest: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '加入视频问诊',
    intro: '您受邀参加一次视频问诊。请输入您的姓名和收到的验证码。',
    invitedAs: '受邀身份：{role}',
    name: '您的姓名',
    code: '验证码',
    submit: '加入',
    submitting: '正在核对…',
    wrong: '姓名或验证码与邀请不符，还可尝试 {remaining} 次。',
    invalidInput: '请输入您的姓名和验证码。',
    expired: '此邀请已过期，请联系诊所重新邀请。',
    revoked: '您已被移出本次问诊，此邀请已失效。',
    locked: '错误次数过多，此邀请已锁定，请联系诊所重新邀请。',
    malformed: '此邀请链接无效。',
    ended: '本次问诊已结束。',
    notStarted: '问诊尚未开始，请稍后再打开此链接。',
    removed: '医生已将您移出本次问诊。',
  },
};
