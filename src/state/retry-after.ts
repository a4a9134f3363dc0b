/** Retry-After is whole seconds; never 0, which a client may take as "retry at once". */
export function retryAfterSeconds(msBeforeNext: number): number {
  return Math.max(1, Math.ceil(msBeforeNext / 1000));
}
