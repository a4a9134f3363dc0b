import type { ProviderScheme } from './types.js';
import { VERIFIED } from './types.js';

/** Provider `none`: the URL token (required by config validation) is the only authentication. */
export const none: ProviderScheme = {
  verify: () => VERIFIED,
  deliveryId: () => undefined,
};
