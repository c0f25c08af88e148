# Continues training an exported playground run, on one GPU or many:
#   python train.py --data train.csv --steps 1000                              (one process: CPU or one GPU)
#   torchrun --nproc_per_node=8 train.py --data train.csv --steps 1000         (DistributedDataParallel)
# Same loss (sum_k w_k BCE_k + alpha sum_k InfoNCE_k, learnable temperature), same optimizer (Adam over every
# weight, global-norm clipping, decoupled weight decay after the update) and same metrics (AUC, GAUC, LogLoss) as
# the app (src/engine/train/{loss,flatAdam,trainer,metrics}.ts); writes the same metrics JSON as `npm run train`.
# Adam's moments start fresh, as when the app imports weights. Each process trains on --batch requests per
# step (the global batch is batch x processes); DDP averages the gradients, so every process takes the same step.
import argparse
import json
import math
import os
import re
import time

import torch
import torch.distributed as dist

from data import RequestStream, Schema, to_device
from model import build_model, load_weights, read_safetensors, save_weights, ts_parameters, write_safetensors, Named

HERE = os.path.dirname(os.path.abspath(__file__))
# Keys that change what the weights mean (the app refuses to import weights across them).
ARCHITECTURE_KEYS = {'model', 'd', 'layers', 'heads', 'ffnRatio', 'scorer', 'ablation', 'candidateContext', 'experts', 'expertHidden',
                     'towerHidden', 'pleSharedExperts', 'pleTaskExperts', 'pleLevels', 'historyLen', 'maxCandidates', 'multiLen',
                     'detach', 'detachEdges', 'crossTaskMask', 'customTaskMask'}
LOGLOSS_EPS = 1e-7
ADAM_EPS = 1e-7  # TF.js's float32 epsilon, what the app's Adam adds to sqrt(v_hat)


# ---------------------------------------------------------------------------------------------------------------
# Loss (loss.ts)
# ---------------------------------------------------------------------------------------------------------------


def masked_bce(logits, labels, cand_mask):
    """Per-task BCE over the real candidates of the batch: [K]. Stable: max(x,0) - x y + log(1 + exp(-|x|))."""
    per = torch.relu(logits) - logits * labels + torch.log1p(torch.exp(-logits.abs()))
    return (per * cand_mask.unsqueeze(2)).sum((0, 1)) / cand_mask.sum().clamp(min=1)


def masked_info_nce(logits, labels, cand_mask, temperature):
    """Per-task list-wise InfoNCE inside each request, over requests with a positive and a negative: [K]."""
    mask = cand_mask.unsqueeze(2)
    scores = logits / temperature + (1 - mask) * -1e9
    log_prob = torch.log_softmax(scores.transpose(1, 2), -1)  # [B, K, N]
    positive = (labels * mask).transpose(1, 2)
    positives = positive.sum(2)  # [B, K]
    reals = cand_mask.sum(1, keepdim=True)
    usable = ((positives > 0) & (positives < reals)).float()
    per_request = -(positive * log_prob).sum(2) / positives.clamp(min=1)
    return (per_request * usable).sum(0) / usable.sum(0).clamp(min=1)


class Trainable(Named):
    """The model and the loss's learnable temperature (stored as log T), so DDP syncs both."""

    def __init__(self, model, task_weights, alpha):
        super().__init__()
        self.model = model
        self.param('log_t', 'loss/logTemperature')
        self.register_buffer('task_weights', torch.tensor(task_weights, dtype=torch.float32), persistent=False)
        self.alpha = alpha

    def temperature(self):
        return torch.exp(self.log_t.clamp(math.log(1e-3), math.log(10)))

    def forward(self, batch):
        logits = self.model(batch)
        T = self.temperature()
        bce = masked_bce(logits, batch['labels'], batch['candMask'])
        nce = masked_info_nce(logits, batch['labels'], batch['candMask'], T)
        total = (bce * self.task_weights).sum() + self.alpha * nce.sum()
        return total, bce, nce, logits


