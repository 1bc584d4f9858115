// The menu a clinic has until its administrator saves one (version 0), and the demo's. The agents say each option
// after the prompt ("Press 1 for {label}." / "{label}，请按 1。"), so prompts do not list the keys themselves.
import type { MenuTree } from '@/server/shared/schemas/ivr';

export function defaultMenu(queueSlug = 'follow-up'): MenuTree {
  return {
    rootId: 'main',
    nodes: [
      {
        id: 'main',
        title: { en: 'Follow-up visit', zh: '复诊' },
        prompt: {
          en: 'Welcome to your follow-up visit. Please choose what you would like to do.',
          zh: '您好，欢迎参加复诊。请选择您需要的服务。',
        },
        recordings: {},
        options: [
          { digit: '1', label: { en: 'A follow-up with your doctor', zh: '看医生复诊' }, action: { kind: 'submenu', nodeId: 'see-doctor' } },
          { digit: '2', label: { en: 'Changing your appointment time', zh: '更改预约时间' }, action: { kind: 'reschedule' } },
          { digit: '3', label: { en: 'Entering your home readings', zh: '录入在家测量的血压、血糖等数据' }, action: { kind: 'vitals' } },
          { digit: '4', label: { en: 'A call back from the clinic', zh: '需要诊所回电' }, action: { kind: 'callback' } },
          { digit: '0', label: { en: 'Speaking to our staff', zh: '转人工服务' }, action: { kind: 'operator' } },
        ],
        // Whoever cannot or does not press a key is best helped by a person.
        defaultDigit: '0',
      },
      {
        id: 'see-doctor',
        title: { en: 'See the doctor', zh: '看医生复诊' },
        prompt: {
          en: 'Before you see the doctor, please tell us how you have been since your last visit.',
          zh: '在见医生之前，请告诉我们上次就诊以来您的情况。',
        },
        recordings: {},
        options: [
          {
            digit: '1',
            label: { en: 'My condition is stable, a routine follow-up', zh: '病情稳定，常规复诊' },
            action: { kind: 'queue', queueSlug, reason: { en: 'Routine follow-up', zh: '常规复诊' }, priority: 0 },
          },
          {
            digit: '2',
            label: { en: 'New or worse symptoms', zh: '出现新症状或症状加重' },
            action: { kind: 'queue', queueSlug, reason: { en: 'New or worse symptoms', zh: '症状加重或新症状' }, priority: 2 },
          },
          { digit: '9', label: { en: 'The main menu', zh: '返回主菜单' }, action: { kind: 'back' } },
        ],
        // Silence here says nothing about the patient's condition: back to the main menu, whose default is a person,
        // rather than into the queue marked "stable".
        defaultDigit: '9',
      },
    ],
  };
}
