# CSV/TSV files -> the request tensors the model reads, encoded exactly as the playground encoded the training
# data (src/engine/data/encode.ts): the exported schema.json holds the column roles, every vocabulary, the
# numeric means and standard deviations and the shapes H (history), N (candidates), M (multi-valued tokens).
#   ids: 0 = padding, 1 = out of vocabulary (unseen or missing values), 2.. = the vocabulary's values
#   a request = consecutive rows with the same request id (cut into chunks of N); context features come from its
#   first row; numeric features are standardized, missing -> 0; histories keep their most recent H items.
# Files are streamed (never held in memory) and may be gzip-compressed. Rows of one request must be consecutive,
# as in the playground's own exports and most logs; a request id seen again later starts a new request.
import csv
import gzip
import io
import math
import random

import torch
from torch.utils.data import IterableDataset, get_worker_info

MISSING = {'', 'NaN', 'nan', 'NA', 'N/A', 'null', 'NULL', 'None'}
PAD, OOV = 0, 1
DELIMITERS = [',', '\t', ';', '|']


class DataError(ValueError):
    """Bad input, with the file, row and column it concerns and what to do."""


def js_number(token):
    """JavaScript's Number(token) for a cell: a finite float, or NaN (spaces alone, '1_0', 'Infinity' are not numbers)."""
    if token.strip() == '' or '_' in token:
        return math.nan
    try:
        v = float(token)
    except ValueError:
        return math.nan
    return v if math.isfinite(v) else math.nan


def js_string(v):
    """JavaScript's String(number): columns with very many distinct numbers key their values this way."""
    return str(int(v)) if v == int(v) and abs(v) < 1e21 else repr(v)


class Vocabulary:
    def __init__(self, values):
        self.index = {v: i for i, v in enumerate(values) if i >= 2}  # values[0] = '<pad>', values[1] = '<oov>'

    def id(self, token):
        i = self.index.get(token)
        if i is None:
            v = js_number(token)
            i = self.index.get(js_string(v), OOV) if not math.isnan(v) else OOV
        return i


def open_text(path):
    with open(path, 'rb') as fh:
        magic = fh.read(2)
    raw = gzip.open(path, 'rb') if magic == b'\x1f\x8b' else open(path, 'rb')
    return io.TextIOWrapper(raw, encoding='utf-8', newline='')


def detect_delimiter(header_line, path):
    best = max(DELIMITERS, key=lambda d: len(next(csv.reader([header_line], delimiter=d))))
    if len(next(csv.reader([header_line], delimiter=best))) < 2:
        raise DataError(f'{path}: could not find the column delimiter (tried comma, tab, semicolon and |)')
    return best


class Schema:
    """schema.json: the roles of the columns and everything needed to encode a row as in the app."""

    def __init__(self, exported):
        self.columns = exported['schema']['columns']
        self.tasks = exported['schema']['taskOrder']
        meta = exported['meta']
        self.meta = meta
        self.H, self.N, self.M = meta['historyLen'], meta['maxCandidates'], meta['multiLen']
        self.K = len(self.tasks)
        self.role = {}
        for c in self.columns:
            self.role.setdefault(c['role'], []).append(c)
        self.item_vocab = Vocabulary(meta['itemVocab']) if meta['itemVocabSize'] > 0 else None
        self.groups = {g: [(f, Vocabulary(f['vocab']) if f['kind'] != 'numeric' else None) for f in meta['features'][g]] for g in meta['features']}
        self.thresholds = {c['name']: c.get('threshold') for c in self.role.get('label', [])}

    def one(self, role):
        cols = self.role.get(role, [])
        return cols[0]['name'] if cols else None


