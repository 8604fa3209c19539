// Prints the console's first-load size: the JS and CSS that index.html loads, gzipped, and fails
// the build above the budget (250 KB of JS).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET_JS = 250 * 1024;
const dist = fileURLToPath(new URL('../apps/console/dist/', import.meta.url));
const html = readFileSync(`${dist}index.html`, 'utf8');
const assets = [...html.matchAll(/(?:src|href)="\/console\/([^"]+\.(?:js|css))"/g)].map(
  (m) => m[1],
);
let js = 0;
let css = 0;
for (const asset of assets) {
  const size = gzipSync(readFileSync(dist + asset), { level: 9 }).length;
  if (asset.endsWith('.js')) js += size;
  else css += size;
}
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`console first load (gzipped): JS ${kb(js)} of ${kb(BUDGET_JS)}, CSS ${kb(css)}`);
if (js === 0 || js > BUDGET_JS) {
  console.error(
    js === 0 ? 'console: index.html loads no script' : 'console: first-load JS over budget',
  );
  process.exit(1);
}
