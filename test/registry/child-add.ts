// A separate writer process for the concurrency and crash tests:
//   child-add.ts REGISTRY WORK_DIR TAG COUNT   adds COUNT versions of "shared" and of "own-TAG"
//   child-add.ts REGISTRY FILE                 adds one big file as model "big"
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from '../../src/registry/registry.js';

const [root, work, tag, count] = process.argv.slice(2);
const registry = Registry.open(root);
if (tag === undefined) registry.add({ kind: 'model', path: work, name: 'big' });
else {
  for (let i = 0; i < Number(count); i++) {
    for (const name of ['shared', `own-${tag}`]) {
      const folder = join(work, `${name}-${tag}-${i}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'data.txt'), `${name} from writer ${tag}, version ${i}\n`);
      registry.add({ kind: 'dataset', path: folder, name });
    }
  }
}
registry.close();
