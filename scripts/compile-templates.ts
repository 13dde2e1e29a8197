/**
 * Compiles templates/<name>.mjml into templates/compiled/<name>.html, ahead of
 * run time: mjml2html costs milliseconds per call and pulls a large dependency
 * tree into every Lambda, while filling a compiled template costs microseconds.
 * The output is committed; test/unit/templates.test.ts fails when it is stale.
 *
 * Usage: npm run build:templates
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import mjml2html from 'mjml';

export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));
export const COMPILED_DIR = join(TEMPLATES_DIR, 'compiled');

/** Template names: every top-level .mjml file (partials live in templates/partials). */
export async function templateSources(): Promise<string[]> {
  const files = await readdir(TEMPLATES_DIR);
  return files
    .filter((f) => f.endsWith('.mjml'))
    .map((f) => f.slice(0, -'.mjml'.length))
    .sort();
}

export async function compileTemplate(name: string): Promise<string> {
  const file = join(TEMPLATES_DIR, `${name}.mjml`);
  const source = await readFile(file, 'utf8');
  // mjml 5 ignores mj-include unless told otherwise; 'strict' throws on any
  // validation error instead of quietly rendering a broken email.
  const result = await mjml2html(source, {
    filePath: file,
    ignoreIncludes: false,
    includePath: TEMPLATES_DIR,
    validationLevel: 'strict',
    keepComments: false,
  });
  if (result.errors.length > 0) {
    throw new Error(`${name}.mjml: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  }
  if (result.html.includes('mj-include')) {
    throw new Error(`${name}.mjml: an mj-include could not be resolved`);
  }
  return `${result.html.trimEnd()}\n`;
}

export async function compileAll(): Promise<string[]> {
  await mkdir(COMPILED_DIR, { recursive: true });
  const names = await templateSources();
  for (const name of names) {
    const html = await compileTemplate(name);
    const target = join(COMPILED_DIR, `${name}.html`);
    await writeFile(`${target}.tmp`, html);
    await rename(`${target}.tmp`, target);
  }
  return names;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = await compileAll();
  console.log(`Compiled ${names.length} templates: ${names.join(', ')}`);
}
