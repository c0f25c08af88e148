// data.py (the PyTorch export's reader) encodes awkward files exactly as the app does: quoted values holding the
// delimiter, a quote and a line break; CRLF line ends; missing values (NA, empty); list cells with blanks; a label
// read through a threshold; a request longer than N (cut into chunks); out-of-vocabulary values in a second file
// (encoded with the first file's vocabularies and statistics); tab-separated and gzip-compressed input.
// Shown to fail on broken code: data.py keeping the first H history items instead of the last failed 'history'.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset, REQUEST_ARRAY_KEYS, type DatasetSchema, type EncodedDataset } from '../../src/engine/data';
import { exportedMeta } from '../../src/engine/export/torchExport';
import { PYTHON, requirePythonTorch } from './helpers/python';

const dir = mkdtempSync(join(tmpdir(), 'torch-data-'));

const SCHEMA: DatasetSchema = {
  columns: [
    { name: 'req', role: 'request' },
    { name: 'user', role: 'user' },
    { name: 'item', role: 'item' },
    { name: 'hist', role: 'sequence' },
    { name: 'city', role: 'categorical', side: 'context' },
    { name: 'age', role: 'numeric', side: 'context' },
    { name: 'brand', role: 'categorical', side: 'candidate' },
    { name: 'price', role: 'numeric', side: 'candidate' },
    { name: 'tags', role: 'multi', side: 'candidate' },
    { name: 'note', role: 'ignore' },
    { name: 'click', role: 'label' },
    { name: 'rating', role: 'label', threshold: 3 },
  ],
  taskOrder: ['click', 'rating'],
};
const HEADER = 'req,user,item,hist,city,age,brand,price,tags,note,click,rating';
const TRAIN = [
  'r1,u1,i1,i3|i2|i5|i9,"Paris, FR",31,acme,10.5,a|b,"said ""hi""",1,5',
  'r1,u1,i2,i3|i2|i5|i9,"Paris, FR",31,"Acme, Inc",NA,b,"two\nlines",0,2',
  'r1,u1,i3,i3|i2|i5|i9,"Paris, FR",31,acme,7,,,0,4',
  'r1,u1,i4,i3|i2|i5|i9,"Paris, FR",31,zeta,3.25,a| |c,x,1,1',
  'r1,u1,i5,i3|i2|i5|i9,"Paris, FR",31,acme,12,c,x,0,3',
  'r1,u1,i6,i3|i2|i5|i9,"Paris, FR",31,zeta,1,a|c,x,1,4',
  'r2,u2,i2,i1,Lyon,,acme,5,a,x,0,1',
  'r2,u2,i7,i1,Lyon,,zeta,NA,,x,1,5',
  'r3,,i1,,NA,44,acme,9,b|a,x,0,2',
  'r4,u1,i9,i8|i1,Lyon,29,omega,2,c,x,1,5',
  'r5,u3,i5,i2|i2,Nice,52,acme,4,a,x,0,3',
];
const TEST = [
  'q1,u9,i1,i77|i3,Berlin,40,newbrand,8,zz|a,x,1,4',
  'q1,u9,i88,i77|i3,Berlin,40,acme,NA,b,x,0,1',
  'q2,u2,i2,,Lyon,35,zeta,6,c,x,0,5',
];
/** Commas outside quotes become `sep`. */
const resep = (row: string, sep: string) => {
  let quoted = false;
  return [...row].map((c) => ((c === '"' && (quoted = !quoted), c === ',' && !quoted) ? sep : c)).join('');
};
const csv = (rows: string[], sep = ',', eol = '\r\n') => [HEADER, ...rows].map((r) => resep(r, sep)).join(eol) + eol;

/** The app's arrays of a dataset (the ones data.py must reproduce), as plain lists. */
const arraysOf = (ds: EncodedDataset) => Object.fromEntries(REQUEST_ARRAY_KEYS.filter((k) => k !== 'user' && k !== 'time').map((k) => [k, Array.from(ds[k])]));

// data.py over a file with the exported schema.json: the largest difference per array from the app's.
const COMPARE = `
import json, sys, torch
sys.path.insert(0, sys.argv[1])
import data as D
schema = D.Schema(json.load(open(sys.argv[2])))
want = json.load(open(sys.argv[4]))
reader = D.RequestReader(sys.argv[3], schema)
got = D.collate([reader.encode(rows) for _, rows in reader.requests()], schema)
print(json.dumps({k: (float((got[k].double() - torch.tensor(v, dtype=torch.float64).reshape(got[k].shape)).abs().max()) if got[k].numel() else 0.0) if len(v) == got[k].numel() else 'shape' for k, v in want.items()}))
`;

function dataPy(file: string, schemaJson: string, want: Record<string, number[]>): Record<string, number | string> {
  const wantPath = join(dir, `${file}.want.json`);
  writeFileSync(wantPath, JSON.stringify(want));
  const out = execFileSync(PYTHON, ['-c', COMPARE, join(process.cwd(), 'src/engine/export/torch'), schemaJson, join(dir, file), wantPath], { encoding: 'utf8' });
  return JSON.parse(out);
}

describe('data.py reads files as the app does', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('quotes, CRLF, missing values, lists, thresholds, chunks, unseen values, TSV and gzip', async () => {
    requirePythonTorch();
    const config = { historyLen: 3, maxCandidates: 4, multiLen: 2 };
    const train = await loadDataset(new Blob([csv(TRAIN)]), 'train.csv', { schema: SCHEMA, config });
    expect(train.dataset.numRequests).toBe(6); // r1's 6 rows are two chunks (N = 4)
    const schemaJson = join(dir, 'schema.json');
    writeFileSync(schemaJson, JSON.stringify({ schema: train.schema, meta: exportedMeta(train.dataset) }));
    writeFileSync(join(dir, 'train.csv'), csv(TRAIN));
    writeFileSync(join(dir, 'train.tsv.gz'), gzipSync(csv(TRAIN, '\t', '\n')));
    const test = await loadDataset(new Blob([csv(TEST)]), 'test.csv', { schema: train.schema, training: train.dataset, config });
    writeFileSync(join(dir, 'test.csv'), csv(TEST));
    for (const [file, ds] of [['train.csv', train.dataset], ['train.tsv.gz', train.dataset], ['test.csv', test.dataset]] as const) {
      const diffs = dataPy(file, schemaJson, arraysOf(ds));
      for (const [key, d] of Object.entries(diffs)) expect(d, `${file} ${key}`).toBe(0);
    }
  });
});
