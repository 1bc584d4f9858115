// What the tRPC route writes to the log when a call fails on our side (or a service behind it is down):
// the procedure, the code and reason, and the chain of causes with their names, codes and stack frames.
// Causes can carry patient data (an ORM error prints the values it was given, a SIP error the number
// dialled), so every message is cleaned first: quoted values, e-mail addresses, phone numbers and dates,
// and Chinese text (names) are replaced; an address keeps only its scheme, host and port.
import type { TRPCError } from '@trpc/server';
import { DomainError } from '@/server/errors';

/** Failures people cannot fix themselves, which someone running the service should see. */
const LOGGED_CODES: readonly TRPCError['code'][] = ['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE'];
const MAX_MESSAGE_CHARS = 400;
const MAX_CAUSES = 5;
const MAX_FRAMES = 6;

const URL_PATTERN = /\b(?:https?|wss?|sip|postgres(?:ql)?):\/\/[^\s"'`<>]+/gi;
// Quoted text, read left to right so each quote closes its own opening one.
const QUOTED = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`/g;
/** A backquoted identifier (`prisma.patient.create()`, `birthDate`) names code, not data, and stays. */
const CODE_NAME = /^`[\w.$()[\]]+`$/;
const SCRUBS: [RegExp, string][] = [
  // PostgreSQL's "Key (phone)=(+86…) already exists".
  [/=\([^)]*\)/g, '=(…)'],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '[email]'],
  [/\+?\d[\d\s()./-]{4,}\d/g, '[number]'],
  [/[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+/g, '[text]'],
];

/** An address without what could identify anyone: scheme, host and port only. */
function originOf(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '[address]';
  }
}

/** `text` with patient data replaced; addresses keep their origin. */
export function scrubForLog(text: string): string {
  const origins: string[] = [];
  let clean = text.replace(URL_PATTERN, (url) => `\uE000${origins.push(originOf(url)) - 1}\uE000`);
  clean = clean.replace(QUOTED, (quoted) => (CODE_NAME.test(quoted) ? quoted : '"…"'));
  for (const [pattern, replacement] of SCRUBS) clean = clean.replace(pattern, replacement);
  clean = clean.replace(/\uE000(\d+)\uE000/g, (_, i: string) => origins[Number(i)]!);
  return clean.length > MAX_MESSAGE_CHARS ? `${clean.slice(0, MAX_MESSAGE_CHARS)}…` : clean;
}

function describeOne(error: unknown): string {
  if (!(error instanceof Error)) return `thrown ${typeof error}`;
  const code = (error as { code?: unknown }).code;
  const codePart = typeof code === 'string' && /^[\w.-]{1,40}$/.test(code) ? ` [${code}]` : '';
  const reason = error instanceof DomainError && error.reason ? ` (${error.reason})` : '';
  // The first line says what failed, the last why (an ORM error prints the values it was given in between).
  const lines = error.message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const text = lines.length > 1 ? `${lines[0]} … ${lines.at(-1)}` : (lines[0] ?? '');
  return `${error.name}${codePart}${reason}: ${scrubForLog(text)}`;
}

/** One log entry for a failed call, with no patient data in it. */
export function describeForLog(error: TRPCError, path: string | undefined): string {
  const chain: unknown[] = [];
  for (let cause: unknown = error.cause; cause && chain.length < MAX_CAUSES; cause = (cause as { cause?: unknown }).cause) chain.push(cause);
  const deepest = chain.at(-1) ?? error;
  const frames =
    deepest instanceof Error && deepest.stack
      ? deepest.stack
          .split('\n')
          .filter((line) => /^\s+at /.test(line))
          .slice(0, MAX_FRAMES)
          // Frames name code, not data: file, line and function.
          .map((line) => `    ${line.trim()}`)
      : [];
  return [`[trpc] ${path ?? '(unknown procedure)'} ${error.code}: ${chain.map(describeOne).join(' <- ') || describeOne(error)}`, ...frames].join('\n');
}

export function logTrpcError(error: TRPCError, path: string | undefined): void {
  if (LOGGED_CODES.includes(error.code)) console.error(describeForLog(error, path));
}
