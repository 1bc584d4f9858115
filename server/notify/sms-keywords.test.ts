import { describe, expect, it } from 'vitest';
import { inboundKeyword } from './sms-keywords';

describe('replies from patients', () => {
  it('recognises opt-out words whatever their case, spacing or final punctuation', () => {
    for (const body of ['STOP', 'stop', '  Stop\n', 'STOP!', 'unsubscribe', '退订', ' 退订。', 'ＳＴＯＰ', 'td', 'Quit.']) {
      expect(inboundKeyword(body), body).toBe('stop');
    }
  });

  it('recognises opting in again', () => {
    for (const body of ['START', 'start', ' Start ', 'unstop', 'YES']) expect(inboundKeyword(body), body).toBe('start');
  });

  it('ignores anything else, including sentences that contain a keyword', () => {
    for (const body of ['', 'please stop sending', 'STOP IT', 'ok', '好的', 'starting']) expect(inboundKeyword(body), body).toBeNull();
  });
});
