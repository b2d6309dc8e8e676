import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  collectIgnorePaths,
  isIgnored,
  normalizeIgnorePath,
  normalizeRelativePath,
} from '../../../src/defenses/integrity/ignore-paths.js';
import { listModelFiles } from '../../../src/defenses/integrity/model-files.js';
import { InputError } from '../../../src/errors.js';
import { tempDir, writeSeededModel } from './helpers.js';

const dir = tempDir();
let counter = 0;
function freshModel(seed: number): { root: string; names: string[] } {
  const root = join(dir, `model-${counter++}`);
  mkdirSync(root);
  return { root, names: writeSeededModel(root, seed) };
}

function listingError(root: string, options = {}): InputError {
  try {
    listModelFiles(root, options);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected the listing to fail');
}

describe('listModelFiles', () => {
  for (const seed of [1, 2, 3]) {
    it(`lists every file of a folder by its model-relative POSIX path (seed ${seed})`, () => {
      const { root, names } = freshModel(seed);
      const listed = listModelFiles(root);
      expect(listed.isDirectory).toBe(true);
      expect(listed.files.map((f) => f.name).sort()).toEqual([...names].sort());
      expect(listed.modelName).toBe(root.split('/').pop());
    });
  }

  it('names a single-file model "."', () => {
    const { root } = freshModel(4);
    const listed = listModelFiles(join(root, 'config.json'));
    expect(listed).toMatchObject({ modelName: 'config.json', isDirectory: false, files: [{ name: '.' }] });
  });

  it('refuses a symbolic link unless allowed, naming it', () => {
    const { root } = freshModel(5);
    symlinkSync('config.json', join(root, 'alias.json'));
    const error = listingError(root);
    expect(error.location.file).toBe('alias.json');
    expect(error.problem).toMatch(/symbolic link/);
    expect(listModelFiles(root, { allowSymlinks: true }).files.map((f) => f.name)).toContain('alias.json');
  });

  it('refuses a symbolic link that leaves the model folder even when links are allowed', () => {
    const { root } = freshModel(6);
    writeFileSync(join(dir, 'outside.txt'), 'secret');
    mkdirSync(join(root, 'sub'));
    symlinkSync('../../outside.txt', join(root, 'sub', 'escape'));
    const error = listingError(root, { allowSymlinks: true });
    expect(error.location.file).toBe('sub/escape');
    expect(error.problem).toMatch(/outside the model folder/);
  });

  it('refuses a symbolic link that loops back to a folder above it', () => {
    const { root } = freshModel(7);
    mkdirSync(join(root, 'a'));
    symlinkSync('..', join(root, 'a', 'up'));
    expect(listingError(root, { allowSymlinks: true }).problem).toMatch(/loops back/);
  });

  it('refuses a model path that is itself a symbolic link unless allowed', () => {
    const { root } = freshModel(8);
    const link = join(dir, `link-${counter++}`);
    symlinkSync(root, link);
    expect(listingError(link).problem).toMatch(/model path is a symbolic link/);
    expect(listModelFiles(link, { allowSymlinks: true }).files.length).toBeGreaterThan(0);
  });

  describe('special files', () => {
    let server: Server | undefined;
    afterAll(() => server?.close());
    it('refuses a socket inside the model', async () => {
      const { root } = freshModel(9);
      server = createServer();
      await new Promise<void>((resolve) => server!.listen(join(root, 'control.sock'), resolve));
      const error = listingError(root);
      expect(error.location.file).toBe('control.sock');
      expect(error.problem).toMatch(/not a regular file or a directory/);
    });
  });

  it('skips ignored paths before checking them, so an ignored folder may hold anything', () => {
    const { root } = freshModel(10);
    mkdirSync(join(root, '.git'));
    symlinkSync('/etc/hostname', join(root, '.git', 'HEAD'));
    expect(listModelFiles(root, { ignorePaths: ['.git'] }).files.map((f) => f.name)).not.toContain(
      '.git/HEAD',
    );
    expect(listingError(root).location.file).toBe('.git/HEAD');
  });

  it('reports a model path that does not exist as an InputError naming it', () => {
    const missing = join(dir, 'no-such-model');
    expect(listingError(missing).location.file).toBe(missing);
  });
});

describe('ignore paths', () => {
  it('match whole path components only', () => {
    expect(isIgnored('a/b', ['a'])).toBe(true);
    expect(isIgnored('a', ['a'])).toBe(true);
    expect(isIgnored('ab', ['a'])).toBe(false);
    expect(isIgnored('a/bc', ['a/b'])).toBe(false);
  });

  it('normalise relative paths and reject ones that leave the model', () => {
    expect(normalizeRelativePath('./a//b/')).toBe('a/b');
    for (const bad of ['', '.', '/etc', '../x', 'a/../../x', 'a/..'])
      expect(normalizeRelativePath(bad)).toBeNull();
  });

  it('take user paths relative to the model folder, or absolute inside it; refuse "..", naming the path', () => {
    const model = join(dir, 'm');
    expect(normalizeIgnorePath('ignore-me', model)).toBe('ignore-me');
    expect(normalizeIgnorePath(join(model, 'sub', 'x'), model)).toBe('sub/x');
    for (const bad of ['../m2/x', join(dir, 'elsewhere'), model]) {
      expect(() => normalizeIgnorePath(bad, model)).toThrow(
        `"${bad}" does not name something inside the model folder`,
      );
    }
  });

  it('leave out git metadata by default and the signature file when it lies in the model folder', () => {
    const model = join(dir, 'm');
    expect(
      collectIgnorePaths(model, { ignorePaths: ['b', 'a'], signaturePath: join(model, 'model.sig') }),
    ).toEqual(['.git', '.gitattributes', '.github', '.gitignore', 'a', 'b', 'model.sig']);
    expect(
      collectIgnorePaths(model, { ignoreGitPaths: false, signaturePath: join(dir, 'model.sig') }),
    ).toEqual([]);
  });
});
