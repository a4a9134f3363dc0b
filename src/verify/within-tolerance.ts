/**
 * Replay window: a signed timestamp may be at most `toleranceSeconds` away from now, in either
 * direction. Stale deliveries are replays; deliveries from the future are replays prepared in advance
 * (or a clock far off), and accepting them would let a captured delivery outlive the window.
 */
export function withinTolerance(timestampSeconds: number, nowSeconds: number, toleranceSeconds: number): boolean {
  return Math.abs(nowSeconds - timestampSeconds) <= toleranceSeconds;
}
