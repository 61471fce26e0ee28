import { CLIENT_HEADER, CLIENT_HEADER_VALUE } from '../../../contract/client-header';
import type { ErrorDetail } from '../../../contract/hds-error';

/** A refused API call: the server's coded errors, ready to show beside their fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ErrorDetail[],
  ) {
    super(errors.map((e) => e.message).join(' '));
  }

  has(code: string): boolean {
    return this.errors.some((e) => e.code === code);
  }
}

type Listener = (error: ApiError) => void;
const authListeners = new Set<Listener>();

/** The shell listens here to fall back to the sign-in page when the session ends. */
export function onSignedOut(listener: Listener): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {
    [CLIENT_HEADER]: CLIENT_HEADER_VALUE,
    Accept: 'application/json',
  };
  let payload: BodyInit | undefined;
  if (body instanceof Blob || body instanceof ArrayBuffer || body instanceof Uint8Array) {
    headers['Content-Type'] = 'application/octet-stream';
    payload = body as BodyInit;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response: Response;
  try {
    response = await fetch(`/api${path}`, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, [
      { code: 'INTERNAL', message: 'hds-setup is not answering. Is it still running in your terminal?' },
    ]);
  }
  const data = (await response.json().catch(() => null)) as { ok?: boolean; errors?: ErrorDetail[] } | null;
  if (response.ok && data) return data as T;
  const errors = data?.errors?.length
    ? data.errors
    : [{ code: 'INTERNAL' as const, message: `Unexpected answer from hds-setup (HTTP ${response.status}).` }];
  const error = new ApiError(response.status, errors);
  if (response.status === 401 && !path.startsWith('/session')) for (const l of authListeners) l(error);
  return Promise.reject(error);
}

/** Reads an uploaded file for a JSON request. Files stay in memory and go only to our server. */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
