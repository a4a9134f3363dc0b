import type { AdmitDecision, ClaimResult, HookLimits, StateStore } from './store.js';
import { MemoryLimiters } from './memory-limiters.js';
import { MemoryReplayLog } from './memory-replay-log.js';

/** State of exactly one replica: correct when a hook runs one sidecar, and the default without Redis. */
export function createMemoryStore(options: { maxReplayEntries?: number } = {}): StateStore {
  const limiters = new MemoryLimiters();
  const replay = new MemoryReplayLog(options.maxReplayEntries);
  return {
    kind: 'memory',
    admit: (limits: HookLimits, source: string): Promise<AdmitDecision> => limiters.admit(limits, source),
    admitAndClaim: async (limits, source, claim) => {
      const decision = await limiters.admit(limits, source);
      if (!decision.ok) return { decision };
      return { decision, claim: replay.claim(`${claim.hook}|${claim.deliveryId}`, claim.inFlightSeconds) };
    },
    recordAuthFailure: (limits: HookLimits, source: string) => limiters.recordAuthFailure(limits, source),
    claimDelivery: async (hook: string, id: string, inFlightSeconds: number): Promise<ClaimResult> => replay.claim(`${hook}|${id}`, inFlightSeconds),
    settleDelivery: async (hook: string, id: string, accepted: boolean, ttlSeconds: number) => replay.settle(`${hook}|${id}`, accepted, ttlSeconds),
    isReady: () => true,
    close: async () => {},
  };
}
