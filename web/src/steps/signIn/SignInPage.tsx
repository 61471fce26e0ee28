import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { SessionStatus } from '../../../../contract/session';
import { ApiError, api } from '../../api/client';
import { ErrorSummary } from '../../components/ErrorSummary';
import { errorsFor, Field } from '../../components/Field';
import { useFocusOn } from '../../components/focus';
import { useShellStore } from '../../store/shell-store';

/**
 * Page 1. The token from the printed link is used at once and then removed from the address
 * bar, so it stays out of history; or the admin pastes it. Each token signs in once; reopened in
 * the browser still holding the session it opened, the server lets that session carry on.
 */
export function SignInPage() {
  const { auth, authMessage, setSignedIn, setSignedOut } = useShellStore();
  const [token, setToken] = useState('');
  const [errors, setErrors] = useState<ApiError['errors']>([]);
  const [busy, setBusy] = useState(false);
  const started = useRef(false);
  // A refused token: back to the field (its error is read out with it), not lost on the disabled button.
  const [refusals, setRefusals] = useState(0);
  const tokenRef = useFocusOn<HTMLInputElement>(refusals);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const params = new URLSearchParams(window.location.search);
    const fromLink = params.get('token');
    if (fromLink) {
      window.history.replaceState(null, '', window.location.pathname + window.location.hash);
      void signIn(fromLink);
    } else {
      api<SessionStatus>('GET', '/session')
        .then((s) => setSignedIn(s.version))
        .catch(() => setSignedOut());
    }
  });

  async function signIn(value: string) {
    setBusy(true);
    try {
      const status = await api<SessionStatus>('POST', '/session', { token: value.trim() });
      setErrors([]);
      setSignedIn(status.version);
    } catch (e) {
      setErrors(e instanceof ApiError ? e.errors : []);
      setRefusals((n) => n + 1);
      setSignedOut();
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    // Accept the whole link as well as the bare token.
    const match = /[?&]token=([^&\s]+)/.exec(token);
    void signIn(match ? decodeURIComponent(match[1]!) : token);
  }

  if (auth === 'checking') return <p className="centered-note">Signing in…</p>;

  return (
    <main className="sign-in">
      <div className="sign-in-card">
        <p className="brand">HDS Setup</p>
        <h1>Sign in</h1>
        <p className="lede">
          Open the newest link that <code>hds-setup</code> printed in your terminal, or paste it here. Each
          link signs in once; after every sign-in the tool prints the next one.
        </p>
        {authMessage && <p className="callout callout-info">{authMessage}</p>}
        <ErrorSummary errors={errors.filter((e) => e.field !== 'token')} title="Could not sign in" />
        <form onSubmit={submit} noValidate>
          <Field label="Sign-in link or token" errors={errorsFor(errors, 'token')}>
            <input
              ref={tokenRef}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </Field>
          <button type="submit" className="button button-primary" disabled={busy || !token.trim()}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
