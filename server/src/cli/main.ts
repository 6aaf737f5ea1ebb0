/**
 * The `mtype` command line (spec §6): check, explain, kb. One engine with the
 * language server; this file only reads arguments and files and prints.
 * Exit status: 0 no errors, 1 errors (or an unknown kb name), 2 could not run.
 */
import { isCode, type Diagnostic, type SeverityOverrides, type SeveritySetting } from '../common/diagnostic';
import { getKnowledgeBase } from '../kb/knowledge-base';
import { Workspace } from '../model/workspace';
import { analyseDocument } from '../checks/index';
import { explainMachine, explanationText } from '../services/explain';
import { explanationQemu } from '../services/explain-qemu';
import { libvirtXml } from '../interop/libvirt';
import { allRecordsJson, lookupRecord, suggestRecord } from '../services/kb-records';
import { suggest } from '../common/suggest';
import { isVersion } from '../common/version';
import { parseArgs, single } from './args';
import { MAX_FILE_BYTES, UsageError, collectFiles, readText } from './files';
import { toSarif } from './sarif';
import { formatRecordText } from './kb-text';
import { importToMtype } from '../interop/import';
import { ImportError } from '../interop/imported';
import { readFileSync } from 'node:fs';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.1.0';

const USAGE = `mtype ${VERSION} — checks QEMU/KVM machine-type definitions (.mtype)

Usage:
  mtype check [PATH…] [--format text|json|sarif] [--severity CODE=LEVEL]… [--host-kernel-floor VERSION] [--inherited each|once]
  mtype explain MACHINE [--model MODEL] [PATH…] [--format text|json|qemu|libvirt]
  mtype kb NAME [--format text|json]
  mtype kb --all --format json
  mtype import [FILE|-] [--from qemu|libvirt] [--name NAME] [--qemu VERSION]

PATH is a .mtype file or a folder (every *.mtype below it, skipping node_modules
and dot-folders); the default is the current folder. LEVEL is error, warning,
information, hint or off. --host-kernel-floor sets the oldest host kernel for
machines that state no host-kernel.

Run 'mtype COMMAND --help' for one command's options.
Exit status: 0 no errors, 1 errors found (kb: unknown name), 2 could not run.`;

/** Each command's own --help. */
const COMMAND_USAGE: Record<string, string> = {
  check: `Usage: mtype check [PATH…] [--format text|json|sarif] [--severity CODE=LEVEL]… [--host-kernel-floor VERSION] [--inherited each|once]

Checks .mtype files: PATH is a file or a folder (every *.mtype below it, skipping
node_modules and dot-folders); the default is the current folder.

  --format text    one line a diagnostic, path:line:col: severity MTnnn message (1-based),
                   then an indented '  path:line:col: note: …' line per related location
                   (where an inherited finding comes from), then a summary (default)
  --format json    {"files":[{"path","diagnostics":[{"code","severity","message","range",
                   "related":[{"path","range","message"}]}]}],"summary":{…}};
                   ranges are 0-based LSP positions (line, character)
  --format sarif   SARIF 2.1.0; artifact URIs relative to the working directory
                   (uriBaseId %SRCROOT%), related locations as relatedLocations
  --severity CODE=LEVEL   error, warning, information, hint or off (repeatable)
  --host-kernel-floor VERSION   oldest host kernel for machines that state no host-kernel
  --inherited each   a finding a machine inherits is reported on every machine it
                     affects, so the counts are per machine type (default)
  --inherited once   one finding per cause, on the topmost affected machine of its
                     file; the machines that inherit it follow as note lines

Exit status: 0 no errors, 1 errors found, 2 could not run.`,
  explain: `Usage: mtype explain MACHINE [--model MODEL] [PATH…] [--format text|json|qemu|libvirt]

Prints the resolved machine: QEMU release, host-kernel range, CPU model, every enabled
bit with its CPUID location and where it came from, masked bits, MSRs and whether they
are migrated. PATH as for check (default: the current folder).

  --model MODEL    explain for this CPU model instead of the machine's cpu
  --format text    human-readable (default)
  --format json    the §6 JSON shape
  --format qemu    the -machine / -cpu options the machine's QEMU release accepts
  --format libvirt the libvirt domain XML fragment (<cpu>, <features>, <clock>)

Exit status: 0 explained, 1 no such machine, 2 could not run.`,
  kb: `Usage: mtype kb NAME [--format text|json]
       mtype kb --all --format json

Prints the knowledge-base record of a feature (canonical name or alias), an MSR (name
or hex index) or a CPU model; --all prints every record.

Exit status: 0 found, 1 unknown name (with did-you-mean), 2 could not run.`,
  import: `Usage: mtype import [FILE|-] [--from qemu|libvirt] [--name NAME] [--qemu VERSION]

Reads a QEMU command line (qemu-system-x86_64 -machine pc-q35-7.2 -cpu Skylake-Server,+pcid …,
as text: quotes and \ line continuations are fine) or a libvirt domain XML from FILE, or from
standard input when FILE is - or absent, and prints the .mtype machine with the same guest CPU.
Names it does not know are kept as written and reported on standard error as the checker
reports them (MT100, MT104, MT110, MT114).

  --from qemu|libvirt   the input's format (default: XML when it starts with '<', else qemu)
  --name NAME           the machine's name (default: the machine type, else 'imported')
  --qemu VERSION        its QEMU release (default: the machine type's version, pc-q35-7.2 -> 7.2)

Exit status: 0 imported, 2 could not run (unreadable input: path:line:col: error: …).`,
};

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Standard input as text (import reads it for '-'); the process's own when absent. */
  stdin?: () => string;
}

