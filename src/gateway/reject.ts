import type { GatewayContext } from './context.js';
import type { GatewayDeps } from './gateway-deps.js';
import type { Reason } from '../observability/metric-names.js';
import { countRejection } from '../observability/gateway-metrics.js';
import { ANSWERS, HEADER } from './answers.js';

export interface RejectOptions {
  readonly retryAfterSeconds?: number;
  /** Extra fields for the log line (header names, never values of secrets). */
  readonly detail?: Record<string, unknown>;
  /** Close the connection after answering (the body was not read to its end). */
  readonly close?: boolean;
}

/** Answers a rejection: its status and text, a metric, and a (volume-bounded) warn line. */
export function reject(ctx: GatewayContext, deps: GatewayDeps, reason: Reason, options: RejectOptions = {}): void {
  const answer = ANSWERS[reason];
  ctx.status = answer.status;
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = answer.text;
  if (reason === 'method') ctx.set('Allow', 'POST');
  if (options.retryAfterSeconds !== undefined) ctx.set(HEADER.retryAfter, String(options.retryAfterSeconds));
  if (options.close) ctx.set('Connection', 'close');
  countRejection(deps.metrics, ctx.state.hookLabel, reason);
  deps.rejections.write({
    reason,
    hook: ctx.state.hookLabel,
    source: ctx.state.source,
    status: answer.status,
    requestId: ctx.state.requestId,
    userAgent: ctx.get('user-agent') || undefined,
    method: ctx.method,
    ...(options.detail ? { detail: options.detail } : {}),
  });
}
