# The playground's built-in "shop" world (src/engine/data/synthetic.ts) as a CSV of any size, for training the
# exported model at scale. The world itself (every item's category, taste vector, quality, premium, price and tags;
# every user's tastes, segment, budget and history) is the app's, drawn call for call from the app's generator
# with the same seed, so the exported embeddings mean the same items and users. The requests (who browses, which
# candidates, the labels) use the same formulas and constants with numpy's random stream: at a million requests a
# call-by-call port would take hours. Streams the rows in chunks; the label intercepts and the affinity mean are
# fitted on the first chunk (the app fits them on all requests).
#   python gen_shop.py --out shop.csv --requests 1000000 [--users 500 --items 400 --candidates 10 --conflict 0.3]
import argparse
import math
import time

import numpy as np

CATEGORIES = 8
TARGET_RATE = {'click': 0.28, 'cart': 0.11, 'order': 0.05}
PRICE_REVEALS_PREMIUM = 0.95
DEVICES = ['mobile', 'desktop', 'app']
COLUMNS = ['request_id', 'user_id', 'item_id', 'history', 'segment', 'device', 'hour', 'budget', 'ts',
           'category', 'price', 'tags', 'click', 'cart', 'order']


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Mulberry32:
    """The app's seeded generator (src/engine/data/rng.ts), bit for bit: the world's users and items are the app's."""

    M = 0xFFFFFFFF

    def __init__(self, seed):
        self.a = seed & self.M

    def __call__(self):
        M = self.M
        self.a = (self.a + 0x6D2B79F5) & M
        t = self.a
        t = ((t ^ (t >> 15)) * (t | 1)) & M
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M)) & M)) & M
        return ((t ^ (t >> 14)) & M) / 4294967296

    def gaussian(self):
        u = 1 - self()
        v = self()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def int(self, n):
        return math.floor(self() * n)


def draw_weighted(rand, weights, total):
    x = rand() * total
    for i, w in enumerate(weights):
        x -= w
        if x < 0:
            return i
    return len(weights) - 1


def build_world(o):
    """synthetic.ts buildWorld, call for call on the same generator: the same items and users as the app's world."""
    rand = Mulberry32(o.seed)
    I, U, C = o.items, o.users, CATEGORIES
    cat, item_vec, quality, premium, log_price, tags = [], [], [], [], [], []
    for i in range(I):
        c = rand.int(C)
        cat.append(c)
        item_vec.append([(1 if d == c else 0) + 0.35 * rand.gaussian() for d in range(C)])
        quality.append(rand.gaussian())
        premium.append(rand.gaussian())
        log_price.append(3 + 0.6 * (PRICE_REVEALS_PREMIUM * premium[i] + math.sqrt(1 - PRICE_REVEALS_PREMIUM ** 2) * rand.gaussian()))
        chosen = []
        for _ in range(1 + rand.int(3)):
            t = f't{c * 3 + rand.int(3) if rand() < 0.7 else rand.int(C * 3)}'
            if t not in chosen:
                chosen.append(t)
        tags.append('|'.join(chosen))
    price = [round(math.exp(p) * 100) / 100 for p in log_price]
    fav, user_vec, budget, history = [], [], [], []
    for u in range(U):
        f = rand.int(C)
        second = (f + 1 + rand.int(C - 1)) % C
        fav.append(f)
        user_vec.append([(1.6 if d == f else 0.8 if d == second else 0) + 0.3 * rand.gaussian() for d in range(C)])
        budget.append(rand.gaussian())
        weights = [math.exp(2.5 * sum(user_vec[u][d] * item_vec[i][d] for d in range(C))) for i in range(I)]
        total = sum(weights)
        n = 5 + rand.int(26)
        history.append('|'.join(f'i{draw_weighted(rand, weights, total)}' for _ in range(n)))
    return dict(cat=np.array(cat), item_vec=np.array(item_vec), quality=np.array(quality), premium=np.array(premium),
                price=np.array(price), tags=tags, user_vec=np.array(user_vec), fav=np.array(fav), budget=np.array(budget),
                history=history)


