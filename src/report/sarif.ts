/**
 * SARIF 2.1.0 (OASIS), for code-scanning dashboards: one run, tool.driver.rules from the findings' rule ids,
 * one result per finding with its level from the severity and a location in the data file (with the
 * sample's line where known), and the inputs as artifacts with their SHA-256.
 */
import { describeRule } from './rules.js';
import type { Finding, Report, Severity } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVELS: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

export function renderSarif(report: Report): string {
  const ruleIds = [...new Set(report.findings.map((f) => f.ruleId))];
  const ruleIndex = new Map(ruleIds.map((id, i) => [id, i]));
  const dataUri = report.subjects.find((s) => s.role === 'data')?.name ?? report.subjects[0]?.name;
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: ruleIds.map((id) => ({
              id,
              name: id.replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase()),
              shortDescription: { text: describeRule(id) },
              defaultConfiguration: { level: LEVELS[worstSeverity(report.findings, id)] },
            })),
          },
        },
        automationDetails: { id: `antidote/${report.run.id}` },
        invocations: [
          {
            executionSuccessful: true,
            commandLine: report.run.command,
            startTimeUtc: report.run.startedAt,
          },
        ],
        artifacts: report.subjects.map((s) => ({
          location: { uri: toUri(s.name) },
          hashes: { 'sha-256': s.sha256 },
          ...(s.role === undefined
            ? {}
            : { roles: [s.role === 'data' ? 'analysisTarget' : 'referencedOnCommandLine'] }),
        })),
        results: report.findings.map((f) => result(f, ruleIndex.get(f.ruleId)!, dataUri)),
        properties: { verdict: report.verdict, metrics: report.metrics, seed: report.run.seed },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

function result(f: Finding, ruleIndex: number, dataUri: string | undefined) {
  const uri = f.target.uri ?? dataUri;
  const physicalLocation =
    uri === undefined
      ? undefined
      : {
          artifactLocation: { uri: toUri(uri) },
          ...(f.target.line === undefined ? {} : { region: { startLine: f.target.line } }),
        };
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVELS[f.severity],
    message: { text: f.message },
    ...(physicalLocation === undefined
      ? {}
      : {
          locations: [
            {
              physicalLocation,
              logicalLocations: [{ name: `${f.target.kind} ${f.target.id}`, kind: f.target.kind }],
            },
          ],
        }),
    properties: { severity: f.severity, score: f.score, target: f.target },
  };
}

function worstSeverity(findings: readonly Finding[], ruleId: string): Severity {
  const order: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  return order.find((s) => findings.some((f) => f.ruleId === ruleId && f.severity === s)) ?? 'info';
}

/**
 * A relative path stays relative (code scanning resolves it against the repository), an absolute one
 * becomes a file: URI; each segment percent-encoded.
 */
function toUri(path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return path.startsWith('/') ? `file://${encoded}` : encoded;
}
