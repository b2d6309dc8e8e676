import type { Report } from '../../src/report/types.js';

/** A small hand-made scan report with hostile text in every field a renderer shows. */
export function sampleReport(): Report {
  const pixels = Buffer.from(Uint8Array.from({ length: 16 }, (_, i) => i * 16)).toString('base64');
  return {
    schemaVersion: 1,
    tool: { name: 'antidote', version: '0.1.0' },
    run: {
      id: 'run-1',
      startedAt: '2025-01-01T00:00:00.000Z',
      seed: 7,
      command: 'antidote scan data/x.csv',
      config: {},
    },
    subjects: [{ name: 'data/x.csv', sha256: 'ab'.repeat(32), role: 'data' }],
    findings: [
      {
        ruleId: 'backdoor/activation-clustering',
        severity: 'critical',
        score: 0.99,
        message: 'labelled 0 <script>alert(1)</script> | pipe',
        target: { kind: 'sample', id: '4', uri: 'data/x.csv', line: 6 },
      },
      {
        ruleId: 'validation/class-balance',
        severity: 'medium',
        score: 0.5,
        message: 'class "a&b" changed',
        target: { kind: 'class', id: 'a&b', uri: 'data/x.csv' },
      },
      {
        ruleId: 'validation/near-duplicate',
        severity: 'info',
        score: 0.25,
        message: 'near copy',
        target: { kind: 'sample', id: '9' },
      },
    ],
    metrics: { samples: 10 },
    verdict: 'fail',
    sections: {
      dataset: { samples: 10, features: 16, classes: 2, shape: [10, 16], image: [1, 4, 4] },
      detectors: { backdoor: { seconds: 0.1, flagged: 1, findings: 1, summary: {} } },
      histograms: [{ detector: 'backdoor', counts: [9, 0, 0, 1], flagged: 1 }],
      classCounts: { classes: ['a&b', '<c>'], counts: [6, 4], flagged: [1, 0] },
      thumbnails: [
        {
          sample: '4',
          line: 6,
          label: '<c>',
          width: 4,
          height: 4,
          pixels,
          ruleId: 'backdoor/activation-clustering',
          severity: 'critical',
        },
      ],
      sources: [
        {
          source: 'eve<',
          samples: 5,
          flagged: 4,
          rate: 0.8,
          restRate: 0.1,
          adjustedPValue: 1e-5,
          suspicious: true,
        },
      ],
      verdict: { reason: '1 finding(s) at severity high or above' },
    },
  };
}
