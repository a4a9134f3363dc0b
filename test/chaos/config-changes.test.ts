import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChaosRun, sleep } from './chaos-run.js';
import { PROVIDERS } from './provider-kinds.js';
import { report } from './verdict.js';
import { sample, scrape } from '../helpers/metrics.js';

describe('chaos: config and secrets change on disk under traffic', () => {
  it('rolls every secret with an overlap and refuses broken configs, without dropping a delivery', async () => {
    const run = await ChaosRun.start({ suite: 'config-changes' });
    try {
      const sidecar = run.sidecars[0]!;
      run.simulator.start();
      await sleep(3_000);
      const startMb = sidecar.rssMb();

      const retired: { provider: (typeof PROVIDERS)[number]['name']; secret: string }[] = [];
      for (const provider of PROVIDERS) {
        const { oldSecret } = await run.rotateSecret(provider.name);
        retired.push({ provider: provider.name, secret: oldSecret });
        await sleep(1_000);
      }
      // Correctly signed with a secret that has left the config: a forgery now.
      const retiredAnswers = await Promise.all(retired.flatMap(({ provider, secret }) => [1, 2, 3].map(() => run.simulator.sendForgery(provider, 'retired-secret', secret))));

      const good = run.config();
      const refusedBefore = sidecar.events('config_refused');
      run.stage.writeConfigText(`${JSON.stringify(good).slice(0, 40)}\n`);
      await sidecar.waitForEvent('config_refused');
      await sleep(2_000);
      run.stage.writeConfig({ ...good, hooks: [...(good.hooks as object[]), { name: 'broken', path: '/hooks/broken', provider: 'github', secrets: [{ file: `${run.stage.dir}/no-such-secret` }] }] });
      await waitFor(() => sidecar.events('config_refused') >= refusedBefore + 2, 'the second broken config to be refused');
      await sleep(2_000);
      run.writeConfig();
      await sleep(3_000);

      const figures = await run.finish();
      const metrics = await scrape(sidecar.adminUrl);
      const reloads = { applied: sample(metrics, 'hookguard_config_reloads_total', { result: 'applied' }), refused: sample(metrics, 'hookguard_config_reloads_total', { result: 'refused' }) };
      figures.memory = { startMb, endMb: sidecar.rssMb() };
      figures.logLines = sidecar.logLines();
      figures.extra.push(`secrets rotated ${PROVIDERS.length} (two applied configs each), config reloads applied ${reloads.applied}, refused ${reloads.refused}`);
      figures.extra.push(`deliveries signed with a retired secret: answers ${retiredAnswers.map((a) => a.status ?? a.error).join(' ')}`);
      report(figures);
      assert.equal(figures.notRetried, 0, 'every GitHub delivery was accepted at its single attempt');
      assert.equal(figures.retried, 0, 'no delivery needed a retry: no reload dropped or refused one');
      assert.ok(retiredAnswers.every((a) => a.status === 401), 'a retired secret is refused');
      assert.equal(reloads.applied, 2 * PROVIDERS.length);
      assert.equal(reloads.refused, 2);
    } finally {
      await run.close();
    }
  });
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
