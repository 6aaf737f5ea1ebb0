/** A small argument parser: `--flag value`, `--flag=value`, repeated flags, positionals. */
import { UsageError } from './files';

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

export function parseArgs(argv: string[], valued: string[], booleans: string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (booleans.includes(name)) {
      out.flags.add(name);
      continue;
    }
    if (!valued.includes(name)) throw new UsageError(`unknown option '${name}'`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`option '${name}' needs a value`);
    const list = out.options.get(name) ?? [];
    list.push(value);
    out.options.set(name, list);
  }
  return out;
}

export function single(args: ParsedArgs, name: string, allowed?: string[]): string | undefined {
  const values = args.options.get(name);
  if (!values) return undefined;
  const v = values[values.length - 1];
  if (allowed && !allowed.includes(v)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, not '${v}'`);
  return v;
}
