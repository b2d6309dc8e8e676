import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBitFlips } from '../../../src/attacks/bit-flip.js';
import { saveModel } from '../../../src/models/persistence.js';
import { runCli } from '../../cli/run-cli.js';
import { seededModel } from './diff-helpers.js';
import { tempDir } from './helpers.js';

const dir = tempDir();

const run = (...argv: string[]) => runCli(argv);

describe('antidote diff', () => {
  const clean = seededModel(3);
  const attack = randomBitFlips(clean, { count: 4, bits: 'exponent', seed: 3 });
  saveModel(join(dir, 'clean'), clean);
  saveModel(join(dir, 'same'), clean);
  saveModel(join(dir, 'flipped'), attack.output);

  it('exit 0 and "identical" for the same weights', async () => {
    const result = await run('diff', join(dir, 'clean'), join(dir, 'same'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/identical: 4 tensors/);
  });

  it('exit 1 with the changed tensors in text, JSON and Markdown', async () => {
    const text = await run('diff', join(dir, 'clean'), join(dir, 'flipped'));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(
      /DIFFERENT: 4 of \d+ elements changed .*looks like: bit-flip; bits flipped: 0 sign, 4 exponent, 0 mantissa/,
    );
    const json = await run('diff', join(dir, 'clean'), join(dir, 'flipped'), '--format', 'json');
    const parsed = JSON.parse(json.stdout);
    expect(parsed.summary.changedElements).toBe(4);
    expect(parsed.tensors.flatMap((t: { elements: unknown[] }) => t.elements).length).toBe(4);
    const md = await run(
      'diff',
      join(dir, 'clean'),
      join(dir, 'flipped'),
      '--format',
      'md',
      '--output',
      join(dir, 'diff.md'),
    );
    expect(md).toMatchObject({ code: 1, stdout: '' });
    expect(readFileSync(join(dir, 'diff.md'), 'utf8')).toMatch(
      /^## Weight diff[\s\S]*\| tensor \| status \|/,
    );
  });

  it('exit 2 with one located line for a missing model or a bad option', async () => {
    const missing = await run('diff', join(dir, 'clean'), join(dir, 'nope.safetensors'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^antidote: .*nope\.safetensors: no such file\n$/);
    expect((await run('diff', join(dir, 'clean'), join(dir, 'same'), '--format', 'html')).code).toBe(2);
  });
});
