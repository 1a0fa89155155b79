import { describe, expect, it } from 'vitest';
import { planStages, reachesFailureThreshold } from './rollouts.plan';

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `0190${String(i).padStart(4, '0')}-0000-7000-8000-000000000000`);
const sizes = (plan: { stage: number }[], stages: number) =>
  Array.from({ length: stages }, (_, i) => plan.filter((p) => p.stage === i).length);
const standard = [
  { percent: 5, healthyMinutes: 60 },
  { percent: 25, healthyMinutes: 60 },
  { percent: 100, healthyMinutes: null },
];

describe('planStages', () => {
  it('gives stage i the first ceil(N × percent / 100) minus the earlier stages', () => {
    expect(sizes(planStages('r', ids(20), standard), 3)).toEqual([1, 4, 15]);
    expect(sizes(planStages('r', ids(100), standard), 3)).toEqual([5, 20, 75]);
    expect(sizes(planStages('r', ids(7), standard), 3)).toEqual([1, 1, 5]);
  });
  it('puts at least one appliance in the first stage, and leaves later stages empty when there are too few', () => {
    expect(sizes(planStages('r', ids(1), standard), 3)).toEqual([1, 0, 0]);
    expect(planStages('r', [], standard)).toEqual([]);
  });
  it('orders by SHA-256 of rollout id and appliance id: the same for the same rollout, another for another', () => {
    const a = planStages('rollout-a', ids(20), standard);
    expect(planStages('rollout-a', [...ids(20)].reverse(), standard)).toEqual(a);
    const b = planStages('rollout-b', ids(20), standard);
    expect(b.map((p) => p.applianceId)).not.toEqual(a.map((p) => p.applianceId));
    expect(a.map((p) => p.position)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('reachesFailureThreshold', () => {
  it('compares failures with the share of the stage', () => {
    expect(reachesFailureThreshold(1, 15, 10)).toBe(false);
    expect(reachesFailureThreshold(2, 15, 10)).toBe(true);
    expect(reachesFailureThreshold(1, 10, 10)).toBe(true);
    expect(reachesFailureThreshold(0, 0, 10)).toBe(false);
  });
});
