import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  monthlyStorageUsd,
  PRICE_TABLE,
  PROVISIONING_USAGE,
  pricesIn,
  provisioningUsd,
  volumeCost,
  withMonthlyCost,
} from '../../functions/lib/pricing/prices.ts';

const US_EAST_1 = pricesIn('us-east-1');

interface ModelFigures {
  readonly transitions: { readonly mean: number };
  readonly lambda: { readonly requestsMean: number; readonly gbSecondsMean: number };
  readonly costUsd: { readonly mean: number };
}

/** The bench's last model run (npm run bench -- --only=model). */
const detail = (
  JSON.parse(readFileSync(new URL('../../bench/results.json', import.meta.url), 'utf8')) as {
    modelDetail: { today: ModelFigures; pool: ModelFigures };
  }
).modelDetail;

describe('the price table', () => {
  it('is dated and prices us-east-1 as AWS lists it', () => {
    // Assess
    expect(PRICE_TABLE.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(US_EAST_1).toMatchObject({
      efsStorageGbMonth: { standard: 0.3 },
      stepFunctionsTransition: 0.000025,
    });
    expect(pricesIn('xx-nowhere-1')).toBeUndefined();
  });

  it('prices a month of storage per GiB in EFS Standard', () => {
    // Act / Assess
    if (!US_EAST_1) throw new Error('no us-east-1 prices');
    expect(monthlyStorageUsd(0, US_EAST_1)).toBe(0);
    expect(monthlyStorageUsd(10 * 1024 ** 3, US_EAST_1)).toBeCloseTo(3, 10);
    expect(monthlyStorageUsd(6144, US_EAST_1)).toBeCloseTo(0.0000017, 7);
  });
});

describe('the provisioning usage', () => {
  it.each([
    ['new', 'today'],
    ['pool', 'pool'],
  ] as const)('of the %s path is what the bench model measured', (path, run) => {
    // Prepare
    const measured = detail[run];
    const usage = PROVISIONING_USAGE[path];

    // Assess: the figures, and the money they make, within 1 %
    expect(usage.transitions).toBeCloseTo(measured.transitions.mean, 2);
    expect(usage.lambdaRequests).toBeCloseTo(measured.lambda.requestsMean, 2);
    expect(usage.lambdaGbSeconds / measured.lambda.gbSecondsMean).toBeCloseTo(1, 2);
    if (!US_EAST_1) throw new Error('no us-east-1 prices');
    expect(provisioningUsd(usage, US_EAST_1) / measured.costUsd.mean).toBeCloseTo(1, 2);
  });

  it('gives the plan a cost only where the table has prices', () => {
    // Act / Assess
    expect(volumeCost('new', 'us-east-1')).toMatchObject({
      region: 'us-east-1',
      pricesReadOn: PRICE_TABLE.readOn,
      monthlyAtZeroBytesUsd: 0,
      monthlyPerGbUsd: 0.3,
    });
    expect(volumeCost('new', 'xx-nowhere-1')).toBeUndefined();
  });
});

describe('withMonthlyCost', () => {
  const volume = {
    id: 'vol-1',
    size: { meteredBytes: 2 * 1024 ** 3, measuredAt: '2026-12-07T00:00:00.000Z' },
  };

  it('prices the metered size a month in EFS Standard', () => {
    // Act / Assess
    expect(withMonthlyCost(volume, 'us-east-1').size).toEqual({ ...volume.size, monthlyUsd: 0.6 });
  });

  it('leaves a volume without a size, or in a Region without prices, as it is', () => {
    // Act / Assess
    const unsized: { id: string; size?: { meteredBytes: number } } = { id: 'vol-2' };
    expect(withMonthlyCost(unsized, 'us-east-1')).toBe(unsized);
    expect(withMonthlyCost(volume, 'xx-nowhere-1')).toBe(volume);
    expect(withMonthlyCost(volume, undefined)).toBe(volume);
  });
});
