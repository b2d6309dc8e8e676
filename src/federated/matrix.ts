/**
 * The attack × aggregator matrix: one simulation per cell on the same partition and seed, so cells differ
 * only in the attack and the rule. Each cell is judged against the no-attack FedAvg baseline, and the matrix
 * says whether the rule the library recommends by default meets the goal in every row.
 */
import { recommendedAggregator } from '../defenses/federated/registry.js';
import { InputError } from '../errors.js';
import { checkAttackName, type FlAttackName, flAttackNames } from './client-attacks.js';
import {
  type RoundRecord,
  type SimulationOptions,
  type SimulationResult,
  simulateFederation,
} from './simulate.js';

export interface MatrixCell {
  attack: FlAttackName;
  rule: string;
  /** Accuracy over the final rounds (see `MATRIX_GOAL.finalRounds`): what the goal judges. */
  accuracy: number;
  /** Backdoor attack success rate over the final rounds (attack 'backdoor' only). */
  asr?: number;
  /** The last round alone. */
  lastRound: { accuracy: number; asr?: number };
  /** Malicious clients quarantined / all malicious. */
  detected: number;
  /** Honest clients quarantined / all honest. */
  falseQuarantine: number;
  /** Whether the cell meets the goal (see `MATRIX_GOAL`), and why not. */
  ok: boolean;
  problems: string[];
}

/** How the library's recommended default rule did: its column, row by row. */
export interface RecommendedVerdict {
  rule: string;
  /** Whether the matrix has a column for it; the verdict below is empty when not. */
  inMatrix: boolean;
  /** True when every cell of its column meets the goal. */
  meetsGoal: boolean;
  /** The attacks whose cell misses the goal, each with why. */
  missed: { attack: FlAttackName; problems: string[] }[];
}

export interface FederatedMatrix {
  /** Accuracy of plain FedAvg (no quarantine) without an attack over the final rounds: every cell's yardstick. */
  baseline: number;
  cells: MatrixCell[];
  config: Omit<SimulationResult['config'], 'attack' | 'rule' | 'byzantine' | 'quarantine'>;
  recommended: RecommendedVerdict;
}

/**
 * The goal a defended cell must meet: accuracy within 3 points of the baseline, backdoor ASR at most 5%.
 * Accuracy and ASR are averaged over the last `finalRounds` rounds, the baseline's too: under non-IID
 * clients one round of FedAvg moves test accuracy by several points (5 or more on Fashion-MNIST with
 * Dirichlet(0.5) clients), which would decide a 3-point margin by chance.
 */
export const MATRIX_GOAL = { maxAccuracyDrop: 0.03, maxAsr: 0.05, finalRounds: 3 } as const;

/**
 * The undefended yardstick. FedAvg runs as plain FedAvg, with no reputation quarantine, both for the
 * baseline and under attack, so its column shows what each attack does when nothing defends.
 */
const UNDEFENDED_RULE = 'fedavg';

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
  const run = (attack: FlAttackName, rule: string) =>
    simulateFederation({
      ...base,
      attack,
      rule,
      quarantine: rule === UNDEFENDED_RULE ? false : (base.quarantine ?? true),
    });
  const baselineRun = run('none', UNDEFENDED_RULE);
  const baseline = finalRounds(baselineRun).accuracy;
  const cells: MatrixCell[] = [];
  for (const attack of attacks.map(checkAttackName)) {
    for (const rule of rules) {
      const cell = judgeCell(run(attack, rule), baseline);
      cells.push(cell);
      onCell?.(cell);
    }
  }
  const {
    attack: _attack,
    rule: _rule,
    byzantine: _byzantine,
    quarantine: _quarantine,
    ...config
  } = baselineRun.config;
  return { baseline, cells, config, recommended: recommendedVerdict(cells) };
}

/** Accuracy and ASR averaged over the last `MATRIX_GOAL.finalRounds` rounds. */
function finalRounds(result: SimulationResult): { accuracy: number; asr?: number } {
  const last = result.rounds.slice(-MATRIX_GOAL.finalRounds);
  const mean = (value: (r: RoundRecord) => number) => last.reduce((s, r) => s + value(r), 0) / last.length;
  const accuracy = mean((r) => r.accuracy);
  return last[0].asr === undefined ? { accuracy } : { accuracy, asr: mean((r) => r.asr ?? 0) };
}

/** One cell of the matrix: the simulation's final rounds judged against the no-attack baseline accuracy. */
export function judgeCell(result: SimulationResult, baseline: number): MatrixCell {
  const { accuracy, asr } = finalRounds(result);
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
    lastRound: result.final,
    detected: result.detection.truePositiveRate,
    falseQuarantine: result.detection.falsePositiveRate,
    ok: problems.length === 0,
    problems,
  };
}

function recommendedVerdict(cells: readonly MatrixCell[]): RecommendedVerdict {
  const rule = recommendedAggregator.name;
  const column = cells.filter((c) => c.rule === rule);
  const missed = column.filter((c) => !c.ok).map((c) => ({ attack: c.attack, problems: c.problems }));
  return { rule, inMatrix: column.length > 0, meetsGoal: column.length > 0 && missed.length === 0, missed };
}

/** One line on the recommended rule's column: whether it meets the goal in every row, else where not. */
export function recommendedSummary(verdict: RecommendedVerdict): string {
  const name = `Recommended default: ${verdict.rule}`;
  if (!verdict.inMatrix) return `${name} (not in this matrix).`;
  if (verdict.meetsGoal) return `${name}, meets the goal in every row.`;
  const where = verdict.missed.map((m) => `${m.attack} (${m.problems.join('; ')})`).join(', ');
  return `${name}, misses the goal against ${where}.`;
}

/** The matrix as a Markdown document: one table, attacks down, rules across, "accuracy / ASR" per cell. */
export function matrixMarkdown(matrix: FederatedMatrix): string {
  const rules = [...new Set(matrix.cells.map((c) => c.rule))];
  const attacks = [...new Set(matrix.cells.map((c) => c.attack))];
  const c = matrix.config;
  const header = rules.map((rule) => (rule === matrix.recommended.rule ? `${rule} (default)` : rule));
  const lines = [
    '# Federated attack × aggregator matrix',
    '',
    `${c.clients} clients (${c.malicious} malicious), ${c.rounds} rounds, ${c.partition} partition` +
      `${c.alpha === undefined ? '' : ` (α = ${c.alpha})`}, ${c.model} model, seed ${c.seed}. ` +
      `Baseline (plain FedAvg, no attack, no quarantine): ${pct(matrix.baseline)}. Cells: accuracy / ` +
      `backdoor ASR, averaged over the last ${MATRIX_GOAL.finalRounds} rounds; ✗ misses the goal (accuracy ` +
      `within ${pct(MATRIX_GOAL.maxAccuracyDrop)} of the baseline, ASR ≤ ${pct(MATRIX_GOAL.maxAsr)}). ` +
      'FedAvg runs without quarantine; every other rule with reputation quarantine.',
    '',
    recommendedSummary(matrix.recommended),
    '',
    `| attack | ${header.join(' | ')} |`,
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
