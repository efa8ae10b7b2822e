// axe-core (the engine behind Lighthouse's and most auditors' checks) with
// the WCAG 2.0, 2.1 and 2.2 A and AA rules: the one audit the end-to-end
// tests run on the app, served statically or by the server.
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const axe = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** The violations on the page as it is now, one line per element (prefixed with `where`). */
export async function audit(page, where) {
  await page.addScriptTag({ content: axe });
  const result = await page.evaluate(async (tags) => await window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
  return result.violations.flatMap((v) => v.nodes.map((n) => `${where}: ${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.html.slice(0, 120)}`));
}
