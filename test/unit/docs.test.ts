/**
 * The user's docs stand alone and the code links reach them: docs/codes.md documents every code (anchor,
 * title, default severity, section), no doc links to a file that is not in the repository, the .vsix ships
 * the pages a code link opens, and the server's codeDescription.href opens the bundled page at the code.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CODES, type Code } from '../../server/src/common/diagnostic';
import { codeLinks, findCodesPage, sectionLines } from '../../server/src/lsp/code-links';
import { TestClient } from './helpers/lsp-client';

const root = resolve(__dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const codesPage = read('docs/codes.md');

test('docs/codes.md has a table row with an anchor, the default severity and a section for every code', () => {
  const sections = sectionLines(codesPage);
  const lines = codesPage.split('\n');
  for (const [code, { severity, title }] of Object.entries(CODES)) {
    const row = lines.find((l) => l.startsWith(`| <a id="${code.toLowerCase()}"></a>${code} |`));
    assert.ok(row, `${code}: no table row with its anchor`);
    assert.equal(row.split('|')[2].trim(), severity, `${code}: default severity in the table`);
    assert.equal(row.split('|')[3].trim(), title, `${code}: title in the table`);
    const at = sections.get(code);
    assert.ok(at, `${code}: no "## ${code}: …" section`);
    assert.equal(lines[at - 1], `## ${code}: ${title}`);
  }
  assert.deepEqual([...sections.keys()].filter((c) => !(c in CODES)), [], 'sections for codes the server does not have');
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchors(markdown: string): Set<string> {
  const ids = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) ids.add(m[1].trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  for (const m of markdown.matchAll(/<a id="([^"]+)"/g)) ids.add(m[1]);
  return ids;
}

test('every relative link of README.md and docs/*.md leads to a file (and heading) of the repository', () => {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages) {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue; // https:, command:, mailto:
      const [file, anchor] = target.split('#');
      const path = file ? join(dirname(join(root, page)), file) : join(root, page);
      if (!existsSync(path)) broken.push(`${page}: ${target} (no such file)`);
      else if (anchor && path.endsWith('.md') && !anchors(readFileSync(path, 'utf8')).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});

test('docs/language.md stands alone: no pointer to the team contract, every statement keyword explained', () => {
  const language = read('docs/language.md');
  assert.doesNotMatch(language, /spec\/mtype\.md/);
  for (const keyword of ['machine', 'extends', 'qemu', 'host-kernel', 'host-kernel provides', 'accel', 'cpu', 'cpuid', 'cpuid for', 'migrate', 'follows-host', 'tsc-frequency', 'alias', 'deprecated', 'description', 'compat', 'mtype-ignore']) {
    assert.ok(language.includes('`' + keyword), `language.md never shows \`${keyword}\``);
  }
  for (const code of Object.keys(CODES)) assert.ok(language.includes(code), `language.md does not mention ${code}`);
});

test('the .vsix allow-list ships the codes page and the page it links to', () => {
  const allowed = read('.vscodeignore').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  assert.ok(allowed.includes('docs/codes.md'), '.vscodeignore does not ship docs/codes.md');
  for (const m of codesPage.matchAll(/\]\(([\w.-]+\.md)/g)) assert.ok(allowed.includes(`docs/${m[1]}`), `codes.md links to ${m[1]}, which the .vsix lacks`);
});

test('code links: file: URI of the page, #L at the code\'s section; none without a page', () => {
  const page = join(root, 'docs/codes.md');
  assert.equal(findCodesPage(join(root, 'server/out')), page);
  const links = codeLinks(page);
  const href = links('MT300')!;
  assert.match(href, /^file:\/\/\/.*\/docs\/codes\.md#L\d+$/);
  const [file, line] = href.split('#L');
  assert.equal(codesPage.split('\n')[Number(line) - 1], `## MT300: ${CODES.MT300.title}`);
  assert.equal(fileURLToPath(file), page);

  const empty = mkdtempSync(join(tmpdir(), 'mtype-links-'));
  after(() => rmSync(empty, { recursive: true, force: true }));
  assert.equal(findCodesPage(join(empty, 'a/b'), 2), undefined);
  assert.equal(codeLinks(undefined)('MT300'), undefined);
  writeFileSync(join(empty, 'codes.md'), '# no sections\n');
  assert.equal(codeLinks(join(empty, 'codes.md'))('MT300'), pathToFileURL(join(empty, 'codes.md')).href, 'a page without the section: the page itself');
});

test('the server\'s diagnostics link every code to its section of the bundled codes page', async () => {
  const client = new TestClient();
  after(() => client.stop());
  await client.initialize(undefined, { textDocument: { publishDiagnostics: { codeDescriptionSupport: true } } });
  const uri = 'untitled:links.mtype';
  client.open(uri, 'machine m {\n  qemu 2.2\n  host-kernel >= 3.2\n  cpuid +kvm-pv-eoi +avx2\n  bogus\n}\n');
  const diagnostics = (await client.diagnostics(uri, (d) => d.length >= 3)) as Array<{ code: Code; codeDescription?: { href: string } }>;
  const lines = codesPage.split('\n');
  for (const d of diagnostics) {
    const href = d.codeDescription?.href;
    assert.ok(href, `${d.code} has no code link`);
    const [file, line] = href.split('#L');
    assert.equal(fileURLToPath(file), join(root, 'docs/codes.md'));
    assert.equal(lines[Number(line) - 1], `## ${d.code}: ${CODES[d.code].title}`);
    assert.ok(href.length < 200, `href of ${href.length} characters`);
  }
});

/** The JSON blocks of one `### \`method\`` section of docs/editors.md, with the `…` lines of shortened answers dropped. */
function requestExamples(markdown: string): Map<string, unknown[]> {
  const sections = new Map<string, unknown[]>();
  for (const part of markdown.split(/^### /m).slice(1)) {
    const method = /^`([\w/]+)`/.exec(part)?.[1];
    if (!method) continue;
    const blocks = [...part.matchAll(/```json\n([\s\S]*?)```/g)].map((m) =>
      JSON.parse(m[1].replace(/^\s*…\s*\n/gm, '').replace(/,(\s*[\]}])/g, '$1')),
    );
    sections.set(method, blocks);
  }
  return sections;
}

