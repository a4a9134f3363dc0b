import type { ObjectContext } from './should-inject.js';

/** True for the creation of a core/v1 Pod; a CREATE on a subresource (pods/binding, pods/eviction) is not one. */
export function isPodCreate(context: ObjectContext): boolean {
  const { kind } = context;
  return (
    context.operation === 'CREATE' &&
    kind.group === '' &&
    kind.version === 'v1' &&
    kind.kind === 'Pod' &&
    (context.subResource === undefined || context.subResource === '')
  );
}
