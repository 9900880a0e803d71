import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Bridge } from '../../shared/contract';
import { App } from './App';
import { pickBridge } from './bridge';
import './styles.css';

/** `?demo` shows the dashboard on invented data, without any server (screenshots, trying it out). */
async function chooseBridge(): Promise<Bridge> {
  if (!window.fogis && new URLSearchParams(location.search).has('demo')) {
    const { createDemoBridge } = await import('./demo');
    return createDemoBridge();
  }
  return pickBridge();
}

void chooseBridge().then((bridge) => {
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <App bridge={bridge} />
    </StrictMode>,
  );
});
