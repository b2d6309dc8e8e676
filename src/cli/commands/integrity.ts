import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  CURVES,
  type Curve,
  DEFAULT_SHARD_SIZE,
  DEFAULT_SIGNATURE_FILE,
  generateKeyPair,
  readPrivateKeyFile,
  readPublicKeyFile,
  type SerializationMethod,
  signModel,
  type VerifyResult,
  verifyModel,
  writeKeyPair,
} from '../../defenses/integrity/index.js';
import { InputError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import type { OutputFormat } from '../io.js';
import { parseChoice, parseInteger } from '../options.js';

interface KeygenOptions {
  out: string;
  curve: Curve;
}

interface SignOptions {
  key: string;
  signature: string;
  ignorePaths?: string[];
  ignoreGitPaths: boolean;
  serialization: SerializationMethod;
  shardSize: number;
  allowSymlinks?: boolean;
}

interface VerifyOptions {
  signature: string;
  publicKey: string;
  ignorePaths?: string[];
  ignoreGitPaths: boolean;
  format: OutputFormat;
}

const IGNORE_PATHS_HELP =
  'paths to leave out, relative to the model folder (a folder leaves out its contents)';
const GIT_PATHS_HELP = 'include .git, .gitattributes, .github and .gitignore (left out by default)';

/** `antidote keygen`, `sign` and `verify`: key-based model signatures in the OpenSSF model signing format. */
export function registerIntegrityCommands(program: Command, ctx: CommandContext): void {
  program
    .command('keygen')
    .description(
      'create an EC key pair for signing models: PREFIX.pem (private, mode 0600) and PREFIX.pub.pem',
    )
    .requiredOption('--out <prefix>', 'path prefix of the two key files (never overwritten)')
    .option('--curve <curve>', `elliptic curve: ${CURVES.join(', ')}`, parseChoice(CURVES), 'p256')
    .action((options: KeygenOptions) => {
      const { privateKeyPath, publicKeyPath } = writeKeyPair(options.out, generateKeyPair(options.curve));
      ctx.io.stderr.write(
        `wrote ${privateKeyPath} (private key, mode 0600: keep it secret) and ${publicKeyPath}\n`,
      );
    });

  program
    .command('sign')
    .description('sign a model file or folder (OpenSSF model signing v1.0, key-based Sigstore bundle)')
    .argument('<path>', 'model file or folder')
    .requiredOption('--key <file>', 'EC private key (PEM), readable by its owner only')
    .option('--signature <file>', 'signature file to write ("-" for stdout)', DEFAULT_SIGNATURE_FILE)
    .option('--ignore-paths <paths...>', IGNORE_PATHS_HELP)
    .option('--no-ignore-git-paths', GIT_PATHS_HELP)
    .option(
      '--serialization <method>',
      'files: one SHA-256 per file; shards: one per shard, hashed on all cores',
      parseChoice(['files', 'shards'] as const),
      'files',
    )
    .option(
      '--shard-size <bytes>',
      'shard size for --serialization shards',
      parseInteger(1),
      DEFAULT_SHARD_SIZE,
    )
    .option('--allow-symlinks', 'follow symbolic links that stay inside the model folder')
    .action(async (path: string, options: SignOptions) => {
      const toStdout = options.signature === '-';
      const bundle = await signModel(path, {
        privateKey: readPrivateKeyFile(options.key),
        ignorePaths: options.ignorePaths,
        ignoreGitPaths: options.ignoreGitPaths,
        signaturePath: toStdout ? undefined : options.signature,
        serialization: options.serialization,
        shardSize: options.shardSize,
        allowSymlinks: options.allowSymlinks ?? false,
      });
      const text = JSON.stringify(bundle);
      if (toStdout) ctx.emit(text);
      else {
        writeSignature(options.signature, text);
        ctx.io.stderr.write(`signed ${path}: wrote ${options.signature}\n`);
      }
    });

  program
    .command('verify')
    .description('verify a model file or folder against its signature; exit 1 when it does not match')
    .argument('<path>', 'model file or folder')
    .requiredOption('--signature <file>', 'signature file (Sigstore bundle)')
    .requiredOption('--public-key <file>', 'public key (PEM or DER) of the signer')
    .option('--ignore-paths <paths...>', IGNORE_PATHS_HELP)
    .option('--no-ignore-git-paths', GIT_PATHS_HELP)
    .option('--format <format>', 'text or json', parseChoice(['text', 'json'] as const), 'text')
    .action(async (path: string, options: VerifyOptions) => {
      const publicKey = readPublicKeyFile(options.publicKey);
      const result = await verifyModel(path, readSignature(options.signature), publicKey, {
        ignorePaths: options.ignorePaths,
        ignoreGitPaths: options.ignoreGitPaths,
        signaturePath: options.signature,
      });
      ctx.emit(
        options.format === 'json' ? verifyJson(path, options.signature, result) : verifyText(path, result),
      );
      if (!result.ok) ctx.setExitCode(1);
    });
}

function readSignature(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read the signature: ${(error as Error).message}`, { file: path });
  }
}

function writeSignature(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`cannot write the signature: ${(error as Error).message}`, { file: path });
  }
}

function verifyText(path: string, result: VerifyResult): string {
  if (!result.ok) {
    return [`FAILED: ${path} does not match its signature`, ...result.problems.map((p) => `  - ${p}`)].join(
      '\n',
    );
  }
  const { serialization, resources, modelName } = result.manifest;
  const unit = serialization.method === 'files' ? 'file' : 'shard';
  const count = `${resources.length} ${unit}${resources.length === 1 ? '' : 's'}`;
  return `OK: ${path} matches its signature (${count}, signed as "${modelName}")`;
}

function verifyJson(path: string, signature: string, result: VerifyResult): string {
  if (!result.ok) return JSON.stringify({ ok: false, path, signature, problems: result.problems }, null, 2);
  const [subject] = result.statement.subject;
  return JSON.stringify(
    {
      ok: true,
      path,
      signature,
      subject: { name: subject.name, sha256: subject.digest.sha256 },
      serialization: result.statement.predicate.serialization,
      resources: result.manifest.resources.length,
    },
    null,
    2,
  );
}