export function run(argv: string[], io: Io): number {
  try {
    const [command, ...rest] = argv;
    if (command && COMMAND_USAGE[command] && (rest.includes('--help') || rest.includes('-h'))) {
      io.out(COMMAND_USAGE[command]);
      return 0;
    }
    switch (command) {
      case 'check':
        return check(rest, io);
      case 'explain':
        return explain(rest, io);
      case 'kb':
        return kb(rest, io);
      case 'import':
        return importCommand(rest, io);
      case '--version':
      case '-v':
        io.out(VERSION);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        io.out(rest[0] && COMMAND_USAGE[rest[0]] ? COMMAND_USAGE[rest[0]] : USAGE);
        return 0;
      case undefined:
        io.err(USAGE);
        return 2;
      default:
        throw new UsageError(`unknown command '${command}' (expected check, explain, kb or import)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`mtype: ${error.message}`);
      return 2;
    }
    io.err(`mtype: internal error: ${(error as Error).stack ?? error}`);
    return 2;
  }
}

function parseSeverities(values: string[] | undefined): SeverityOverrides {
  const out: SeverityOverrides = {};
  for (const v of values ?? []) {
    const [code, level] = v.split('=');
    if (!code || !isCode(code)) throw new UsageError(`--severity: unknown code '${code}' (e.g. --severity MT302=off)`);
    if (!['error', 'warning', 'information', 'hint', 'off'].includes(level)) {
      throw new UsageError(`--severity ${code}: level must be error, warning, information, hint or off`);
    }
    out[code] = level as SeveritySetting;
  }
  return out;
}

/** Loads files into a fresh workspace; returns their paths in order, oversized files apart. */
function load(paths: string[]): { workspace: Workspace; files: string[]; oversized: Set<string> } {
  const files = collectFiles(paths.length ? paths : ['.']);
  const workspace = new Workspace();
  const oversized = new Set<string>();
  for (const f of files) {
    const text = readText(f);
    if (text.length > MAX_FILE_BYTES) {
      oversized.add(f);
      continue;
    }
    workspace.setDocument(f, text);
  }
  return { workspace, files, oversized };
}

function oversizedDiagnostic(): Diagnostic {
  const at = { line: 0, character: 0 };
  return {
    code: 'MT001',
    severity: 'error',
    message: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB; mtype does not analyse it`,
    range: { start: at, end: at },
    span: { start: 0, end: 0 },
  };
}

function check(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['--format', '--severity', '--host-kernel-floor', '--inherited'], []);
  const format = single(args, '--format', ['text', 'json', 'sarif']) ?? 'text';
  const inherited = (single(args, '--inherited', ['each', 'once']) ?? 'each') as 'each' | 'once';
  const severity = parseSeverities(args.options.get('--severity'));
  const hostKernelFloor = single(args, '--host-kernel-floor');
  if (hostKernelFloor !== undefined && !isVersion(hostKernelFloor)) throw new UsageError(`--host-kernel-floor: '${hostKernelFloor}' is not a version like 4.19`);
  const { workspace, files, oversized } = load(args.positionals);
  const kbase = getKnowledgeBase();
  const results = files.map((path) => {
    const doc = workspace.document(path);
    const diagnostics = doc ? analyseDocument(doc, workspace, kbase, { severity, hostKernelFloor, inherited }) : oversized.has(path) ? [oversizedDiagnostic()] : [];
    return { path, diagnostics };
  });
  const summary = { errors: 0, warnings: 0, information: 0, hints: 0 };
  for (const r of results) {
    for (const d of r.diagnostics) {
      if (d.severity === 'error') summary.errors++;
      else if (d.severity === 'warning') summary.warnings++;
      else if (d.severity === 'information') summary.information++;
      else summary.hints++;
    }
  }
  if (format === 'json') {
    io.out(
      JSON.stringify(
        {
          files: results.map((r) => ({
            path: r.path,
            diagnostics: r.diagnostics.map((d) => ({
              code: d.code,
              severity: d.severity,
              message: d.message,
              range: d.range,
              related: (d.related ?? []).map((x) => ({ path: x.uri, range: x.range, message: x.message })),
            })),
          })),
          summary,
        },
        null,
        2,
      ),
    );
  } else if (format === 'sarif') {
    io.out(JSON.stringify(toSarif(results, VERSION, process.cwd()), null, 2));
  } else {
    for (const r of results) {
      for (const d of r.diagnostics) {
        io.out(`${r.path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`);
        // Where an inherited finding comes from: one note per related location.
        for (const x of d.related ?? []) io.out(`  ${x.uri}:${x.range.start.line + 1}:${x.range.start.character + 1}: note: ${x.message}`);
      }
    }
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    io.out(
      `${plural(files.length, 'file')} checked: ${plural(summary.errors, 'error')}, ${plural(summary.warnings, 'warning')}, ${summary.information} information, ${plural(summary.hints, 'hint')}`,
    );
  }
  return summary.errors > 0 ? 1 : 0;
}

function explain(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['--format', '--model'], []);
  const format = single(args, '--format', ['text', 'json', 'qemu', 'libvirt']) ?? 'text';
  const [name, ...paths] = args.positionals;
  if (!name) throw new UsageError('explain needs a MACHINE name');
  const { workspace } = load(paths);
  const kbase = getKnowledgeBase();
  const ref = workspace.lookup(name);
  if (!ref) {
    const near = suggest(name, workspace.machineNames(), 3);
    io.err(`mtype: no machine type '${name}' in ${paths.length ? paths.join(', ') : '.'}${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
    return 1;
  }
  const model = single(args, '--model');
  if (model && !kbase.model(model)) throw new UsageError(`unknown CPU model '${model}'`);
  const e = explainMachine(ref, workspace, kbase, model);
  if (format === 'json') io.out(JSON.stringify(e, null, 2));
  else if (format === 'qemu') io.out(explanationQemu(e, ref, workspace, kbase));
  else if (format === 'libvirt') io.out(libvirtXml(e, kbase, { tscFrequency: workspace.resolve(ref).tscFrequency?.value }));
  else io.out(explanationText(e, kbase));
  return 0;
}

function kb(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['--format'], ['--all']);
  const format = single(args, '--format', ['text', 'json']) ?? 'text';
  const kbase = getKnowledgeBase();
  if (args.flags.has('--all')) {
    const all = allRecordsJson(kbase);
    if (format === 'json') io.out(JSON.stringify(all, null, 2));
    else for (const r of [...all.features, ...all.msrs, ...all.models]) io.out(formatRecordText(r) + '\n');
    return 0;
  }
  const [name] = args.positionals;
  if (!name) throw new UsageError('kb needs a NAME (a feature, MSR or CPU model) or --all');
  const record = lookupRecord(name, kbase);
  if (!record) {
    const near = suggestRecord(name, kbase);
    io.err(`mtype: '${name}' is not a feature, MSR or CPU model the knowledge base knows${near.length ? `; did you mean ${near.join(', ')}?` : ''}`);
    return 1;
  }
  io.out(format === 'json' ? JSON.stringify(record, null, 2) : formatRecordText(record));
  return 0;
}

const WORD = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;

function importCommand(argv: string[], io: Io): number {
  const args = parseArgs(argv, ['--from', '--name', '--qemu'], []);
  const from = single(args, '--from', ['qemu', 'libvirt']) as 'qemu' | 'libvirt' | undefined;
  const name = single(args, '--name');
  if (name !== undefined && !WORD.test(name)) throw new UsageError(`--name: '${name}' is not a machine name (letters, digits, '_', '.', '-')`);
  const qemu = single(args, '--qemu');
  if (qemu !== undefined && !isVersion(qemu)) throw new UsageError(`--qemu: '${qemu}' is not a version like 7.2`);
  if (args.positionals.length > 1) throw new UsageError('import reads one FILE (or - for standard input)');
  const file = args.positionals[0] ?? '-';
  const path = file === '-' ? '<stdin>' : file;
  let text: string;
  if (file === '-') {
    try {
      text = io.stdin ? io.stdin() : readFileSync(0, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read standard input: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  } else text = readText(file);
  if (text.length > MAX_FILE_BYTES) throw new UsageError(`'${path}' is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`);
  try {
    const kbase = getKnowledgeBase();
    const machine = importToMtype(text, kbase, { from, name, qemu });
    io.out(machine.replace(/\n$/, ''));
    for (const d of unknownNames(machine, kbase)) io.err(`${path}: warning: ${d.code} ${d.message} (kept as written; line ${d.range.start.line + 1} of the machine)`);
    return 0;
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    io.err(`${path}:${error.line}:${error.column}: error: ${error.message}`);
    return 2;
  }
}

/** The checker's findings on names the knowledge base or the release does not know, in an imported machine. */
function unknownNames(mtype: string, kbase: ReturnType<typeof getKnowledgeBase>): Diagnostic[] {
  const workspace = new Workspace();
  workspace.setDocument('imported.mtype', mtype);
  const doc = workspace.document('imported.mtype')!;
  return analyseDocument(doc, workspace, kbase, {}).filter((d) => ['MT100', 'MT104', 'MT110', 'MT114'].includes(d.code));
}

/** Runs the CLI on this process's arguments and sets the exit status. */
export function main(): void {
  // `mtype check | head`: a reader that stops early is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  process.exitCode = run(process.argv.slice(2), {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
  });
}
