import type { ParameterizedContext, Next } from 'koa';
import type { RequestState } from './request-state.js';

export type GatewayContext = ParameterizedContext<RequestState>;
export type GatewayMiddleware = (ctx: GatewayContext, next: Next) => Promise<void> | void;
