import { isDeepStrictEqual } from 'node:util';
import type { SidecarConfig } from '../config/types.js';

/** The keys a running sidecar cannot change in place, with a note for each that changed. */
export function restartOnlyChanges(current: SidecarConfig, next: SidecarConfig): string[] {
  const notes: string[] = [];
  if (!isDeepStrictEqual(current.listen, next.listen)) notes.push('listen: changes need a restart; keeping the running value');
  if (!isDeepStrictEqual(current.admin, next.admin)) notes.push('admin: changes need a restart; keeping the running value');
  if (!isDeepStrictEqual(current.redis, next.redis)) notes.push('redis: changes need a restart; keeping the running value');
  if (!isDeepStrictEqual(current.presetRefresh, next.presetRefresh)) notes.push('presetRefresh: changes need a restart; keeping the running value');
  if (current.maxHeaderBytes !== next.maxHeaderBytes) notes.push('maxHeaderBytes: changes need a restart; keeping the running value');
  return notes;
}