class RequestReader:
    """Streams one file's requests as dicts of per-request arrays (python lists), in file order."""

    def __init__(self, path, schema):
        self.path, self.s = path, schema
        self.memo = {}

    def records(self):
        """(row number, raw text) per data row. A row spans several lines while a quoted value is open."""
        with open_text(self.path) as fh:
            header_line = fh.readline().rstrip('\r\n')
            self.delimiter = detect_delimiter(header_line, self.path)
            self.header = next(csv.reader([header_line], delimiter=self.delimiter))
            self.list_sep = ';' if self.delimiter == '|' else '|'
            needed = [c['name'] for c in self.s.columns if c['role'] != 'ignore']
            missing = [n for n in needed if n not in self.header]
            if missing:
                raise DataError(f"{self.path}: the columns {missing} of the exported schema are not in the file's header; give the file the training data's columns")
            self.col = {n: self.header.index(n) for n in needed}
            row, pending = 0, None
            for line in fh:
                if pending is not None:
                    pending += line
                    if pending.count('"') % 2:
                        continue
                    line, pending = pending, None
                elif '"' in line and line.count('"') % 2:
                    pending = line
                    continue
                row += 1
                text = line.rstrip('\r\n')
                if text:
                    yield row, text

    def cells(self, text, row):
        """A row's cells: a plain split unless the row quotes a value."""
        cells = text.split(self.delimiter) if '"' not in text else next(csv.reader([text], delimiter=self.delimiter))
        if len(cells) != len(self.header):
            raise DataError(f'{self.path}, row {row}: {len(cells)} cells but the header has {len(self.header)} columns; quote values that hold the delimiter')
        return cells

    def request_key(self, text, row, at):
        """The request id of a row without splitting the whole row (rows of other shards are only skimmed)."""
        if '"' in text:
            return self.cells(text, row)[at]
        parts = text.split(self.delimiter, at + 1)
        return parts[at] if len(parts) > at else ''

    def tokens(self, cell):
        """A list cell's tokens ('a|b|c'), or a scalar cell as one token; missing -> none."""
        if cell in MISSING:
            return []
        if self.list_sep in cell:
            return [t.strip() for t in cell.split(self.list_sep) if t.strip() != '']
        return [cell]

    def requests(self, keep=None):
        """Yields (request group index, rows) per request, chunked to at most N rows, in file order. keep(group),
        asked once per chunk, can skip chunks: their rows are only skimmed for the request id, never parsed."""
        req = self.s.one('request')
        group, key, rows, count, kept = -1, object(), [], 0, False
        for row, text in self.records():
            k = self.request_key(text, row, self.col[req]) if req else None
            new_group = req is None or k in MISSING or k != key
            if new_group or count == self.s.N:
                if kept and rows:
                    yield group, rows
                group += 1 if new_group else 0
                key, rows, count = k, [], 0
                kept = keep is None or keep(group)
            count += 1
            if kept:
                rows.append((row, self.cells(text, row), self.col))
        if kept and rows:
            yield group, rows

    def cell(self, feature, cell, encode):
        """A cell's encoding, memoized per feature: ids, histories and tags repeat across rows (users, items)."""
        memo = self.memo.setdefault(feature, {})
        v = memo.get(cell)
        if v is None:
            if len(memo) > 200_000:
                memo.clear()
            v = memo[cell] = encode(cell)
        return v

    def encode(self, rows):
        """One request (its rows) -> a dict of lists shaped like the app's RequestArrays for one request."""
        s, N, M, H, K = self.s, self.s.N, self.s.M, self.s.H, self.s.K
        row0, cells0, col = rows[0]

        def cat(f, voc, cells):
            return self.cell(f['name'], cells[col[f['name']]], lambda v: OOV if v in MISSING else voc.id(v))

        def standardize(f, v):
            x = js_number(v) if v not in MISSING else math.nan
            return 0.0 if math.isnan(x) else (x - f['mean']) / f['std']

        def num(f, cells):
            return self.cell(f['name'], cells[col[f['name']]], lambda v: standardize(f, v))

        def multi(f, voc, cells):
            def ids(v):
                out = [voc.id(t) for t in self.tokens(v)[:M]]
                return out + [PAD] * (M - len(out))
            return self.cell(f['name'], cells[col[f['name']]], ids)

        g = s.groups
        out = {
            'ctxCat': [cat(f, v, cells0) for f, v in g['ctxCat']],
            'ctxNum': [num(f, cells0) for f, _ in g['ctxNum']],
            'ctxMulti': [multi(f, v, cells0) for f, v in g['ctxMulti']],
            'history': [PAD] * H,
            'candItem': [PAD] * N,
            'candCat': [[PAD] * len(g['candCat']) for _ in range(N)],
            'candNum': [[0.0] * len(g['candNum']) for _ in range(N)],
            'candMulti': [[[PAD] * M for _ in g['candMulti']] for _ in range(N)],
            'candMask': [0.0] * N,
            'labels': [[0.0] * K for _ in range(N)],
        }
        seq = s.one('sequence')
        if seq and H > 0 and s.item_vocab:
            def history(v):
                hist = [s.item_vocab.id(t) for t in self.tokens(v)][-H:]
                return [PAD] * (H - len(hist)) + hist
            out['history'] = self.cell(seq, cells0[col[seq]], history)
        item = s.one('item')
        user = s.one('user')
        out['user'] = cells0[col[user]] if user and cells0[col[user]] not in MISSING else None
        # A row's candidate features depend only on its candidate cells (the item's own columns repeat per item):
        # encoded once per distinct combination.
        cand_cols = self.cand_cols if hasattr(self, 'cand_cols') else self.candidate_columns(col)

        def candidate(cells):
            item_id = OOV
            if item and s.item_vocab:
                item_id = OOV if cells[col[item]] in MISSING else s.item_vocab.id(cells[col[item]])
            return (item_id, [cat(f, v, cells) for f, v in g['candCat']], [num(f, cells) for f, _ in g['candNum']],
                    [multi(f, v, cells) for f, v in g['candMulti']])

        for i, (row, cells, _) in enumerate(rows):
            out['candMask'][i] = 1.0
            key = tuple(cells[c] for c in cand_cols)
            out['candItem'][i], out['candCat'][i], out['candNum'][i], out['candMulti'][i] = self.cell('\u0000candidate', key, lambda _: candidate(cells))
            for k, task in enumerate(s.tasks):
                out['labels'][i][k] = self.cell(f'\u0000label {task}', cells[col[task]], lambda raw: self.label(task, raw, row))
        return out

    def candidate_columns(self, col):
        g = self.s.groups
        names = [f['name'] for side in ('candCat', 'candNum', 'candMulti') for f, _ in g[side]]
        item = self.s.one('item')
        self.cand_cols = [col[n] for n in ([item] if item else []) + names]
        return self.cand_cols

    def label(self, task, raw, row):
        """A label cell as 0/1 (a threshold turns numbers into classes), or a DataError naming the row and column."""
        v = js_number(raw) if raw not in MISSING else math.nan
        if math.isnan(v):
            raise DataError(f"{self.path}, row {row}, column '{task}': the label '{raw}' is not a number; every row needs a label of 0 or 1")
        thr = self.s.thresholds.get(task)
        if thr is not None:
            return 1.0 if v > thr else 0.0
        if v not in (0.0, 1.0):
            raise DataError(f"{self.path}, row {row}, column '{task}': the label {raw} is not 0 or 1; export a run whose schema sets a threshold, or fix the row")
        return v
        return out


