import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingCli } from '../cli/run-cli.js';
import { tempDir, writeFiles } from './helpers.js';

const dir = tempDir();
const cli = recordingCli();
const run = (env: NodeJS.ProcessEnv, ...argv: string[]) => cli.run(argv, env);

describe('antidote registry', () => {
  it('init, add, list, show, log, impact, verify; exit codes; no private key ever printed', async () => {
    const root = join(dir, 'reg');
    const env = { ANTIDOTE_REGISTRY: root };
    expect((await run(env, 'registry', 'init')).code).toBe(0);
    expect(await run(env, 'registry', 'init')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/already exists/),
    });
    const data = writeFiles(join(dir, 'data'), 1, { 'train.csv': 400 });
    const model = writeFiles(join(dir, 'model'), 2, { 'weights.safetensors': 300 });
    const added = await run(env, 'registry', 'add', 'dataset', data, '--name', 'digits');
    expect(added).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^added digits@1 \(1 files, 400 bytes/),
    });
    expect((await run(env, 'registry', 'add', 'dataset', data, '--name', 'digits')).stdout).toMatch(
      /digits@1 unchanged/,
    );
    const json = await run(
      env,
      'registry',
      'add',
      'model',
      model,
      '--name',
      'clf',
      '--from',
      'digits@1',
      '--format',
      'json',
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'added', name: 'clf', version: 1 });

    expect((await run(env, 'registry', 'list')).stdout).toMatch(
      /clf\s+model\s+1\s+1\n.*digits\s+dataset\s+1\s+1/s,
    );
    expect((await run(env, 'registry', 'show', 'clf')).stdout).toMatch(/made from: digits@1/);
    const log = JSON.parse((await run(env, 'registry', 'log', '--format', 'json')).stdout);
    expect(log.map((e: { action: string }) => e.action)).toEqual(['init', 'add', 'add']);
    const impact = JSON.parse((await run(env, 'registry', 'impact', 'digits@1', '--format', 'json')).stdout);
    expect(impact.affected.map((e: { name: string }) => e.name)).toEqual(['clf']);
    expect((await run(env, 'registry', 'impact', 'clf@1')).stdout).toMatch(/nothing was made from clf@1/);

    expect(await run(env, 'registry', 'verify')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^OK: 3 audit rows, 2 versions/),
    });
    expect(await run(env, 'registry', 'check', 'clf@1', model)).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^OK/),
    });
    writeFileSync(join(model, 'weights.safetensors'), 'swapped');
    const changed = await run(env, 'registry', 'check', 'clf', model);
    expect(changed).toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/changed file: weights\.safetensors/),
    });
    // --registry wins over the environment
    expect((await run({}, 'registry', 'list', '--registry', root)).stdout).toMatch(/digits/);

    const blob = JSON.parse((await run(env, 'registry', 'show', 'digits@1', '--format', 'json')).stdout)
      .files[0].sha256;
    writeFileSync(join(root, 'blobs', 'sha256', blob), 'poisoned');
    const failed = await run(env, 'registry', 'verify');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`FAILED`);
    expect(failed.stdout).toContain(`blob ${blob}: its content does not match its digest`);

    chmodSync(join(root, 'keys', 'registry.pem'), 0o640);
    const refused = await run(env, 'registry', 'add', 'model', model, '--name', 'other');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^antidote: .*registry\.pem: private key is readable by group or others/);
    expect(cli.printed()).not.toMatch(/PRIVATE KEY/);
  });

  it('usage and input errors exit 2 with one line', async () => {
    const env = { ANTIDOTE_REGISTRY: join(dir, 'none') };
    expect(await run(env, 'registry', 'list')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no registry here/),
    });
    expect((await run(env, 'registry', 'add', 'blob', dir, '--name', 'x')).code).toBe(2);
    expect((await run(env, 'registry', 'impact', 'digits')).stderr).toMatch(/needs a version/);
  });
});
