import type { Command } from 'commander';
import { readPublicKeyFile } from '../../defenses/integrity/keys.js';
import {
  ARTIFACT_KINDS,
  type ArtifactKind,
  checkFiles,
  formatRef,
  initRegistry,
  parseRef,
  Registry,
  registryDir,
  verifyRegistry,
} from '../../registry/index.js';
import type { CommandContext } from '../context.js';
import { parseChoice, parseInteger } from '../options.js';
import { json, table } from '../render.js';

type Format = 'text' | 'json';
const FORMATS: readonly Format[] = ['text', 'json'];

interface RegistryCliOptions {
  registry?: string;
  format: Format;
}

interface AddCliOptions extends RegistryCliOptions {
  name: string;
  from?: string[];
  allowSymlinks?: boolean;
}

/** `antidote registry init|add|list|show|log|verify|check|impact`: versioned datasets and models with provenance. */
export function registerRegistryCommands(program: Command, ctx: CommandContext): void {
  const registry = program
    .command('registry')
    .description('versioned datasets and models, their provenance and a signed, hash-chained audit log');
  const withOptions = (command: Command): Command =>
    command
      .option('--registry <dir>', 'registry folder (default: $ANTIDOTE_REGISTRY, else .antidote)')
      .option('--format <format>', 'text or json', parseChoice(FORMATS), 'text');
  const open = <T>(options: RegistryCliOptions, use: (r: Registry) => T): T => {
    const r = Registry.open(registryDir(options.registry, ctx.io.env));
    try {
      return use(r);
    } finally {
      r.close();
    }
  };

  withOptions(registry.command('init').description('create a registry and its audit-log signing key')).action(
    (options: RegistryCliOptions) => {
      const layout = initRegistry(registryDir(options.registry, ctx.io.env));
      ctx.io.stderr.write(
        `created registry ${layout.root} (signing key ${layout.privateKey}, mode 0600: keep it secret)\n`,
      );
    },
  );

  withOptions(
    registry
      .command('add')
      .description('register a new version of a dataset or model (a file or a folder)')
      .argument('<kind>', 'dataset or model', parseChoice(ARTIFACT_KINDS))
      .argument('<path>', 'file or folder')
      .requiredOption('--name <name>', 'artifact name')
      .option('--from <refs...>', 'the versions it was made from, as NAME@VERSION')
      .option('--allow-symlinks', 'follow symbolic links that stay inside the folder'),
  ).action((kind: ArtifactKind, path: string, options: AddCliOptions) => {
    const from = (options.from ?? []).map((ref) => parseRef(ref, true));
    const result = open(options, (r) =>
      r.add({ kind, path, name: options.name, from, allowSymlinks: options.allowSymlinks }),
    );
    const ref = formatRef(result.name, result.version);
    if (options.format === 'json') ctx.emit(json(result));
    else if (result.status === 'unchanged') ctx.emit(`${ref} unchanged: identical to the latest version`);
    else
      ctx.emit(
        `added ${ref} (${result.files} files, ${result.bytes} bytes, manifest ${result.manifestDigest})`,
      );
  });

  withOptions(registry.command('list').description('every name with its kind and latest version')).action(
    (options: RegistryCliOptions) => {
      const rows = open(options, (r) => r.list());
      if (options.format === 'json') return ctx.emit(json(rows));
      if (rows.length === 0) return ctx.emit('the registry is empty');
      ctx.emit(
        table([
          ['name', 'kind', 'latest', 'versions'],
          ...rows.map((a) => [a.name, a.kind, a.latest, a.versions]),
        ]),
      );
    },
  );

  withOptions(
    registry
      .command('show')
      .description('one version: files, digests, inputs, what was made from it, provenance')
      .argument('<ref>', 'NAME or NAME@VERSION (default: the latest)'),
  ).action((ref: string, options: RegistryCliOptions) => {
    const details = open(options, (r) => r.show(parseRef(ref)));
    if (options.format === 'json') return ctx.emit(json(details));
    ctx.emit(
      [
        `${formatRef(details.name, details.version)} (${details.kind}), added ${details.createdAt}`,
        `manifest sha256:${details.manifestDigest}`,
        `provenance sha256:${details.provenanceDigest}`,
        `made from: ${details.inputs.join(', ') || '-'}`,
        `used by: ${details.usedBy.join(', ') || '-'}`,
        '',
        table([['file', 'bytes', 'sha256'], ...details.files.map((f) => [f.path, f.size, f.sha256])]),
      ].join('\n'),
    );
  });

  withOptions(
    registry
      .command('log')
      .description('the audit log, oldest first')
      .option('--limit <n>', 'only the newest n rows', parseInteger(1)),
  ).action((options: RegistryCliOptions & { limit?: number }) => {
    const entries = open(options, (r) => r.log(options.limit));
    if (options.format === 'json') return ctx.emit(json(entries));
    ctx.emit(
      table([
        ['seq', 'at', 'actor', 'action', 'subject', 'hash'],
        ...entries.map((e) => [e.seq, e.at, e.actor, e.action, e.subject, e.hash.slice(0, 16)]),
      ]),
    );
  });

  withOptions(
    registry
      .command('verify')
      .description('check the audit log chain and signature, every version and every blob; exit 1 on failure')
      .option('--public-key <file>', 'verify the log with this public key instead of the registry copy'),
  ).action((options: RegistryCliOptions & { publicKey?: string }) => {
    const key = options.publicKey === undefined ? undefined : readPublicKeyFile(options.publicKey);
    const result = open(options, (r) => verifyRegistry(r, key));
    if (!result.ok) ctx.setExitCode(1);
    if (options.format === 'json') return ctx.emit(json(result));
    const { auditRows, versions, blobs } = result.checked;
    const counts = `${auditRows} audit rows, ${versions} versions, ${blobs} blobs`;
    const notes = [
      result.unreferencedBlobs > 0 ? `${result.unreferencedBlobs} unreferenced blobs` : '',
      result.leftoverTempFiles > 0
        ? `${result.leftoverTempFiles} temporary files left by an interrupted write`
        : '',
    ].filter((n) => n !== '');
    ctx.emit(
      result.ok
        ? `OK: ${counts}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`
        : [`FAILED: ${counts}`, ...result.problems.map((p) => `  - ${p}`)].join('\n'),
    );
  });

  withOptions(
    registry
      .command('check')
      .description('check that a file or folder holds exactly a registered version; exit 1 when it does not')
      .argument('<ref>', 'NAME or NAME@VERSION (default: the latest)')
      .argument('<path>', 'file or folder')
      .option('--allow-symlinks', 'follow symbolic links that stay inside the folder'),
  ).action(async (ref: string, path: string, options: RegistryCliOptions & { allowSymlinks?: boolean }) => {
    const r = Registry.open(registryDir(options.registry, ctx.io.env));
    let result: Awaited<ReturnType<typeof checkFiles>>;
    try {
      result = await checkFiles(r, parseRef(ref), path, { allowSymlinks: options.allowSymlinks });
    } finally {
      r.close();
    }
    if (!result.ok) ctx.setExitCode(1);
    if (options.format === 'json') return ctx.emit(json(result));
    ctx.emit(
      result.ok
        ? `OK: ${path} holds exactly ${result.ref}`
        : [`FAILED: ${path} differs from ${result.ref}`, ...result.problems.map((p) => `  - ${p}`)].join(
            '\n',
          ),
    );
  });

  withOptions(
    registry
      .command('impact')
      .description('every version made from NAME@VERSION, directly or transitively (its blast radius)')
      .argument('<ref>', 'NAME@VERSION'),
  ).action((ref: string, options: RegistryCliOptions) => {
    const parsed = parseRef(ref, true);
    const entries = open(options, (r) => r.impact(parsed));
    if (options.format === 'json') return ctx.emit(json({ source: ref, affected: entries }));
    if (entries.length === 0) return ctx.emit(`nothing was made from ${ref}`);
    const models = entries.filter((e) => e.kind === 'model').length;
    ctx.emit(
      [
        `${entries.length} versions made from ${ref} (${models} models):`,
        table([
          ['version', 'kind', 'depth', 'made from'],
          ...entries.map((e) => [formatRef(e.name, e.version), e.kind, e.depth, e.inputs.join(', ')]),
        ]),
      ].join('\n'),
    );
  });
}
