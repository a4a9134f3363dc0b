// Preloaded into a profiled sidecar (node --import) by `npm run bench -- --profile DIR`: V8's
// sampling heap profiler, counting the objects that minor and major collections have already freed,
// so that the profile shows every allocation of the window and not only what survived it.
// SIGUSR1 starts sampling; SIGUSR2 stops and writes the profile to $BENCH_ALLOCATION_PROFILE.
import { Session } from 'node:inspector';
import { renameSync, writeFileSync } from 'node:fs';

const out = process.env.BENCH_ALLOCATION_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('HeapProfiler.enable');
  const fail = (error) => process.stderr.write(`allocation-sampler: ${error.message}\n`);
  process.on('SIGUSR1', () => {
    post('HeapProfiler.startSampling', { samplingInterval: 2048, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }).catch(fail);
  });
  process.on('SIGUSR2', () => {
    post('HeapProfiler.stopSampling')
      .then(({ profile }) => {
        // Whole or not at all: the bench waits for the file to appear.
        writeFileSync(`${out}.part`, JSON.stringify(profile));
        renameSync(`${out}.part`, out);
      })
      .catch(fail);
  });
}
