import { useEffect, useRef } from 'react';

/**
 * Focuses the returned element whenever `key` changes to something truthy: an action's outcome
 * (a checked certificate, a sent test message) takes the focus, so a screen reader reads it and the
 * keyboard carries on from there rather than from the button that was disabled while it ran.
 */
export function useFocusOn<T extends HTMLElement>(key: unknown) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (key) ref.current?.focus();
  }, [key]);
  return ref;
}
