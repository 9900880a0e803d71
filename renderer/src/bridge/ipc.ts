import { perOp, rowOf, type Bridge, type ContractMethods, type FogisPreloadApi, type OpName } from '../../../shared/contract';
import { monitorEventSchema } from '../../../shared/state';

export type { FogisPreloadApi };

declare global {
  interface Window {
    fogis?: FogisPreloadApi;
  }
}

/**
 * The Bridge over the preload's `window.fogis` (one invoke per operation of the contract
 * table). The preload is trusted code, but what it forwards comes from the main process over
 * a structured-clone channel; parsing each answer with the table's output schema keeps the
 * renderer's one rule: nothing unparsed reaches the store.
 */
export function createIpcBridge(api: FogisPreloadApi): Bridge {
  const method = (name: OpName) => {
    const output = rowOf(name).output;
    return async (...args: unknown[]) => output.parse(await (api[name] as (...a: unknown[]) => Promise<unknown>)(...args));
  };
  return {
    kind: 'ipc',
    ...perOp<ContractMethods>(method),
    subscribe(onEvent, onLink) {
      const off = api.onEvent((raw) => {
        const parsed = monitorEventSchema.safeParse(raw);
        if (parsed.success) onEvent(parsed.data);
        else console.warn('[bridge] ignored an IPC event that does not match the contract');
      });
      // IPC has no link to lose while the window exists.
      onLink?.(true);
      return off;
    },
  };
}
