import type { ParameterizedContext } from 'koa';
import type { RequestState } from './request-state.js';
import type { GatewayDeps } from './gateway-deps.js';

export type GatewayContext = ParameterizedContext<RequestState>;

/**
 * One step of the pipeline: `true` to go on, `false` when the step has answered (a rejection).
 * Most steps are synchronous checks and return a plain boolean; only the steps that wait on the
 * store, the body or the app return a promise, so a request pays for no promise it does not need.
 */
export type StepResult = boolean | Promise<boolean>;
export type Step = (ctx: GatewayContext, deps: GatewayDeps) => StepResult;
