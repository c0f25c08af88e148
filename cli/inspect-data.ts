// npm run inspect-data -- file.csv [--schema schema.json] [--skip-ragged] [--set key=value ...]
// Prints, as JSON, the schema the app would infer for the file (roles, sides, task order), per-column
// measurements with the evidence for each role, the funnel, the leakage guard's warnings, and the dataset
// summary after encoding. The printed "schema" is a valid --schema file.
import { basename } from 'node:path';
import { applySettings, DEFAULT_CONFIG } from '../src/engine/config';
import { encode, encodeOptionsFrom } from '../src/engine/data/encode';
import { isDataError } from '../src/engine/data/errors';
import { inferSchema, labelCandidates } from '../src/engine/data/infer';
import { leakWarnings } from '../src/engine/data/leakage';
import { parseCsv } from '../src/engine/data/parse';
import { validateSchema } from '../src/engine/data/schema';
import { summarize } from '../src/engine/data/summary';
import { flushStdio, openFileAsBlob, readSchemaFile } from './node-file';

const USAGE = 'usage: npm run inspect-data -- <file.csv|.tsv|.csv.gz> [--schema schema.json] [--skip-ragged] [--set key=value ...]';

async function main(argv: string[]): Promise<number> {
  let path: string | undefined;
  let schemaPath: string | undefined;
  let skipRaggedRows = false;
  const settings: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--schema') schemaPath = argv[++i];
    else if (a === '--skip-ragged') skipRaggedRows = true;
    else if (a === '--set') {
      const [k, ...v] = (argv[++i] ?? '').split('=');
      settings.push([k, v.join('=')]);
    } else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      return 0;
    } else if (!path) path = a;
    else throw new Error(`unexpected argument '${a}'\n${USAGE}`);
  }
  if (!path) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const config = applySettings({ ...DEFAULT_CONFIG }, settings);
  const fileName = basename(path);
  const encodeOptions = encodeOptionsFrom({ ...config, name: fileName });
  const parsed = await parseCsv(await openFileAsBlob(path), { fileName, skipRaggedRows });
  const inference = inferSchema(parsed, encodeOptions);
  const schema = schemaPath ? validateSchema(await readSchemaFile(schemaPath), parsed, basename(schemaPath)) : inference.schema;
  const report: Record<string, unknown> = {
    file: { name: fileName, rows: parsed.numRows, delimiter: parsed.delimiter, gzip: parsed.gzip, textBytes: parsed.textBytes, skippedRows: parsed.skippedRows },
    schema,
    profiles: inference.profiles,
    funnel: inference.funnel,
    warnings: schemaPath ? leakWarnings(parsed, schema, inference.warnings, encodeOptions) : inference.warnings,
    labelCandidates: labelCandidates(inference),
  };
  let code = 0;
  try {
    report.summary = summarize(encode(parsed, schema, encodeOptions));
  } catch (e) {
    // The schema is still worth printing when encoding fails (e.g. no label yet): say why, exit non-zero.
    if (!isDataError(e)) throw e;
    report.error = e.toJSON();
    process.stderr.write(e.describe() + '\n');
    code = 1;
  }
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return code;
}

main(process.argv.slice(2)).then(
  async (code) => {
    await flushStdio();
    process.exit(code);
  },
  async (e: unknown) => {
    process.stderr.write((isDataError(e) ? e.describe() : e instanceof Error ? e.message : String(e)) + '\n');
    await flushStdio();
    process.exit(1);
  },
);
