import type { LoadSpec } from './load-spec.js';

/**
 * The Lua script that makes wrk send a unique delivery id per request, cycle through the paths,
 * and print its figures as one JSON line. JSON string literals are valid Lua literals for the ASCII
 * paths and file names used here.
 */
export function wrkScript(spec: LoadSpec): string {
  const lua = (value: string): string => JSON.stringify(value);
  const headers = Object.entries(spec.headers)
    .map(([name, value]) => `  wrk.headers[${lua(name)}] = ${lua(value)}`)
    .join('\n');
  return `
local paths = {
${spec.paths.map((path) => `  ${lua(path)},`).join('\n')}
}
local count = #paths
local prefix = ${lua(spec.deliveryPrefix)}
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  local file = assert(io.open(${lua(spec.bodyFile)}, "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
${headers}
end

function request()
  counter = counter + 1
  wrk.headers[${lua(spec.deliveryHeader)}] = prefix .. tid .. "-" .. counter
  return wrk.format(nil, paths[(counter % count) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOADJSON {"tool":"wrk","requests":%d,"non2xx":%d,"errors":%d,"seconds":%.6f,"p50_ms":%.4f,"p99_ms":%.4f,"p999_ms":%.4f}\\n',
    summary.requests, e.status, e.connect + e.read + e.write + e.timeout, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
`;
}