def task_weights_of(cfg, K):
    if cfg['taskWeights'] == '':
        return [1.0] * K
    w = [float(x) for x in cfg['taskWeights'].split(',')]
    if len(w) != K:
        raise ValueError(f"taskWeights '{cfg['taskWeights']}' has {len(w)} values; the data has {K} tasks")
    return w


# ---------------------------------------------------------------------------------------------------------------
# Optimizer (flatAdam.ts + trainer.ts): Adam on the clipped gradient, then decoupled weight decay on matrices
# ---------------------------------------------------------------------------------------------------------------


EMBEDDING_TABLE = re.compile(r'^tokenizer/(item$|(ctx|cand)/(cat|multi)/)')


class AppAdam:
    def __init__(self, trainable, cfg):
        named = list(ts_parameters(trainable))
        self.params = [p for _, p in named]
        self.decayed = [p for _, p in named if p.dim() >= 2]  # matrices and tables: not biases, norms, T
        self.embeddings = [p for n, p in named if EMBEDDING_TABLE.match(n)]  # embDecay shrinks these too
        self.cfg = cfg
        self.adam = torch.optim.Adam(self.params, lr=cfg['lr'], betas=(0.9, 0.999), eps=ADAM_EPS)

    def step(self):
        """Returns the global gradient norm before clipping; skips the update (and raises) on a non-finite one."""
        grads = [p.grad for p in self.params if p.grad is not None]
        norm = torch.sqrt(sum((g.double() ** 2).sum() for g in grads)).item()
        if not math.isfinite(norm):
            raise FloatingPointError(f'the gradient norm is {norm}: the update was not applied')
        clip = self.cfg['clipNorm']
        if clip > 0 and norm > clip:
            for g in grads:
                g.mul_(clip / norm)
        self.adam.step()
        lr, wd, ed = self.cfg['lr'], self.cfg['weightDecay'], self.cfg.get('embDecay', 0)
        with torch.no_grad():
            for p in self.decayed if wd > 0 else []:
                p.mul_(1 - lr * wd)
            for p in self.embeddings if ed > 0 else []:
                p.mul_(1 - lr * ed)
        return norm


def drop_ids(batch, user_col, p, generator=None):
    """Id dropout (the app's train/ids.ts): each real user id, candidate item id and history item id becomes OOV (1)
    with probability p, so the OOV row learns what an unseen user or item looks like. Padding (0) stays."""
    if p <= 0:
        return batch
    def drop(ids):
        hit = (ids > 1) & (torch.rand(ids.shape, device=ids.device, generator=generator) < p)
        return torch.where(hit, torch.ones_like(ids), ids)
    out = dict(batch)
    if user_col >= 0:
        out['ctxCat'] = batch['ctxCat'].clone()
        out['ctxCat'][:, user_col] = drop(batch['ctxCat'][:, user_col])
    out['candItem'], out['history'] = drop(batch['candItem']), drop(batch['history'])
    return out


# ---------------------------------------------------------------------------------------------------------------
# Metrics (metrics.ts)
# ---------------------------------------------------------------------------------------------------------------


def auc(scores, labels):
    """Mann-Whitney U with average ranks for ties; NaN when a class is missing."""
    n = len(scores)
    if n == 0:
        return math.nan
    s = torch.as_tensor(scores, dtype=torch.float64)
    y = torch.as_tensor(labels, dtype=torch.float64) > 0.5
    order = torch.argsort(s, stable=True)
    sorted_s = s[order]
    ranks = torch.empty(n, dtype=torch.float64)
    # Runs of equal scores share their average (1-based) rank.
    _, counts = torch.unique_consecutive(sorted_s, return_counts=True)
    ends = torch.cumsum(counts, 0)
    starts = ends - counts
    avg = (starts + 1 + ends).double() / 2
    ranks[order] = torch.repeat_interleave(avg, counts)
    pos = int(y.sum())
    neg = n - pos
    if pos == 0 or neg == 0:
        return math.nan
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def gauc(scores, labels, groups):
    members = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    weighted = weight = 0.0
    for rows in members.values():
        ys = [labels[r] for r in rows]
        pos = sum(1 for v in ys if v > 0.5)
        if pos == 0 or pos == len(rows):
            continue
        weighted += len(rows) * auc([scores[r] for r in rows], ys)
        weight += len(rows)
    return math.nan if weight == 0 else weighted / weight


