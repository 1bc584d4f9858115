import type { Translations } from '../locales';

const en = {
  title: 'Staff sign-in',
  email: 'Email',
  password: 'Password',
  submit: 'Sign in',
  submitting: 'Signing in…',
  invalid: 'The email or password is not correct.',
  invalidInput: 'Enter your email address and password.',
};

export const staffSignIn: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '医护人员登录',
    email: '邮箱',
    password: '密码',
    submit: '登录',
    submitting: '正在登录…',
    invalid: '邮箱或密码不正确。',
    invalidInput: '请输入邮箱和密码。',
  },
};