def calibrate(z, base, target):
    """The intercept b with mean(sigmoid(b + z) * base) = target, by bisection."""
    lo, hi = -20.0, 20.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if (sigmoid(mid + z) * base).mean() > target:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def chunk_rows(o, w, rng, start, count, fitted):
    N, I = o.candidates, o.items
    users = rng.integers(0, o.users, count)
    device = rng.integers(0, len(DEVICES), count)
    hour = rng.integers(0, 24, count)
    budget = w['budget'][users] + 0.3 * rng.standard_normal(count)
    taste = np.exp(2 * w['user_vec'][users] @ w['item_vec'].T)  # [count, I]
    cum = np.cumsum(taste, 1)
    # Half the candidates from the user's taste (a retrieval stage), half at random; all distinct.
    proposals = 3 * N
    x = rng.random((count, proposals)) * cum[:, -1:]
    from_taste = np.minimum((cum[:, None, :] < x[:, :, None]).sum(-1), I - 1)
    uniform = rng.integers(0, I, (count, proposals))
    pick = np.where(rng.random((count, proposals)) < 0.5, from_taste, uniform)
    items = np.empty((count, N), dtype=np.int64)
    for r in range(count):
        seen = list(dict.fromkeys(pick[r].tolist()))
        while len(seen) < N:
            seen = list(dict.fromkeys(seen + [int(rng.integers(0, I))]))
        items[r] = seen[:N]
    aff = np.einsum('rc,rnc->rn', w['user_vec'][users], w['item_vec'][items])
    if 'aff_mean' not in fitted:
        fitted['aff_mean'] = aff.mean()
    a = aff - fitted['aff_mean']
    prem, qual, c = w['premium'][items], w['quality'][items], o.conflict
    evening = (hour >= 18)[:, None].astype(float)
    mobile = (device == 0)[:, None].astype(float)
    noise = lambda: o.noise * rng.standard_normal((count, N))  # noqa: E731
    z_click = (1 - 0.5 * c) * 2.5 * a + 3 * c * prem + 0.3 * mobile + noise()
    z_cart = 1.5 * a + 0.8 * qual + 0.3 * evening + noise()
    z_order = 1.0 * a + 0.5 * qual - 8 * c * prem * (1 - 0.2 * np.tanh(budget))[:, None] + noise()
    if 'b_click' not in fitted:
        fitted['b_click'] = calibrate(z_click, 1.0, TARGET_RATE['click'])
        p_click = sigmoid(fitted['b_click'] + z_click)
        fitted['b_cart'] = calibrate(z_cart, p_click, TARGET_RATE['cart'])
        fitted['b_order'] = calibrate(z_order, sigmoid(fitted['b_cart'] + z_cart) * p_click, TARGET_RATE['order'])
    click = rng.random((count, N)) < sigmoid(fitted['b_click'] + z_click)
    cart = click & (rng.random((count, N)) < sigmoid(fitted['b_cart'] + z_cart))
    order = cart & (rng.random((count, N)) < sigmoid(fitted['b_order'] + z_order))
    lines = []
    for r in range(count):
        u, q = int(users[r]), start + r
        head = f"{q},u{u},"
        ctx = f",{w['history'][u]},s{w['fav'][u] >> 1},{DEVICES[device[r]]},h{hour[r]:02d},{budget[r]:.3f},{1_700_000_000 + q * 60},"
        for n in range(N):
            i = int(items[r, n])
            lines.append(f"{head}i{i}{ctx}c{w['cat'][i]},{w['price'][i]:.2f},{w['tags'][i]},{int(click[r, n])},{int(cart[r, n])},{int(order[r, n])}\n")
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--requests', type=int, default=3000)
    ap.add_argument('--users', type=int, default=500)
    ap.add_argument('--items', type=int, default=400)
    ap.add_argument('--candidates', type=int, default=10)
    ap.add_argument('--historyLen', type=int, default=20, help='unused by the rows (the encoder keeps H); accepted for symmetry')
    ap.add_argument('--noise', type=float, default=0.5)
    ap.add_argument('--conflict', type=float, default=0.3)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--valFraction', type=float, default=0.2, help='unused (train.py splits); accepted for symmetry')
    ap.add_argument('--chunk', type=int, default=2000)
    o = ap.parse_args()
    if o.candidates > o.items:
        raise SystemExit(f'--candidates ({o.candidates}) must not exceed --items ({o.items})')
    rng = np.random.default_rng(o.seed)
    started = time.time()
    w = build_world(o)
    fitted = {}
    with open(o.out, 'w') as fh:
        fh.write(','.join(COLUMNS) + '\n')
        for start in range(0, o.requests, o.chunk):
            fh.writelines(chunk_rows(o, w, rng, start, min(o.chunk, o.requests - start), fitted))
    print(f'wrote {o.out}: {o.requests} requests x {o.candidates} candidates in {time.time() - started:.1f} s')


if __name__ == '__main__':
    main()
