/**
 * `npm run bench`: runs every benchmark and prints its tables. Pass names to run a subset:
 * `npm run bench -- kernels models`. Results are printed, never asserted.
 */
const suites: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  kernels: () => import('./kernels.js'),
  data: () => import('./data.js'),
  models: () => import('./models.js'),
  aggregators: () => import('./aggregators.js'),
  federated: () => import('./federated.js'),
  attacks: () => import('./attacks.js'),
  detect: () => import('./detect.js'),
  scan: () => import('./scan.js'),
  registry: () => import('./registry.js'),
  hashing: () => import('./hashing.js'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`bench: unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(suites)) {
  const suite = await suites[name]();
  await suite.run();
}
