/** One-line descriptions of the rule ids findings carry, for SARIF's rule table and the HTML legend. */
const DESCRIPTIONS: Record<string, string> = {
  'validation/missing-value': 'A sample has missing feature values.',
  'validation/non-finite': 'A sample has infinite feature values.',
  'validation/missing-label': 'A row has no label and was left out.',
  'validation/exact-duplicate': 'A sample is an exact copy of another with the same label.',
  'validation/near-duplicate': 'A sample is a near copy of another with the same label.',
  'validation/conflicting-duplicate': 'Copies of the same sample carry different labels.',
  'validation/out-of-range': "A feature value lies outside the trusted reference's range.",
  'validation/feature-drift': "A feature's distribution drifted from the trusted reference (KS, PSI).",
  'validation/label-drift': "The label distribution differs from the trusted reference's.",
  'validation/class-balance': "A class's share changed against the trusted reference.",
  'source/high-flag-rate': "A source's samples are flagged far more often than the other sources'.",
};

/** By family, for rule ids this table does not list. */
const FAMILIES: Record<string, string> = {
  validation: 'Data validation finding.',
  'label-issue': 'The sample is probably mislabelled.',
  outlier: 'The sample lies far from the rest of the data (injected or corrupted).',
  backdoor: 'The sample probably carries a backdoor trigger.',
  source: 'Per-source aggregation finding.',
};

export function describeRule(ruleId: string): string {
  return DESCRIPTIONS[ruleId] ?? FAMILIES[ruleId.split('/')[0]] ?? ruleId;
}
