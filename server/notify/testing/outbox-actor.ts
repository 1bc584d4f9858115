// A stand-in for one web process's outbox worker, for the multi-process test: it sends due messages of
// one clinic through the fake provider until nothing is left (or it is killed).
import { sendDueMessages } from '../outbox-worker';
import { TwilioSmsProvider } from '../twilio-sms-provider';

type Setup = { clinicId: string; baseUrl: string; accountSid: string; authToken: string; clockOffsetMs: number; seconds: number };

const setup = JSON.parse(process.env.OUTBOX_ACTOR ?? '{}') as Setup;
const provider = new TwilioSmsProvider({
  accountSid: setup.accountSid,
  authToken: setup.authToken,
  from: '+15005550006',
  baseUrl: setup.baseUrl,
  timeoutMs: 5000,
});
const until = Date.now() + setup.seconds * 1000;
const totals = { rounds: 0, claimed: 0, sent: 0, lost: 0 };
let idle = 0;
while (Date.now() < until && idle < 20) {
  const summary = await sendDueMessages(provider, new Date(Date.now() + setup.clockOffsetMs), { clinicId: setup.clinicId, batchSize: 5 });
  totals.rounds += 1;
  totals.claimed += summary.claimed;
  totals.sent += summary.sent;
  totals.lost += summary.lost;
  idle = summary.claimed === 0 ? idle + 1 : 0;
  if (summary.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log(JSON.stringify(totals));
process.exit(0);
