import { setNonce } from 'get-nonce';
import { z } from 'zod';

/**
 * Makes the app run under the server's strict CSP without reports: the `<style>` element Radix
 * menus and dialogs insert (react-style-singleton asks get-nonce) carries the page's style nonce
 * from the meta tag the server wrote, and zod never probes `new Function` (a blocked eval that
 * Chromium reports even though zod catches it). Call once, before the first render.
 */
export function adoptContentSecurityPolicy(): void {
  const nonce = document.querySelector<HTMLMetaElement>('meta[name="hds-style-nonce"]')?.content;
  if (nonce) setNonce(nonce);
  z.config({ jitless: true });
}
