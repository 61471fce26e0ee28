import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { adoptContentSecurityPolicy } from './content-security-policy';
import './styles/tokens.css';
import './styles/app.css';

adoptContentSecurityPolicy();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
