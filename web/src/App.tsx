import { useEffect } from 'react';
import { onSignedOut } from './api/client';
import { WizardShell } from './shell/WizardShell';
import { SignInPage } from './steps/signIn/SignInPage';
import { useShellStore } from './store/shell-store';

export function App() {
  const auth = useShellStore((s) => s.auth);
  const setSignedOut = useShellStore((s) => s.setSignedOut);
  useEffect(
    () =>
      onSignedOut((error) => {
        setSignedOut(
          error.errors[0]?.message ??
            'Your session ended. Sign in again with the newest link hds-setup printed in its terminal.',
        );
      }),
    [setSignedOut],
  );
  return auth === 'signedIn' ? <WizardShell /> : <SignInPage />;
}
