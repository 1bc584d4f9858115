import type { Translations } from '../locales';

const en = {
  title: 'Refused record writes',
  link: 'Refused record writes',
  intro:
    'Readings and visit records the clinical record system refused to store. Sending them again as they are changes nothing: fix the cause in the record system, then retry; or dismiss a write that will not be stored. The patient and the care team are told it was not stored.',
  empty: 'No refused writes. Everything entered has reached the clinical record system or is on its way.',
  time: 'Entered',
  failedAt: 'Refused',
  patient: 'Patient',
  kind: 'What',
  reason: 'Why',
  attempts: 'Attempts',
  actions: 'Actions',
  kinds: { VITALS: 'Home reading', VISIT_RECORD: 'Visit record and note' },
  enteredByPatient: 'entered by the patient',
  enteredByStaff: 'entered by staff',
  retry: 'Retry',
  dismiss: 'Dismiss',
  retryLabel: 'Retry the write for {patient} entered {time}',
  dismissLabel: 'Dismiss the write for {patient} entered {time}',
  confirmDismiss: 'Dismiss this write? It will never be stored in the clinical record system.',
  retried: 'Queued again: it will be sent to the clinical record system within a few seconds.',
  dismissed: 'Dismissed. It will not be stored.',
};

export const failedWrites: Translations<typeof en> = {
  en,
  'zh-CN': {
    title: '被拒绝的病历写入',
    link: '被拒绝的病历写入',
    intro:
      '临床病历系统拒绝保存的测量数据和就诊记录。原样重发不会成功：请先在病历系统中解决问题再重试；无法保存的记录可以忽略。患者和医护人员会看到该记录未保存。',
    empty: '没有被拒绝的写入。所有录入的内容都已存入临床病历系统或正在发送。',
    time: '录入时间',
    failedAt: '拒绝时间',
    patient: '患者',
    kind: '内容',
    reason: '原因',
    attempts: '尝试次数',
    actions: '操作',
    kinds: { VITALS: '居家测量数据', VISIT_RECORD: '就诊记录和病历' },
    enteredByPatient: '患者本人录入',
    enteredByStaff: '医护人员录入',
    retry: '重试',
    dismiss: '忽略',
    retryLabel: '重试 {patient} 于 {time} 录入的记录',
    dismissLabel: '忽略 {patient} 于 {time} 录入的记录',
    confirmDismiss: '确定忽略此记录吗？它将不会存入临床病历系统。',
    retried: '已重新排队：几秒钟内将发送到临床病历系统。',
    dismissed: '已忽略，不会保存。',
  },
};
