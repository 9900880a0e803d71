import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { Bridge } from '../../shared/contract';
import type { AppActions, AppState, AppStore } from './store';

interface Ctx {
  bridge: Bridge;
  store: AppStore;
}

const AppContext = createContext<Ctx | null>(null);

export function AppProvider({ bridge, store, children }: Ctx & { children: ReactNode }) {
  return <AppContext.Provider value={{ bridge, store }}>{children}</AppContext.Provider>;
}

function useCtx(): Ctx {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('AppProvider missing');
  return ctx;
}

export const useBridge = (): Bridge => useCtx().bridge;

/** Select from the store; selectors must return stable references (no new arrays). */
export function useApp<T>(selector: (s: AppState & AppActions) => T): T {
  return useStore(useCtx().store, selector);
}