INT_KEYS = ['ctxCat', 'ctxMulti', 'history', 'candItem', 'candCat', 'candMulti']
FLOAT_KEYS = ['ctxNum', 'candNum', 'candMask', 'labels']


def collate(requests, schema):
    """A list of encoded requests -> the batch tensors (int64 ids, float32 values), plus user keys for GAUC."""
    B, f, N, M = len(requests), schema.meta['features'], schema.N, schema.M
    shapes = {
        'ctxCat': (B, len(f['ctxCat'])), 'ctxNum': (B, len(f['ctxNum'])), 'ctxMulti': (B, len(f['ctxMulti']), M),
        'history': (B, schema.H), 'candItem': (B, N), 'candCat': (B, N, len(f['candCat'])), 'candNum': (B, N, len(f['candNum'])),
        'candMulti': (B, N, len(f['candMulti']), M), 'candMask': (B, N), 'labels': (B, N, schema.K),
    }
    out = {}
    for key, shape in shapes.items():
        dtype = torch.int64 if key in INT_KEYS else torch.float32
        # float64 first, then float32: the app standardizes in double and stores float32, the same rounding.
        t = torch.tensor([r[key] for r in requests], dtype=dtype if dtype == torch.int64 else torch.float64)
        out[key] = t.reshape(shape).to(dtype)
    out['user'] = [r['user'] for r in requests]
    return out


class RequestStream(IterableDataset):
    """Batches of requests from CSV/TSV files, for one process of a torchrun job (and one DataLoader worker).

    Request j of the stream belongs to shard j % shards; every process reads the files, but parses and encodes only
    its own requests (the others' rows are skimmed for their request id). `split` keeps the training or the validation requests: with no separate validation file, request
    group g validates when g % every == 0 (every = round(1 / valFraction)). Training shuffles inside a buffer."""

    def __init__(self, paths, schema, batch_size, rank=0, world=1, split='all', val_every=5, shuffle_buffer=0, seed=0, epochs=1, drop_last=False):
        self.paths, self.schema, self.batch_size = paths, schema, batch_size
        self.rank, self.world, self.split, self.val_every = rank, world, split, val_every
        self.shuffle_buffer, self.seed, self.epochs, self.drop_last = shuffle_buffer, seed, epochs, drop_last

    def __iter__(self):
        info = get_worker_info()
        workers, worker = (info.num_workers, info.id) if info else (1, 0)
        shards, shard = self.world * workers, self.rank * workers + worker
        rng = random.Random(self.seed * 1_000_003 + shard)
        epoch = 0
        while self.epochs is None or epoch < self.epochs:
            buffer, batch, j = [], [], 0

            def keep(group):
                nonlocal j
                is_val = group % self.val_every == 0
                if (self.split == 'train' and is_val) or (self.split == 'val' and not is_val):
                    return False
                j += 1
                return (j - 1) % shards == shard

            for path in self.paths:
                reader = RequestReader(path, self.schema)
                for group, rows in reader.requests(keep):
                    req = reader.encode(rows)
                    if self.shuffle_buffer > 1:
                        buffer.append(req)
                        if len(buffer) < self.shuffle_buffer:
                            continue
                        req = buffer.pop(rng.randrange(len(buffer)))
                    batch.append(req)
                    if len(batch) == self.batch_size:
                        yield collate(batch, self.schema)
                        batch = []
            rng.shuffle(buffer)
            for req in buffer:
                batch.append(req)
                if len(batch) == self.batch_size:
                    yield collate(batch, self.schema)
                    batch = []
            if batch and not self.drop_last:
                yield collate(batch, self.schema)
            epoch += 1


def to_device(batch, device):
    return {k: (v.to(device, non_blocking=True) if torch.is_tensor(v) else v) for k, v in batch.items()}