/** The shape of a JSON value: object keys (of every element, for arrays) down to the primitive types. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) {
    const merged: Record<string, unknown> = {};
    for (const v of value) if (v && typeof v === 'object') Object.assign(merged, v);
    return value.length && Object.keys(merged).length ? [shape(merged)] : value.length ? [typeof value[0]] : [];
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shape(v)]));
  return value === null ? 'null' : typeof value;
}

test('docs/editors.md: every custom request is documented, and its example answer is the server\'s', async () => {
  const examples = requestExamples(read('docs/editors.md'));
  assert.deepEqual([...examples.keys()].sort(), ['mtype/compare', 'mtype/explain', 'mtype/machines', 'mtype/status']);
  const dir = mkdtempSync(join(tmpdir(), 'mtype-editors-'));
  for (const f of readdirSync(join(root, 'test/neovim/fixtures'))) writeFileSync(join(dir, f), read(`test/neovim/fixtures/${f}`));
  const client = new TestClient();
  after(async () => {
    await client.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  await client.initialize(dir);
  const here = (json: unknown) => JSON.parse(JSON.stringify(json).replaceAll('file:///tmp/fixtures/', pathToFileURL(dir).href + '/'));
  for (const [method, blocks] of examples) {
    const [params, result] = blocks.length === 1 ? [{}, blocks[0]] : blocks; // "Params: none"
    const real = await client.request(method, here(params));
    if (method === 'mtype/explain' || method === 'mtype/compare') assert.deepEqual(real, result, `${method}: the documented answer`);
    else assert.deepEqual(shape(real), shape(here(result)), `${method}: the documented shape`);
  }
});
