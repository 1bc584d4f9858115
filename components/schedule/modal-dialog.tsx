'use client';

import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal built on the native <dialog>: the browser keeps focus inside and Escape closes it. Focus
 * starts on the element marked `data-autofocus` (else the first control). When it
 * goes away, focus returns to what opened it, or to `fallbackFocus` if that is gone (a cancelled
 * appointment loses its buttons).
 */
export function ModalDialog({
  open,
  onClose,
  labelledBy,
  describedBy,
  fallbackFocus,
  children,
}: {
  open: boolean;
  onClose: () => void;
  labelledBy: string;
  describedBy?: string;
  fallbackFocus?: () => HTMLElement | null;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const fallback = useRef(fallbackFocus);
  fallback.current = fallbackFocus;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    // React's autoFocus runs before the dialog is shown, so the starting point is marked instead.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // After React has finished updating the page, so a re-rendered opener is found again.
      setTimeout(() => {
        if (opener?.isConnected) opener.focus();
        else fallback.current?.()?.focus();
      });
    };
  }, [open]);

  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      {open && children}
    </dialog>
  );
}
