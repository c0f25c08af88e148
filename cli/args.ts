// Command-line parsing shared by `npm run train` and `npm run bench`: flags with values, repeatable --set,
// and one error type that the commands turn into exit code 2 with a message naming what was wrong.
import { ConfigError } from '../src/engine/config';

export class UsageError extends Error {}

export interface ParsedArgs {
  /** --flag value pairs (last one wins), without the dashes. */
  values: Map<string, string>;
  /** Boolean flags present (e.g. --json). */
  flags: Set<string>;
  /** --set key=value pairs in order. */
  settings: [string, string][];
  /** --shop key=value pairs in order (the synthetic world's knobs, as in the URL's shop.*). */
  shop: [string, string][];
}

/** Parses argv against the known value flags and boolean flags; anything else is a UsageError. */
export function parseArgs(argv: string[], valueFlags: readonly string[], booleanFlags: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { values: new Map(), flags: new Set(), settings: [], shop: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument '${a}'`);
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    if (booleanFlags.includes(name)) {
      out.flags.add(name);
      continue;
    }
    const pairs = name === 'set' ? out.settings : name === 'shop' ? out.shop : null;
    if (!pairs && !valueFlags.includes(name)) throw new UsageError(`unknown option '--${name}'`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`option '--${name}' needs a value`);
    if (pairs) {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new UsageError(`--${name} expects key=value, got '${value}'`);
      pairs.push([value.slice(0, eq), value.slice(eq + 1)]);
    } else out.values.set(name, value);
  }
  return out;
}

/** A whole number >= min from a flag, or a UsageError naming the flag. */
export function intFlag(args: ParsedArgs, name: string, min: number): number | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} expects a whole number >= ${min}, got '${raw}'`);
  return v;
}

export function oneOf<T extends string>(args: ParsedArgs, name: string, options: readonly T[], fallback: T): T {
  const raw = args.values.get(name) ?? fallback;
  if (!(options as readonly string[]).includes(raw)) throw new UsageError(`--${name} expects one of ${options.join(', ')}, got '${raw}'`);
  return raw as T;
}

/** Runs a command's main: usage and config errors exit 2, other errors 1 (message only, no stack). */
export async function runMain(main: () => Promise<number>, usage: string): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      console.error(`error: ${e.message}\n${usage}`);
      code = 2;
    } else {
      const described = (e as { describe?: () => string }).describe?.();
      console.error(`error: ${described ?? (e instanceof Error ? e.message : String(e))}`);
      code = 1;
    }
  }
  // The webgpu binding keeps Node's event loop alive: leave explicitly.
  process.exit(code);
}
