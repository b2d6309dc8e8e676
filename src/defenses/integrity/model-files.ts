/**
 * Which files make up a model, named as the OpenSSF model signing format names them: POSIX paths relative to
 * the model folder, or "." when the model is a single file. The walk fails closed: a symbolic link is refused
 * unless allowed, and even then one that resolves outside the model folder is refused; anything that is not
 * a regular file or a directory (socket, FIFO, device) is refused. Ignored paths are skipped before any
 * check, as the reference does, so an ignored `.git` folder may hold anything.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../../errors.js';
import { isIgnored } from './ignore-paths.js';

export interface ModelFile {
  /** Name in the manifest: a POSIX path relative to the model folder, or "." for a single-file model. */
  name: string;
  path: string;
  size: number;
}

export interface ModelFiles {
  /** The model's name in a signature: the last component of its path. */
  modelName: string;
  isDirectory: boolean;
  files: ModelFile[];
}

export interface ListOptions {
  /** Model-relative POSIX paths (see ignore-paths.ts); an ignored folder's contents are ignored too. */
  ignorePaths?: readonly string[];
  allowSymlinks?: boolean;
}

/** Lists a model's files; problems with the model's contents are InputErrors naming the file. */
export function listModelFiles(modelPath: string, options: ListOptions = {}): ModelFiles {
  const root = resolve(modelPath);
  const allowSymlinks = options.allowSymlinks ?? false;
  if (readFs(modelPath, () => lstatSync(root)).isSymbolicLink() && !allowSymlinks) {
    throw new InputError('the model path is a symbolic link; symbolic links are refused unless allowed', {
      file: modelPath,
    });
  }
  const realRoot = readFs(modelPath, () => realpathSync(root));
  const stats = readFs(modelPath, () => statSync(realRoot));
  const modelName = basename(root);
  if (stats.isFile())
    return { modelName, isDirectory: false, files: [{ name: '.', path: root, size: stats.size }] };
  if (!stats.isDirectory()) throw new InputError('not a regular file or a directory', { file: modelPath });

  const ignored = options.ignorePaths ?? [];
  const files: ModelFile[] = [];
  const walk = (dir: string, prefix: string, ancestors: readonly string[]): void => {
    for (const entry of readFs(prefix === '' ? modelPath : prefix, () => readdirSync(dir))) {
      const name = prefix === '' ? entry : `${prefix}/${entry}`;
      if (isIgnored(name, ignored)) continue;
      const path = join(dir, entry);
      let entryStats = readFs(name, () => lstatSync(path));
      if (entryStats.isSymbolicLink()) {
        if (!allowSymlinks) {
          throw new InputError('is a symbolic link; symbolic links are refused unless allowed', {
            file: name,
          });
        }
        const target = readFs(name, () => realpathSync(path));
        if (!isWithin(target, realRoot)) {
          throw new InputError('symbolic link points outside the model folder', { file: name });
        }
        if (ancestors.includes(target)) {
          throw new InputError('symbolic link loops back to a folder that contains it', { file: name });
        }
        entryStats = readFs(name, () => statSync(target));
      }
      if (entryStats.isDirectory()) walk(path, name, [...ancestors, readFs(name, () => realpathSync(path))]);
      else if (entryStats.isFile()) files.push({ name, path, size: entryStats.size });
      else throw new InputError('not a regular file or a directory', { file: name });
    }
  };
  walk(root, '', [realRoot]);
  return { modelName, isDirectory: true, files };
}

/** True for `root` itself and anything below it. */
function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Runs a file-system call, turning its failure (missing, unreadable) into an InputError naming `name`. */
function readFs<T>(name: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new InputError(`cannot read: ${(error as Error).message}`, { file: name });
  }
}