def log_loss(probs, labels, eps=LOGLOSS_EPS):
    if not probs:
        return math.nan
    total = 0.0
    for p, y in zip(probs, labels):
        p = min(1 - eps, max(eps, p))
        total += -math.log(p) if y > 0.5 else -math.log(1 - p)
    return total / len(probs)


def task_metrics(name, probs, labels, groups):
    n = len(labels)
    rate = sum(1 for y in labels if y > 0.5) / n if n else math.nan
    p = min(1 - LOGLOSS_EPS, max(LOGLOSS_EPS, rate)) if n else math.nan
    const = -(rate * math.log(p) + (1 - rate) * math.log(1 - p)) if n else math.nan
    return {'name': name, 'auc': auc(probs, labels), 'gauc': gauc(probs, labels, groups), 'logloss': log_loss(probs, labels),
            'positiveRate': rate, 'constantLogloss': const, 'count': n}


@torch.no_grad()
def evaluate(trainable, batches, tasks, alpha, device, user_col=-1, has_items=False):
    """Metrics per task over the real candidates (GAUC groups by user, else by request), the validation loss, and
    cold start (as the app's Trainer.evaluate): AUC over the requests whose user id is known (not OOV) and unknown."""
    was = trainable.training
    trainable.eval()
    K = len(tasks)
    probs, labels, groups = [[] for _ in range(K)], [[] for _ in range(K)], []
    # A batch's BCE is a mean over its real candidates and its InfoNCE a mean over its requests with both classes (per
    # task): each is weighted by that count, so the figure is the mean over the whole split (as the app's evaluate).
    bce_sum, nce_sum, nce_count, count, request = [0.0] * K, [0.0] * K, [0] * K, 0, 0
    seen_cand, seen_requests, unseen_items = [], 0, 0
    for batch in batches:
        b = to_device(batch, device)
        _, bce, nce, logits = trainable(b)
        B = b['candMask'].shape[0]
        p = torch.sigmoid(logits).cpu().tolist()
        mask, lab = b['candMask'].cpu().tolist(), b['labels'].cpu().tolist()
        users = b['ctxCat'][:, user_col].cpu().tolist() if user_col >= 0 else [None] * B
        items = b['candItem'].cpu().tolist()
        start, usable = len(groups), [0] * K
        for r in range(B):
            group = batch['user'][r] if batch['user'][r] is not None else f'request {request}'
            request += 1
            first = len(groups)
            seen = users[r] is not None and users[r] != 1  # a user id with a row of its own (not OOV)
            seen_requests += 1 if seen else 0
            for n, real in enumerate(mask[r]):
                if real > 0:
                    groups.append(group)
                    seen_cand.append(seen)
                    unseen_items += 1 if items[r][n] == 1 else 0
                    for k in range(K):
                        probs[k].append(p[r][n][k])
                        labels[k].append(lab[r][n][k])
            for k in range(K):
                positives = sum(1 for y in labels[k][first:] if y > 0.5)
                usable[k] += 1 if 0 < positives < len(groups) - first else 0
        for k in range(K):
            bce_sum[k] += float(bce[k]) * (len(groups) - start)
            nce_sum[k] += float(nce[k]) * usable[k]
            nce_count[k] += usable[k]
        count += B
    trainable.train(was)
    val_bce = [x / max(len(groups), 1) for x in bce_sum]
    val_nce = [x / max(c, 1) for x, c in zip(nce_sum, nce_count)]

    def part(want):
        idx = [i for i, s in enumerate(seen_cand) if s == want]
        return [auc([probs[k][i] for i in idx], [labels[k][i] for i in idx]) for k in range(K)]

    cold = {'unseenUserShare': (count - seen_requests) / count if count else 0, 'seenUserAuc': part(True), 'unseenUserAuc': part(False)}
    return {
        'coldStart': cold if user_col >= 0 else None,
        'unseenItemShare': (unseen_items / len(groups) if groups else None) if has_items else None,
        'tasks': [task_metrics(t, probs[k], labels[k], groups) for k, t in enumerate(tasks)],
        'valLoss': [b + alpha * n for b, n in zip(val_bce, val_nce)],
        'valBce': val_bce,
        'valInfoNce': val_nce,
        'requests': count,
    }


