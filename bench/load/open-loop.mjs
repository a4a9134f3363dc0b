// An open-loop load generator: sends requests at a fixed rate on a schedule, whatever the server
// does, and measures each latency from the moment the request was due, not from when it was sent.
// A server that stalls therefore shows up as latency instead of as fewer samples (no coordinated
// omission). autocannon's `overallRate` is not used for this: it lets each connection send its
// per-second quota back to back at the start of every second (a burst, then silence), and records
// latency in whole milliseconds, too coarse for p50 on loopback.
//
// Usage: node bench/load/open-loop.mjs SPEC.json   (prints one JSON line: see `report` below)
// SPEC: {host, port, paths[], headers{}, deliveryHeader, deliveryPrefix, bodyFile, connections,
//        rate, durationSeconds}
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const body = readFileSync(spec.bodyFile);
const fixedHeaders =
  `Host: ${spec.host}:${spec.port}\r\n` +
  Object.entries(spec.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
  `Content-Length: ${body.length}\r\n`;
const intervalMs = 1000 / spec.rate;
const durationMs = spec.durationSeconds * 1000;
const drainMs = 10_000;

let latencies = new Float64Array(Math.max(1024, Math.ceil(spec.rate * spec.durationSeconds * 1.1)));
let completed = 0;
let ok2xx = 0;
let non2xx = 0;
let errors = 0;
let counter = 0;
const statuses = {};

function record(status, latencyMs) {
  if (completed === latencies.length) {
    const bigger = new Float64Array(latencies.length * 2);
    bigger.set(latencies);
    latencies = bigger;
  }
  latencies[completed++] = latencyMs;
  statuses[status] = (statuses[status] ?? 0) + 1;
  if (status >= 200 && status < 300) ok2xx++;
  else non2xx++;
}

function requestBytes() {
  counter++;
  const path = spec.paths[counter % spec.paths.length];
  return `POST ${path} HTTP/1.1\r\n${fixedHeaders}${spec.deliveryHeader}: ${spec.deliveryPrefix}${counter}\r\n\r\n`;
}

/** One keep-alive connection carrying one request at a time; parses just enough HTTP/1.1. */
class Connection {
  constructor() {
    this.due = -1;
    this.open();
  }

  open() {
    this.ready = false;
    this.buffer = Buffer.alloc(0);
    this.need = -1;
    this.socket = net.connect({ host: spec.host, port: spec.port, noDelay: true });
    this.socket.on('connect', () => {
      this.ready = true;
      if (this.due < 0) idle.push(this);
      else this.write();
      dispatch();
    });
    this.socket.on('data', (chunk) => this.onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      if (this.due >= 0) {
        errors++;
        this.due = -1;
      }
      const at = idle.indexOf(this);
      if (at !== -1) idle.splice(at, 1);
      if (!stopping) this.open();
    });
  }

  send(due) {
    this.due = due;
    if (this.ready) this.write();
  }

  write() {
    this.socket.cork();
    this.socket.write(requestBytes());
    this.socket.write(body);
    this.socket.uncork();
  }

  onData(chunk) {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.need === -1) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = this.buffer.toString('latin1', 0, end);
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.chunked = !length && /\r\ntransfer-encoding:\s*chunked/i.test(head);
        this.closing = /\r\nconnection:\s*close/i.test(head);
        this.need = length ? Number(length[1]) : 0;
        this.buffer = this.buffer.subarray(end + 4);
      }
      if (this.chunked) {
        // Our servers answer a few bytes; the last-chunk marker is enough to find the end.
        const end = this.buffer.indexOf('0\r\n\r\n');
        if (end === -1) return;
        this.buffer = this.buffer.subarray(end + 5);
      } else {
        if (this.buffer.length < this.need) return;
        this.buffer = this.buffer.subarray(this.need);
      }
      this.need = -1;
      record(this.status, performance.now() - this.due);
      this.due = -1;
      if (this.closing) {
        this.socket.destroy();
        return;
      }
      idle.push(this);
      dispatch();
    }
  }
}

const idle = [];
const queue = [];
let queueHead = 0;
let stopping = false;
let scheduled = 0;
const start = performance.now() + 50;
const connections = Array.from({ length: spec.connections }, () => new Connection());

function dispatch() {
  while (queueHead < queue.length && idle.length > 0) idle.pop().send(queue[queueHead++]);
  if (queueHead > 4096) {
    queue.splice(0, queueHead);
    queueHead = 0;
  }
}

function tick() {
  const now = performance.now();
  for (;;) {
    const due = start + scheduled * intervalMs;
    if (due > now || due >= start + durationMs) break;
    queue.push(due);
    scheduled++;
  }
  dispatch();
  if (start + scheduled * intervalMs < start + durationMs) setTimeout(tick, 0);
  else finish();
}

function finish() {
  const deadline = performance.now() + drainMs;
  const poll = () => {
    const waiting = queue.length - queueHead + connections.filter((c) => c.due >= 0).length;
    if (waiting > 0 && performance.now() < deadline) return setTimeout(poll, 5);
    stopping = true;
    errors += waiting;
    for (const connection of connections) connection.socket.destroy();
    report();
  };
  poll();
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function report() {
  const sorted = latencies.slice(0, completed).sort();
  const line = {
    tool: 'open-loop',
    requests: completed,
    ok2xx,
    non2xx,
    errors,
    seconds: spec.durationSeconds,
    p50_ms: percentile(sorted, 0.5),
    p99_ms: percentile(sorted, 0.99),
    p999_ms: percentile(sorted, 0.999),
    statuses,
  };
  process.stdout.write(`LOADJSON ${JSON.stringify(line)}\n`);
  process.exit(0);
}

setTimeout(tick, 50);
