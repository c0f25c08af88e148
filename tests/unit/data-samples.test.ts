// The real samples in ../shared/data (Ali-CCP, Census-Income) load with sensible roles.
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/engine/data/load';
import { rolesOf, withRole } from '../../src/engine/data/schema';
import { sharedBlob } from './helpers/data';

describe('shared sample data', () => {
  it('Ali-CCP: click and purchase are the tasks, dense D* columns numeric, field ids categorical, N = 1', async () => {
    const { schema, dataset, summary } = await loadDataset(await sharedBlob('ali-ccp/ali_ccp_train_sample.csv'), 'ali_ccp_train_sample.csv');
    const roles = rolesOf(schema);
    expect(schema.taskOrder).toEqual(['click', 'purchase']);
    expect(roles.D508).toBe('numeric');
    expect(roles['205']).toBe('categorical');
    expect(Object.values(roles).filter((r) => r === 'label')).toHaveLength(2);
    expect(dataset.maxCandidates).toBe(1);
    expect(dataset.numRequests).toBe(100);
    expect(summary.rows).toBe(100);
    expect(summary.tasks.map((t) => t.name)).toEqual(['click', 'purchase']);
    for (const t of summary.tasks) {
      expect(t.positiveRate).toBeGreaterThan(0);
      expect(t.positiveRate).toBeLessThan(1);
    }
    // purchase implies click in Ali-CCP
    for (let q = 0; q < dataset.numRequests; q++) expect(dataset.labels[q * 2 + 1] <= dataset.labels[q * 2]).toBe(true);
  });

  it("Census-Income: income is the label; 'marital status' is offered as a second task and trains when chosen", async () => {
    const first = await loadDataset(await sharedBlob('census-income/census_income_train_sample.csv'), 'census.csv');
    expect(first.schema.taskOrder).toEqual(['income']);
    expect(rolesOf(first.schema)['marital status']).not.toBe('label');
    expect(rolesOf(first.schema).age).toBe('numeric');
    expect(first.inferred.labelCandidates).toContain('marital status');
    const twoTasks = withRole(first.schema, 'marital status', 'label');
    const second = await loadDataset(await sharedBlob('census-income/census_income_train_sample.csv'), 'census.csv', { schema: twoTasks });
    expect(second.dataset.tasks).toEqual(['income', 'marital status']);
    expect(second.dataset.labels.length).toBe(80 * 2);
    for (const rate of second.dataset.positiveRate) {
      expect(rate).toBeGreaterThan(0);
      expect(rate).toBeLessThan(1);
    }
    // 'marital status' is no longer a feature.
    const featureNames = Object.values(second.dataset.features).flat().map((f) => f.name);
    expect(featureNames).not.toContain('marital status');
    expect(featureNames).toContain('education');
  });
});
