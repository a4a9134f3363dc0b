// The saturation load when wrk is not installed: autocannon, closed loop (each connection sends
// its next request as soon as the previous one is answered). Latencies are taken from its
// per-response event, in fractional milliseconds (its own histogram keeps whole milliseconds).
//
// Usage: node bench/load/autocannon-closed.mjs SPEC.json   (prints one JSON line)
// SPEC: as open-loop.mjs, without `rate`.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const body = readFileSync(spec.bodyFile);
let counter = 0;
let latencies = new Float64Array(1 << 16);
let samples = 0;

const instance = autocannon(
  {
    url: `http://${spec.host}:${spec.port}`,
    connections: spec.connections,
    duration: spec.durationSeconds,
    requests: [
      {
        method: 'POST',
        body,
        setupRequest: (request) => {
          counter++;
          request.path = spec.paths[counter % spec.paths.length];
          request.headers = { ...spec.headers, [spec.deliveryHeader]: `${spec.deliveryPrefix}${counter}` };
          return request;
        },
      },
    ],
  },
  (error, result) => {
    if (error) {
      process.stderr.write(`${error.stack ?? error}\n`);
      process.exit(1);
    }
    const sorted = latencies.slice(0, samples).sort();
    const at = (q) => (samples === 0 ? null : sorted[Math.min(samples - 1, Math.max(0, Math.ceil(q * samples) - 1))]);
    const line = {
      tool: 'autocannon',
      requests: result.requests.total,
      ok2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      seconds: result.duration,
      p50_ms: at(0.5),
      p99_ms: at(0.99),
      p999_ms: at(0.999),
    };
    process.stdout.write(`LOADJSON ${JSON.stringify(line)}\n`);
  },
);
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode < 200 || statusCode >= 300) return;
  if (samples === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[samples++] = responseTime;
});
