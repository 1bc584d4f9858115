'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '@/components/providers/i18n-provider';
import { useTRPC } from '@/components/providers/trpc-provider';
import { format } from '@/server/shared/i18n/format';
import { multipartyError } from './participants-errors';
import styles from './participants.module.css';

/** Invites a family member or interpreter: a link and code to pass on, or a text message with both. */
export function InvitePanel({ appointmentId }: { appointmentId: string }) {
  const { t } = useI18n('errors', 'multiparty');
  const m = t.multiparty;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [role, setRole] = useState<'FAMILY' | 'INTERPRETER'>('FAMILY');
  const [displayName, setDisplayName] = useState('');
  const [phone, setPhone] = useState('');
  const [copied, setCopied] = useState(false);
  const invites = useQuery(trpc.multiparty.listInvites.queryOptions({ appointmentId }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.multiparty.listInvites.queryKey({ appointmentId }) });
  const create = useMutation(trpc.multiparty.createInvite.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.multiparty.revokeInvite.mutationOptions({ onSuccess: refresh }));
  const created = create.data;

  function submit(event: FormEvent) {
    event.preventDefault();
    setCopied(false);
    create.mutate({ appointmentId, role, displayName: displayName.trim(), phone: phone.trim() || undefined });
  }

  return (
    <section className={styles.section} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{m.invite}</h3>
      <form onSubmit={submit} className={styles.row}>
        <label htmlFor={`${id}-role`}>{m.inviteRole}</label>
        <select id={`${id}-role`} value={role} onChange={(e) => setRole(e.target.value as 'FAMILY' | 'INTERPRETER')}>
          <option value="FAMILY">{m.roles.FAMILY}</option>
          <option value="INTERPRETER">{m.roles.INTERPRETER}</option>
        </select>
        <label>
          {m.inviteName}
          <input value={displayName} maxLength={60} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label>
          {m.invitePhone}
          <input type="tel" inputMode="tel" value={phone} placeholder="+8613800000000" onChange={(e) => setPhone(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={create.isPending || !displayName.trim()}>
          {phone.trim() ? m.inviteBySms : m.inviteCreate}
        </button>
      </form>
      {create.error && (
        <p role="alert" className="alert">
          {multipartyError(create.error, t)}
        </p>
      )}
      {created?.sentTo && (
        <p role="status" className="notice">
          {format(m.inviteSent, { phone: created.sentTo })}
        </p>
      )}
      {created?.url && (
        <div className="notice" role="status">
          <div>{m.inviteLink}</div>
          <div className={styles.linkBox} data-testid="invite-link">
            {created.url}
          </div>
          <button
            type="button"
            className="button secondary"
            onClick={() =>
              navigator.clipboard?.writeText(created.url!).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? m.copied : m.copyLink}
          </button>
          <div>
            {m.inviteCode}:{' '}
            <span className={styles.code} data-testid="invite-code">
              {created.code}
            </span>
          </div>
        </div>
      )}
      {invites.data && invites.data.length > 0 && (
        <ul className={styles.requests} aria-label={m.invites}>
          {invites.data.map((invite) => (
            <li key={invite.id}>
              {invite.displayName} · {m.roles[invite.role]} · {m.inviteStates[invite.state]}
              {invite.state === 'open' && (
                <>
                  {' '}
                  <button type="button" className="button secondary" disabled={revoke.isPending} onClick={() => revoke.mutate({ inviteId: invite.id })}>
                    {m.revokeInvite}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
