# Runs the exported PyTorch projects of export-parity.test.ts (one Python process for every case) and prints one
# JSON object: per case, how far the PyTorch logits, loss, gradient and post-step loss are from the app's, and how
# far data.py's encoding of the CSV is from the app's encoding. The test asserts the thresholds.
#   python export_parity.py <root>   (root holds <dataset>.csv and <dataset>.arrays.json per dataset, one folder per case)
import json
import math
import os
import sys

import torch

torch.set_default_dtype(torch.float32)


def diff(a, b):
    """|a - b|, with NaN (the app's JSON writes null) equal to NaN and to nothing else."""
    a, b = (math.nan if a is None else a), (math.nan if b is None else b)
    if math.isnan(a) or math.isnan(b):
        return 0.0 if math.isnan(a) and math.isnan(b) else 1e9
    return abs(a - b)


def max_abs(a, b):
    return float((a - b).abs().max()) if a.numel() else 0.0


def main(root):
    cases = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    out = {'cases': {}, 'data': {}}
    datasets = {}
    for case in cases:
        folder = os.path.join(root, case)
        sys.path.insert(0, folder)
        for mod in ('model', 'data', 'train'):
            sys.modules.pop(mod, None)
        import data as D  # noqa: E402  (each case's own exported copy)
        import model as M  # noqa: E402
        import train as T  # noqa: E402
        sys.path.pop(0)
        config, exported = T.load_export(folder)
        schema = D.Schema(exported)
        with open(os.path.join(folder, 'expected.json')) as fh:
            expected = json.load(fh)
        name = expected['dataset']
        if name not in datasets:
            # data.py on the app's CSV: every request, in file order, against the app's arrays.
            reader = D.RequestReader(os.path.join(root, f'{name}.csv'), schema)
            datasets[name] = D.collate([reader.encode(rows) for _, rows in reader.requests()], schema)
            with open(os.path.join(root, f'{name}.arrays.json')) as fh:
                arrays = json.load(fh)
            enc = datasets[name]
            out['data'][name] = {k: max_abs(enc[k].double(), torch.tensor(v, dtype=torch.float64).reshape(enc[k].shape)) for k, v in arrays.items()}
        encoded = datasets[name]
        trainable = T.build_trainable(config, exported['meta'], os.path.join(folder, 'weights.safetensors'))
        if expected.get('breakScale'):
            trainable.model.scorer.d *= expected['breakScale']  # the deliberately broken export of the test
        trainable.eval()
        with torch.no_grad():
            logits = trainable.model(encoded)
        want = torch.tensor(expected['logits']).reshape(logits.shape)
        rows = torch.tensor(expected['trainRows'])
        batch = {k: (v[rows] if torch.is_tensor(v) else [v[i] for i in expected['trainRows']]) for k, v in encoded.items()}
        val_rows = torch.tensor(expected['valRows'])
        val = {k: (v[val_rows] if torch.is_tensor(v) else [v[i] for i in expected['valRows']]) for k, v in encoded.items()}
        ev = T.evaluate(trainable, [val], schema.tasks, config['config']['alpha'], 'cpu', T.user_column(schema), T.has_items(schema))
        app = expected['eval']
        eval_diffs = [diff(ev['valLoss'][k], app['valLoss'][k]) for k in range(len(schema.tasks))]
        for mine, theirs in zip(ev['tasks'], app['tasks']):
            eval_diffs += [diff(mine[m], theirs[m]) for m in ('auc', 'gauc', 'logloss')]
        cold, app_cold = ev['coldStart'], app['coldStart']
        eval_diffs += [diff(ev['unseenItemShare'], app['unseenItemShare']), 0.0 if (cold is None) == (app_cold is None) else 1e9]
        if cold and app_cold:
            eval_diffs.append(diff(cold['unseenUserShare'], app_cold['unseenUserShare']))
            eval_diffs += [diff(a, b) for a, b in zip(cold['seenUserAuc'] + cold['unseenUserAuc'], app_cold['seenUserAuc'] + app_cold['unseenUserAuc'])]
        trainable.train()
        total, _, _, _ = trainable(batch)
        trainable.zero_grad()
        total.backward()
        param = dict(M.ts_parameters(trainable))[expected['gradName']]
        g, g_app = param.grad.clone(), torch.tensor(expected['grad']).reshape(param.grad.shape)  # before clipping scales it in place
        opt = T.AppAdam(trainable, config['config'])
        norm = opt.step()
        with torch.no_grad():
            after, _, _, _ = trainable(batch)
        out['cases'][case] = {
            'logitsMaxAbs': float((logits - want).abs().max()),
            'logitsScale': float(want.abs().max()),
            'loss': float(total), 'lossApp': expected['loss1'],
            'gradRel': float((g - g_app).norm() / g_app.norm().clamp(min=1e-30)),
            'gradNorm': norm, 'gradNormApp': expected['gradNorm1'],
            'lossAfterStep': float(after), 'lossAfterStepApp': expected['loss2'],
            'evalMaxAbs': max(eval_diffs),
        }
    print(json.dumps(out))


if __name__ == '__main__':
    main(sys.argv[1])
