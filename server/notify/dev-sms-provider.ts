import { randomUUID } from 'node:crypto';
import type { SmsProvider, SmsToSend } from './sms-provider';

/**
 * Development and demo: nothing leaves the machine. The full text (with the working link) is written to
 * the server log so a developer can open it; staff see the shortened copy on the admin Messages page.
 */
export class DevSmsProvider implements SmsProvider {
  readonly name = 'dev';

  constructor(private readonly log: (line: string) => void = (line) => console.info(line)) {}

  async send(message: SmsToSend): Promise<{ providerMessageId: string }> {
    const providerMessageId = `dev-${randomUUID()}`;
    this.log(`[sms:dev] ${providerMessageId} to ${message.to}: ${message.body.replace(/\s+/g, ' ')}`);
    return { providerMessageId };
  }

  /** Nothing left the machine, so nothing can be found: a send cut short by a dead process is logged again. */
  async findSent(): Promise<null> {
    return null;
  }
}
