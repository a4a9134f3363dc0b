import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { reject } from '../reject.js';

class TooLarge extends Error {}

/**
 * Reads the raw body, enforcing maxBodyBytes while streaming: a Content-Length over the limit is
 * refused before a byte is read, and a chunked body is refused as soon as it passes the limit, so
 * an oversized body never sits in memory. The connection is then closed, since the rest of the
 * body is still on its way.
 */
export function readBody(deps: GatewayDeps): GatewayMiddleware {
  return async (ctx, next) => {
    const limit = ctx.state.hook!.config.maxBodyBytes;
    const declared = ctx.req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      reject(ctx, deps, 'too_large', { close: true, detail: { contentLength: Number(declared), limit } });
      return;
    }
    let body: Buffer;
    try {
      body = await collect(ctx.req, limit);
    } catch (error) {
      if (error instanceof TooLarge) {
        reject(ctx, deps, 'too_large', { close: true, detail: { limit, chunked: declared === undefined } });
        return;
      }
      throw error;
    }
    ctx.state.body = body;
    return next();
  };
}

function collect(stream: NodeJS.ReadableStream & { destroyed?: boolean }, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        stream.pause();
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onAborted = () => {
      cleanup();
      reject(new Error('client aborted the request'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('aborted', onAborted);
  });
}