def user_column(schema):
    """The column of ctxCat holding the user id, or -1: the app's encoder puts it first when the data has a user column."""
    return 0 if schema.one('user') and schema.meta['features']['ctxCat'] else -1


def has_items(schema):
    return schema.meta['itemVocabSize'] > 0


def selection_score(tasks, best_by):
    """The app's checkpoint.ts: the mean AUC over tasks that have one, or the AUC of the task bestBy names."""
    if best_by:
        return next((t['auc'] for t in tasks if t['name'] == best_by), math.nan)
    aucs = [t['auc'] for t in tasks if math.isfinite(t['auc'])]
    return sum(aucs) / len(aucs) if aucs else math.nan


def is_new_best(score, best):
    if best is None:
        return True
    if not math.isfinite(score):
        return False
    return not math.isfinite(best) or score > best


# ---------------------------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------------------------


def load_export(folder):
    with open(os.path.join(folder, 'config.json')) as fh:
        config = json.load(fh)
    with open(os.path.join(folder, 'schema.json')) as fh:
        schema = json.load(fh)
    return config, schema


def build_trainable(config, meta, weights_path):
    cfg = config['config']
    model = build_model(config, meta)
    trainable = Trainable(model, task_weights_of(cfg, len(meta['tasks'])), cfg['alpha'])
    load_weights(trainable, read_safetensors(weights_path), os.path.basename(weights_path))
    return trainable


