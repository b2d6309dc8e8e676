/**
 * The attack × aggregator matrix: one simulation per cell on the same partition and seed, so cells differ
 * only in the attack and the rule. Each cell is judged against the no-attack FedAvg baseline.
 */
import { InputError } from '../errors.js';
import { checkAttackName, type FlAttackName, flAttackNames } from './client-attacks.js';
import { type SimulationOptions, type SimulationResult, simulateFederation } from './simulate.js';

export interface MatrixCell {
  attack: FlAttackName;
  rule: string;
  accuracy: number;
  asr?: number;
  /** Malicious clients quarantined / all malicious. */
  detected: number;
  /** Honest clients quarantined / all honest. */
  falseQuarantine: number;
  /** Whether the cell meets the goal (see `meetsGoal`), and why not. */
  ok: boolean;
  problems: string[];
}

export interface FederatedMatrix {
  /** Final accuracy of FedAvg without an attack: the yardstick of every cell. */
  baseline: number;
  cells: MatrixCell[];
  config: Omit<SimulationResult['config'], 'attack' | 'rule' | 'byzantine'>;
}

/** The goal a defended cell must meet: accuracy within 3 points of the baseline, backdoor ASR at most 5%. */
export const MATRIX_GOAL = { maxAccuracyDrop: 0.03, maxAsr: 0.05 } as const;

/** A comma-separated list of names, or `all`; every name checked. */
export function parseNameList(value: string, all: readonly string[], field: string): string[] {
  if (value === 'all') return [...all];
  const names = value.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!all.includes(name)) {
      throw new InputError(`unknown ${field} "${name}"; choose from ${all.join(', ')} or all`, { field });
    }
  }
  return names;
}

export const matrixAttackNames = flAttackNames.filter((name) => name !== 'none');

export function runFederatedMatrix(
  base: Omit<SimulationOptions, 'attack' | 'rule'>,
  attacks: readonly string[],
  rules: readonly string[],
  onCell?: (cell: MatrixCell) => void,
): FederatedMatrix {
  const baselineRun = simulateFederation({ ...base, attack: 'none', rule: 'fedavg' });
  const baseline = baselineRun.final.accuracy;
  const cells: MatrixCell[] = [];
  for (const attack of attacks.map(checkAttackName)) {
    for (const rule of rules) {
      const result = simulateFederation({ ...base, attack, rule });
      const cell = judgeCell(result, baseline);
      cells.push(cell);
      onCell?.(cell);
    }
  }
  const { attack: _attack, rule: _rule, byzantine: _byzantine, ...config } = baselineRun.config;
  return { baseline, cells, config };
}

function judgeCell(result: SimulationResult, baseline: number): MatrixCell {
  const { accuracy, asr } = result.final;
  const problems: string[] = [];
  if (accuracy < baseline - MATRIX_GOAL.maxAccuracyDrop) {
    problems.push(
      `accuracy ${pct(accuracy)} is more than ${pct(MATRIX_GOAL.maxAccuracyDrop)} below ${pct(baseline)}`,
    );
  }
  if (asr !== undefined && asr > MATRIX_GOAL.maxAsr)
    problems.push(`backdoor ASR ${pct(asr)} > ${pct(MATRIX_GOAL.maxAsr)}`);
  return {
    attack: result.config.attack,
    rule: result.config.rule,
    accuracy,
    ...(asr !== undefined && { asr }),
    detected: result.detection.truePositiveRate,
    falseQuarantine: result.detection.falsePositiveRate,
    ok: problems.length === 0,
    problems,
  };
}

/** The matrix as a Markdown document: one table, attacks down, rules across, "accuracy / ASR" per cell. */
export function matrixMarkdown(matrix: FederatedMatrix): string {
  const rules = [...new Set(matrix.cells.map((c) => c.rule))];
  const attacks = [...new Set(matrix.cells.map((c) => c.attack))];
  const c = matrix.config;
  const lines = [
    '# Federated attack × aggregator matrix',
    '',
    `${c.clients} clients (${c.malicious} malicious), ${c.rounds} rounds, ${c.partition} partition` +
      `${c.alpha === undefined ? '' : ` (α = ${c.alpha})`}, ${c.model} model, seed ${c.seed}. ` +
      `Baseline (FedAvg, no attack): ${pct(matrix.baseline)}. Cells: final accuracy / backdoor ASR; ` +
      `✗ misses the goal (accuracy within ${pct(MATRIX_GOAL.maxAccuracyDrop)} of the baseline, ASR ≤ ` +
      `${pct(MATRIX_GOAL.maxAsr)}).`,
    '',
    `| attack | ${rules.join(' | ')} |`,
    `|---|${rules.map(() => '---').join('|')}|`,
  ];
  for (const attack of attacks) {
    const row = rules.map((rule) => {
      const cell = matrix.cells.find((x) => x.attack === attack && x.rule === rule);
      return cell === undefined ? '' : cellText(cell);
    });
    lines.push(`| ${attack} | ${row.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** "84.1%", "84.1% / 3.0%" with the ASR, and a ✗ when the cell misses the goal. */
export function cellText(cell: MatrixCell): string {
  const text = cell.asr === undefined ? pct(cell.accuracy) : `${pct(cell.accuracy)} / ${pct(cell.asr)}`;
  return cell.ok ? text : `${text} ✗`;
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}
