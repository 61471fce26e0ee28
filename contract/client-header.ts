/** The header the web app sends with every state-changing request (CSRF defence in depth). */
export const CLIENT_HEADER = 'x-hds-client';
export const CLIENT_HEADER_VALUE = 'web';