def finite(x):
    """NaN and infinities as null, as the app's JSON.stringify writes them."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [finite(v) for v in x]
    return x


def fmt(x, digits=4):
    return f'{x:.{digits}f}' if isinstance(x, float) and math.isfinite(x) else str(x)


def main():
    ap = argparse.ArgumentParser(description='Continues training an exported playground run (python train.py, or torchrun ... train.py).')
    ap.add_argument('--data', nargs='+', required=True, help='training CSV/TSV files (gzip too), with the exported schema')
    ap.add_argument('--val', nargs='*', default=None, help='validation files; default: every round(1/valFraction)-th request of --data')
    ap.add_argument('--steps', type=int, default=None, help="optimizer steps (default: the run's config)")
    ap.add_argument('--batch', type=int, default=None, help="requests per process per step (default: the run's batchSize)")
    ap.add_argument('--lr', type=float, default=None)
    ap.add_argument('--eval-every', type=int, default=None, help="validate every N steps (default: the run's evalEvery; 0 = only at the end)")
    ap.add_argument('--eval-requests', type=int, default=20000, help='validation requests per evaluation (0 = all)')
    ap.add_argument('--weights', default=os.path.join(HERE, 'weights.safetensors'))
    ap.add_argument('--export', default=HERE, help='the exported folder (config.json, schema.json)')
    ap.add_argument('--workers', type=int, default=2, help='DataLoader processes per GPU process (CSV parsing)')
    ap.add_argument('--out', default='result.json', help='metrics JSON (same shape as npm run train --out)')
    ap.add_argument('--save', default='trained.safetensors', help='weights after training (same names as the app)')
    ap.add_argument('--cpu', action='store_true', help='train on the CPU even when a GPU is there')
    ap.add_argument('--set', action='append', default=[], metavar='KEY=VALUE', help="override a training key of the run's config (lr, weightDecay, clipNorm, alpha, idDropout, embDecay, patience, bestBy, ...)")
    args = ap.parse_args()

    distributed = 'RANK' in os.environ
    if distributed:
        dist.init_process_group('nccl' if torch.cuda.is_available() and not args.cpu else 'gloo')
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    local = int(os.environ.get('LOCAL_RANK', 0))
    device = torch.device(f'cuda:{local}' if torch.cuda.is_available() and not args.cpu else 'cpu')
    if device.type == 'cuda':
        torch.cuda.set_device(device)

    config, exported_schema = load_export(args.export)
    cfg = dict(config['config'])
    for key, value in (('steps', args.steps), ('batchSize', args.batch), ('lr', args.lr), ('evalEvery', args.eval_every)):
        if value is not None:
            cfg[key] = value
    for pair in args.set:
        key, _, raw = pair.partition('=')
        if key not in cfg or key in ARCHITECTURE_KEYS:
            raise SystemExit(f"--set {pair}: '{key}' is not a training key of this run's config" + (' (the architecture is fixed by the weights)' if key in cfg else ''))
        kind = type(cfg[key])
        cfg[key] = raw if kind is str else (raw in ('true', '1', 'on', 'yes')) if kind is bool else kind(raw)
    config['config'] = cfg
    torch.manual_seed(cfg['seed'])
    schema = Schema(exported_schema)
    tasks = schema.tasks
    trainable = build_trainable(config, exported_schema['meta'], args.weights).to(device)
    ddp = torch.nn.parallel.DistributedDataParallel(trainable, device_ids=[local] if device.type == 'cuda' else None) if distributed else trainable
    opt = AppAdam(trainable, cfg)

    user_col = user_column(schema)
    val_every = max(1, round(1 / cfg['valFraction']))
    split = 'all' if args.val else 'train'
    train_stream = RequestStream(args.data, schema, cfg['batchSize'], rank, world, split=split, val_every=val_every,
                                 shuffle_buffer=max(64, 16 * cfg['batchSize']), seed=cfg['seed'], epochs=None, drop_last=True)
    parallel = dict(num_workers=args.workers, persistent_workers=True, prefetch_factor=4) if args.workers > 0 else {}
    loader = torch.utils.data.DataLoader(train_stream, batch_size=None, pin_memory=device.type == 'cuda', **parallel)

    def val_batches():
        stream = RequestStream(args.val or args.data, schema, max(cfg['batchSize'], 256), split='all' if args.val else 'val', val_every=val_every)
        seen = 0
        for b in stream:
            yield b
            seen += b['candMask'].shape[0]
            if args.eval_requests and seen >= args.eval_requests:
                return

    if rank == 0:
        print(f"{cfg['model']} from step {config.get('step', 0)} on {', '.join(args.data)}: {world} process(es) on {device.type}, "
              f"{cfg['batchSize']} requests per process per step, tasks {', '.join(tasks)}", flush=True)
    started = time.time()
    speeds, last, step = [], None, 0
    best, best_state, since_best, stopped_early = None, None, 0, False
    evaluate_here = lambda: evaluate(trainable, val_batches(), tasks, cfg['alpha'], device, user_col, has_items(schema))  # noqa: E731

    def note(ev, at):
        """Keeps the best evaluation's metrics and weights; returns whether patience ran out (the app's early stop)."""
        nonlocal best, best_state, since_best
        score = selection_score(ev['tasks'], cfg.get('bestBy', ''))
        if is_new_best(score, best['score'] if best else None):
            best, since_best = {'step': at, 'score': score, 'tasks': ev['tasks']}, 0
            best_state = {n: p.detach().clone() for n, p in ts_parameters(trainable)}
        else:
            since_best += 1
        return cfg.get('patience', 0) > 0 and since_best >= cfg['patience']
    waited = 0.0  # seconds spent waiting for the data loader (after step 1): tells a data-bound run from a GPU-bound one
    every = max(1, round(cfg['steps'] / 10))
    it = iter(loader)
    t_prev = time.time()
    while step < cfg['steps']:
        t_wait = time.time()
        host_batch = next(it)
        if step > 0:
            waited += time.time() - t_wait
        # Tensors only through DDP (the user keys are for the metrics).
        batch = drop_ids({k: v for k, v in to_device(host_batch, device).items() if torch.is_tensor(v)}, user_col, cfg.get('idDropout', 0))
        total, bce, nce, _ = ddp(batch)
        opt.adam.zero_grad(set_to_none=True)
        total.backward()
        values = torch.cat([total.detach().reshape(1), bce.detach(), nce.detach()]).tolist()
        bad = [(tasks[k], q, v) for k in range(len(tasks)) for q, v in (('BCE', values[1 + k]), ('InfoNCE', values[1 + len(tasks) + k])) if not math.isfinite(v)]
        if bad or not math.isfinite(values[0]):
            raise FloatingPointError(f'step {step + 1}: {bad or "the total loss"} is not finite; the update was not applied (try a lower --lr)')
        grad_norm = opt.step()
        step += 1
        if device.type == 'cuda':
            torch.cuda.synchronize()
        now = time.time()
        requests = batch['candMask'].shape[0] * world
        if step > 1:  # step 1 includes start-up
            speeds.append(requests / max(now - t_prev, 1e-9))
        t_prev = now
        last = values[0]
        if rank == 0 and (step % every == 0 or step == cfg['steps']):
            print(f"step {step}  loss {fmt(values[0])}  bce [{' '.join(fmt(v, 3) for v in values[1:1 + len(tasks)])}]  "
                  f"infoNCE [{' '.join(fmt(v, 3) for v in values[1 + len(tasks):])}]  grad norm {fmt(grad_norm, 3)}  "
                  f"{speeds[-1] if speeds else 0:.0f} req/s", flush=True)
        if cfg['evalEvery'] and step % cfg['evalEvery'] == 0 and step < cfg['steps']:
            stop = torch.zeros(1, device=device)
            if rank == 0:
                ev = evaluate_here()
                print(f"eval @{step}: " + ', '.join(f"{t['name']} AUC {fmt(t['auc'], 3)}" for t in ev['tasks']), flush=True)
                stop[0] = 1.0 if note(ev, step) else 0.0
            if distributed:
                dist.broadcast(stop, 0)  # every process stops together
            if stop.item() > 0:
                stopped_early = True
                if rank == 0:
                    print(f"stopped early at step {step}: {cfg['patience']} evaluations without a new best (step {best['step']})")
                break
    seconds = time.time() - started
    if rank == 0:
        final = evaluate_here()
        note(final, step)
        speeds.sort()
        median = speeds[len(speeds) // 2] if len(speeds) % 2 else (sum(speeds[len(speeds) // 2 - 1:len(speeds) // 2 + 1]) / 2 if speeds else math.nan)
        timed = sum(cfg['batchSize'] * world / s for s in speeds) if speeds else math.nan
        print(f"\n{cfg['model']} after {step} steps ({seconds:.1f} s), {median:.0f} requests/s (median over steps, {world} process(es); "
              f"rank 0 waited for data {100 * waited / timed if speeds else 0:.0f}% of the time):")
        print('task  AUC  GAUC  LogLoss  const LL  pos rate  n')
        for t in final['tasks']:
            print(f"{t['name']}  {fmt(t['auc'])}  {fmt(t['gauc'])}  {fmt(t['logloss'])}  {fmt(t['constantLogloss'])}  {fmt(t['positiveRate'])}  {t['count']}")
        report = {
            'model': cfg['model'],
            'backend': f'torch-{device.type}',
            'adapter': torch.cuda.get_device_name(device) if device.type == 'cuda' else None,
            'dataset': {'name': config.get('datasetName'), 'tasks': tasks, 'trainRequests': None, 'evalRequests': final['requests'],
                        'evaluatedOn': 'validation files' if args.val else f'every {val_every}th request of the data'},
            'steps': step,
            'stoppedEarly': stopped_early,
            'tasks': final['tasks'],
            'valLoss': final['valLoss'],
            'last': {'step': step, 'tasks': final['tasks']},
            'best': {**best, 'bestBy': cfg.get('bestBy') or 'mean AUC'},
            'coldStart': final['coldStart'],
            'unseenItemShare': final['unseenItemShare'],
            'finalLoss': last,
            'samplesPerSec': median,
            'seconds': seconds,
            'config': cfg,
            'processes': world,
            'dataWaitShare': waited / timed if speeds else None,
        }
        with open(args.out, 'w') as fh:
            json.dump(finite(report), fh, indent=2)
        save_weights(args.save, trainable, {'step': config.get('step', 0) + step})
        best_path = args.save.replace('.safetensors', '') + '.best.safetensors'
        write_safetensors(best_path, best_state, {'step': config.get('step', 0) + best['step']})
        print(f"wrote {args.out}, {args.save} and {best_path} (the best evaluation, step {best['step']})")
    if distributed:
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
