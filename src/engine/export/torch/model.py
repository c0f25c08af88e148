# The playground's ranking models in plain PyTorch: OneRank (with its switches and the paper's ablations) and the
# decoupled baselines (Shared-Bottom, MMoE, PLE). Read it beside ONERANK.md and the TypeScript in
# src/engine/model/: every module below is one file there, every parameter carries the TypeScript name (the keys
# of weights.safetensors, e.g. 'trunk/l0/attn/qkv/w'), and the shapes are the same ([in, out] weights: x @ w + b).
#   1. tokens      s, IH, c_i (Tokenizer), t_k (TaskTokens);  X = [SD | IH | G_1..G_N], G_i = [c_i, t_1..t_K]
#   2. trunk       shared pre-norm Transformer under the structured mask               -> r [B, N, K, d]
#   3. candidates  h_k = MHCA_k(LN(f_k(s)), {r[i][k]})  (CandidateContext)              -> h [B, K, d]
#   4+5. tasks     z = CrossTask(h) with mask A and per-edge detachment D               -> z [B, K, d]
#   6. score       logit[i][k] = g_k z_k . r[i][k] / sqrt(d) + b_k  (MatchingScorer)    -> [B, N, K]
# The masks, the detachment matrix and the effective switches come from the app (config.json "derived"), so
# this file never re-derives a setting differently from the run it continues.
import json
import math
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

MASKED = -1e9  # additive mask bias: exp underflows to exactly 0 in float32


class Named(nn.Module):
    """A module whose parameters remember their TypeScript names (the weights file's keys)."""

    def __init__(self):
        super().__init__()
        self.ts_names = {}

    def param(self, attr, ts_name, *shape):
        # Values come from weights.safetensors (load_weights); zeros until then.
        self.register_parameter(attr, nn.Parameter(torch.zeros(tuple(shape))))
        self.ts_names[attr] = ts_name
        return getattr(self, attr)


def ts_parameters(module):
    """(TypeScript name, parameter) for every parameter of a model (and its loss-side temperature)."""
    for m in module.modules():
        for attr, name in getattr(m, 'ts_names', {}).items():
            yield name, getattr(m, attr)


class Linear(Named):
    """x [..., in] @ w [in, out] + b [out]"""

    def __init__(self, name, d_in, d_out):
        super().__init__()
        self.param('w', f'{name}/w', d_in, d_out)
        self.param('b', f'{name}/b', d_out)

    def forward(self, x):
        return x @ self.w + self.b


class TaskLinear(Named):
    """K task-private maps at once: x [K, R, in] @ w [K, in, out] + b [K, 1, out]"""

    def __init__(self, name, K, d_in, d_out):
        super().__init__()
        self.param('w', f'{name}/w', K, d_in, d_out)
        self.param('b', f'{name}/b', K, 1, d_out)

    def forward(self, x):
        return torch.matmul(x, self.w) + self.b


class Norm(Named):
    """LayerNorm over the last axis; g, b broadcast from the right (per-task [K, d] parameters work too)."""

    def __init__(self, name, *shape):
        super().__init__()
        self.param('g', f'{name}/g', *shape)
        self.param('b', f'{name}/b', *shape)

    def forward(self, x, eps=1e-5):
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return (x - mean) * torch.rsqrt(var + eps) * self.g + self.b


def act(x):
    """SiLU, as the app's layers.ts."""
    return x * torch.sigmoid(x)


def mask_bias(allowed):
    return (1 - allowed) * MASKED


def split_heads(x, heads):
    """[B, T, d] -> [B, heads, T, d / heads]"""
    B, T, d = x.shape
    return x.reshape(B, T, heads, d // heads).transpose(1, 2)


def merge_heads(x):
    """[B, heads, T, dh] -> [B, T, heads * dh]"""
    B, h, T, dh = x.shape
    return x.transpose(1, 2).reshape(B, T, h * dh)


def js_round(x):
    """JavaScript's Math.round (halves go up), not Python's banker's rounding."""
    return int(math.floor(x + 0.5))


# ---------------------------------------------------------------------------------------------------------------
# 1. Tokens (tokenizer.ts, taskTokens.ts)
# ---------------------------------------------------------------------------------------------------------------


class CategoricalGroup(Named):
    """One embedding table per feature (rows = its vocabulary: 0 = padding, 1 = out of vocabulary)."""

    def __init__(self, scope, specs, d):
        super().__init__()
        self.size = len(specs)
        for f, spec in enumerate(specs):
            self.param(f't{f}', f"{scope}/{spec['name']}", max(spec['vocabSize'], 2), d)

    def tables(self):
        return [getattr(self, f't{f}') for f in range(self.size)]

    def embed(self, ids):
        """ids [..., F] -> sum over features of their embeddings [..., d]"""
        return sum(t[ids[..., f]] for f, t in enumerate(self.tables()))

    def embed_multi(self, ids):
        """ids [..., F, M] (0 = empty slot) -> sum over features of the mean over non-empty ids [..., d]"""
        out = 0
        for f, t in enumerate(self.tables()):
            e = t[ids[..., f, :]]  # [..., M, d]
            present = (ids[..., f, :] > 0).float()  # [..., M]
            count = present.sum(-1, keepdim=True).clamp(min=1)
            out = out + (e * present.unsqueeze(-1)).sum(-2) / count
        return out


class FeatureSide(Named):
    """The features of one side (context or candidate), summed into one d-vector per token, plus a bias."""

    def __init__(self, scope, cat, multi, num, d):
        super().__init__()
        self.param('bias', f'{scope}/bias', d)
        self.cat = CategoricalGroup(f'{scope}/cat', cat, d)
        self.multi = CategoricalGroup(f'{scope}/multi', multi, d)
        self.has_num = len(num) > 0
        if self.has_num:
            self.param('num', f'{scope}/num', len(num), d)

    def forward(self, cat_ids, multi_ids, num, lead):
        """cat_ids [*lead, Fc], multi_ids [*lead, Fm, M], num [*lead, Fn] -> [*lead, d]"""
        x = self.bias.expand(*lead, -1)
        if self.cat.size:
            x = x + self.cat.embed(cat_ids)
        if self.multi.size:
            x = x + self.multi.embed_multi(multi_ids)
        if self.has_num:
            x = x + num @ self.num
        return x


class Tokenizer(Named):
    """s = SD token [B, d]; history h_p = item(id_p) + pos_p [B, H, d]; candidates c_i [B, N, d]."""

    def __init__(self, meta, d):
        super().__init__()
        f = meta['features']
        self.history_len = meta['historyLen'] if meta['itemVocabSize'] > 0 else 0
        self.ctx = FeatureSide('tokenizer/ctx', f['ctxCat'], f['ctxMulti'], f['ctxNum'], d)
        self.cand = FeatureSide('tokenizer/cand', f['candCat'], f['candMulti'], f['candNum'], d)
        self.has_item = meta['itemVocabSize'] > 0
        if self.has_item:
            self.param('item', 'tokenizer/item', meta['itemVocabSize'], d)
        if self.history_len > 0:
            self.param('hist_pos', 'tokenizer/histPos', self.history_len, d)

    def situation(self, b):
        return self.ctx(b['ctxCat'], b['ctxMulti'], b['ctxNum'], b['candMask'].shape[:1])

    def history(self, b):
        if self.history_len == 0:
            return None
        return self.item[b['history']] + self.hist_pos

    def candidates(self, b):
        c = self.cand(b['candCat'], b['candMulti'], b['candNum'], b['candMask'].shape)
        return c + self.item[b['candItem']] if self.has_item else c


class TaskTokens(Named):
    """perTask: K learned tokens; shared (V2/V3): one; projection (V1): t_k of group i = W_k c_i + b_k."""

    def __init__(self, mode, K, d):
        super().__init__()
        self.mode, self.K, self.d = mode, K, d
        self.slots = 1 if mode == 'shared' else K
        if mode == 'projection':
            self.projection = Linear('taskTokens/projection', d, K * d)
        else:
            self.param('embedding', 'taskTokens/embedding', self.slots, d)

    def forward(self, cand):
        """cand [B, N, d] -> [B, N, slots, d]"""
        B, N, _ = cand.shape
        if self.mode == 'projection':
            return self.projection(cand).reshape(B, N, self.K, self.d)
        return self.embedding.expand(B, N, self.slots, self.d)


# ---------------------------------------------------------------------------------------------------------------
# 2. The shared trunk (trunk.ts): x = x + Drop(proj(MHA(LN1(x), mask))); x = x + Drop(FFN(LN2(x))); out = LN_f(x)
# ---------------------------------------------------------------------------------------------------------------


class Attention(nn.Module):
    def __init__(self, name, d):
        super().__init__()
        self.qkv = Linear(f'{name}/qkv', d, 3 * d)
        self.proj = Linear(f'{name}/proj', d, d)


class FFN(nn.Module):
    def __init__(self, name, d, hidden):
        super().__init__()
        self.fc = Linear(f'{name}/fc', d, hidden)
        self.out = Linear(f'{name}/out', hidden, d)

    def forward(self, x):
        return self.out(act(self.fc(x)))


class Block(nn.Module):
    def __init__(self, l, d, hidden):
        super().__init__()
        self.ln1 = Norm(f'trunk/l{l}/ln1', d)
        self.attn = Attention(f'trunk/l{l}/attn', d)
        self.ln2 = Norm(f'trunk/l{l}/ln2', d)
        self.ffn = FFN(f'trunk/l{l}/ffn', d, hidden)


class Trunk(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, hidden = cfg['d'], max(1, js_round(cfg['ffnRatio'] * cfg['d']))
        self.heads, self.dropout = cfg['heads'], cfg['dropout']
        self.blocks = nn.ModuleList([Block(l, d, hidden) for l in range(cfg['layers'])])
        self.lnF = Norm('trunk/lnF', d)

    def forward(self, x, bias):
        """x [B, T, d]; bias [B, 1, T, T] additive (0 / -1e9) -> [B, T, d]"""
        B, T, d = x.shape
        h, dh = self.heads, d // self.heads
        for blk in self.blocks:
            qkv = blk.attn.qkv(blk.ln1(x)).reshape(B, T, 3, h, dh).permute(2, 0, 3, 1, 4)  # [3, B, h, T, dh]
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = torch.softmax((q * (1 / math.sqrt(dh))) @ k.transpose(-1, -2) + bias, -1)  # [B, h, T, T]
            y = blk.attn.proj(merge_heads(att @ v))
            x = x + F.dropout(y, self.dropout, self.training)
            x = x + F.dropout(blk.ffn(blk.ln2(x)), self.dropout, self.training)
        return self.lnF(x)


def key_padding(b, num_sd, history_len, group_size):
    """Which keys are real per batch row [B, T]: SD always, history slots with an item, every token of a real group."""
    B = b['candMask'].shape[0]
    parts = [torch.ones(B, num_sd, device=b['candMask'].device)]
    if history_len > 0:
        parts.append((b['history'] > 0).float())
    parts.append(b['candMask'].repeat_interleave(group_size, dim=1))
    return torch.cat(parts, 1)


def attention_bias(mask, key_real):
    """mask [T, T], key_real [B, T] -> [B, 1, T, T]; a query always keeps itself (no fully masked row)."""
    eye = torch.eye(mask.shape[0], device=mask.device)
    allowed = torch.maximum(mask * key_real.unsqueeze(1), eye)
    return mask_bias(allowed).unsqueeze(1)


def assemble_sequence(s, hist, cand, task):
    """X = [SD | history | G_1 .. G_N], G_i = [c_i, task tokens of group i] -> [B, T, d]"""
    B, N, d = cand.shape
    groups = torch.cat([cand.unsqueeze(2), task], 2).reshape(B, -1, d) if task is not None else cand
    return torch.cat([s.unsqueeze(1)] + ([hist] if hist is not None else []) + [groups], 1)


# ---------------------------------------------------------------------------------------------------------------
# 3. Candidate-aware contextualization (candidateContext.ts)
# ---------------------------------------------------------------------------------------------------------------


class CandidateContext(Named):
    """q_k = LN(f_k(s)); h_k = MHCA_k(q_k, {r[i][k]}) over the real candidates; off (or V5): the mean of r[i][k]."""

    def __init__(self, enabled, K, d, heads):
        super().__init__()
        self.enabled, self.K, self.d, self.heads = enabled, K, d, heads
        if enabled:
            self.f = Linear('candCtx/f', d, K * d)
            self.ln = Norm('candCtx/ln', K, d)
            self.q = TaskLinear('candCtx/q', K, d, d)
            self.kv = TaskLinear('candCtx/kv', K, d, 2 * d)
            self.o = TaskLinear('candCtx/o', K, d, d)

    def forward(self, s, r, cand_mask):
        """s [B, d], r [B, N, K, d], cand_mask [B, N] -> h [B, K, d]"""
        if not self.enabled:
            m = cand_mask[:, :, None, None]
            return (r * m).sum(1) / m.sum(1).clamp(min=1)
        K, d, h = self.K, self.d, self.heads
        B, N = cand_mask.shape
        dh = d // h
        q = self.ln(self.f(s).reshape(B, K, d))  # [B, K, d]
        qh = self.q(q.transpose(0, 1)).reshape(K, B, h, 1, dh).transpose(0, 1)  # [B, K, h, 1, dh]
        rk = r.permute(2, 0, 1, 3).reshape(K, B * N, d)  # per task: every r[i][k]
        kv = self.kv(rk).reshape(K, B, N, 2, h, dh).permute(3, 1, 0, 4, 2, 5)  # [2, B, K, h, N, dh]
        key, val = kv[0], kv[1]
        bias = mask_bias(cand_mask).reshape(B, 1, 1, 1, N)
        att = torch.softmax(qh @ key.transpose(-1, -2) * (1 / math.sqrt(dh)) + bias, -1)  # [B, K, h, 1, N]
        mixed = (att @ val).reshape(B, K, d).transpose(0, 1)  # [K, B, d]
        return self.o(mixed).transpose(0, 1)  # [B, K, d]


# ---------------------------------------------------------------------------------------------------------------
# 4 + 5. Cross-task attention with per-edge gradient detachment (crossTask.ts)
# ---------------------------------------------------------------------------------------------------------------


class CrossTask(nn.Module):
    """h~_k = sum_j softmax_j(q_k . key_j + A-mask) value_j;  hh = LN(h~) + h;  z = LN(FFN(hh)) + hh.
    When task k reads task j over a detached edge (D[k][j] = 1), key_j and value_j are computed from h_j.detach():
    same numbers forward, no gradient into h_j from task k, while the shared projection weights still learn."""

    def __init__(self, attention, task_mask, detach, d, heads, ffn_ratio):
        super().__init__()
        self.attention, self.d, self.heads = attention, d, heads
        if attention:
            self.q = Linear('crossTask/q', d, d)
            self.kv = Linear('crossTask/kv', d, 2 * d)
            self.o = Linear('crossTask/o', d, d)
            self.ln1 = Norm('crossTask/ln1', d)
        self.ffn = FFN('crossTask/ffn', d, max(1, js_round(ffn_ratio * d)))
        self.ln2 = Norm('crossTask/ln2', d)
        D = torch.tensor(detach, dtype=torch.float32)
        self.register_buffer('detached', D[:, :, None], persistent=False)  # [K(query), K(read), 1]
        self.register_buffer('a_bias', mask_bias(torch.tensor(task_mask, dtype=torch.float32)), persistent=False)

    def forward(self, h):
        """h [B, K, d] -> z [B, K, d]"""
        hh = h
        if self.attention:
            B, K, d = h.shape
            heads, dh = self.heads, d // self.heads
            q = split_heads(self.q(h), heads)  # [B, h, K, dh]

            def keys_values(x):  # [B, K, d] -> two [B, h, 1, K(read), dh]
                kv = self.kv(x).reshape(B, K, 2, heads, dh).permute(2, 0, 3, 1, 4)
                return kv[0].unsqueeze(2), kv[1].unsqueeze(2)

            k_live, v_live = keys_values(h)
            k_det, v_det = keys_values(h.detach())
            D = self.detached
            keys = k_live * (1 - D) + k_det * D  # [B, h, K(query), K(read), dh]
            values = v_live * (1 - D) + v_det * D
            scores = (q.unsqueeze(3) * keys).sum(-1) * (1 / math.sqrt(dh)) + self.a_bias  # [B, h, K, K]
            att = torch.softmax(scores, -1)
            mixed = (att.unsqueeze(-1) * values).sum(3)  # [B, h, K, dh]
            hh = self.ln1(self.o(merge_heads(mixed))) + h
        return self.ln2(self.ffn(hh)) + hh


# ---------------------------------------------------------------------------------------------------------------
# 6. Matching scorer (scorer.ts)
# ---------------------------------------------------------------------------------------------------------------


class MatchingScorer(Named):
    """dot: logit[i][k] = g_k (z_k . r[i][k]) / sqrt(d) + b_k;  bilinear: g_k (z_k . (W_k r[i][k])) / sqrt(d) + b_k.
    g_k is the learned per-task score scale (the app starts it at 0, so every model starts at the base rate)."""

    def __init__(self, kind, K, d):
        super().__init__()
        self.d = d
        self.param('bias', 'scorer/bias', K)
        self.param('scale', 'scorer/scale', K)
        self.bilinear = kind == 'bilinear'
        if self.bilinear:
            self.param('w', 'scorer/bilinear', K, d, d)

    def forward(self, z, r):
        """z [B, K, d], r [B, N, K, d] -> [B, N, K]"""
        zt = torch.matmul(z.transpose(0, 1), self.w).transpose(0, 1) if self.bilinear else z
        return (zt.unsqueeze(1) * r).sum(-1) * (self.scale * (1 / math.sqrt(self.d))) + self.bias


# ---------------------------------------------------------------------------------------------------------------
# The models
# ---------------------------------------------------------------------------------------------------------------


class OneRank(nn.Module):
    def __init__(self, cfg, meta, derived):
        super().__init__()
        sw = derived['switches']
        K, d = len(meta['tasks']), cfg['d']
        self.d, self.K = d, K
        self.tokenizer = Tokenizer(meta, d)
        self.task_tokens = TaskTokens(sw['taskTokens'], K, d)
        self.trunk = Trunk(cfg)
        self.candidate_context = CandidateContext(sw['candidateContext'], K, d, cfg['heads'])
        self.cross_task = CrossTask(sw['crossTaskAttention'], derived['taskMask'], derived['detach'], d, cfg['heads'], cfg['ffnRatio'])
        self.scorer = MatchingScorer(cfg['scorer'], K, d)
        self.register_buffer('mask', torch.tensor(derived['mask'], dtype=torch.float32), persistent=False)  # [T, T]
        self.num_sd, self.slots = derived['numSD'], self.task_tokens.slots

    def forward(self, b):
        """A batch of request tensors (data.py) -> logits [B, N, K]"""
        B, N = b['candMask'].shape
        s = self.tokenizer.situation(b)  # [B, d]
        cand = self.tokenizer.candidates(b)  # [B, N, d]
        x = assemble_sequence(s, self.tokenizer.history(b), cand, self.task_tokens(cand))  # [B, T, d]
        key_real = key_padding(b, self.num_sd, self.tokenizer.history_len, 1 + self.slots)
        out = self.trunk(x, attention_bias(self.mask, key_real))
        num_ctx = self.num_sd + self.tokenizer.history_len
        groups = out[:, num_ctx:].reshape(B, N, 1 + self.slots, self.d)
        r = groups[:, :, 1:]  # [B, N, slots, d]: r[i][k] = output at t_k of group i
        if self.slots != self.K:
            r = r.expand(B, N, self.K, self.d)
        h = self.candidate_context(s, r, b['candMask'])  # [B, K, d]
        z = self.cross_task(h)
        return self.scorer(z, r)


class Towers(Named):
    """K task towers: x [K, R, in] -> [R, K]; one hidden layer each."""

    def __init__(self, name, K, d_in, hidden):
        super().__init__()
        self.hidden = TaskLinear(f'{name}/hidden', K, d_in, hidden)
        self.out = TaskLinear(f'{name}/out', K, hidden, 1)

    def forward(self, x):
        K, R, _ = x.shape
        return self.out(act(self.hidden(x))).reshape(K, R).transpose(0, 1)


class SharedBottomHead(nn.Module):
    def __init__(self, cfg, K, d_in):
        super().__init__()
        self.K, self.dropout = K, cfg['dropout']
        self.bottom = Linear('head/bottom', d_in, cfg['expertHidden'])
        self.towers = Towers('head/towers', K, cfg['expertHidden'], cfg['towerHidden'])

    def forward(self, x):
        shared = F.dropout(act(self.bottom(x)), self.dropout, self.training)
        return self.towers(shared.unsqueeze(0).expand(self.K, *shared.shape))


class MMoEHead(nn.Module):
    """e_m = silu(W_m x), g_k = softmax(G_k x), logit_k = tower_k(sum_m g_k[m] e_m)"""

    def __init__(self, cfg, K, d_in):
        super().__init__()
        self.K, self.E, self.h, self.dropout = K, cfg['experts'], cfg['expertHidden'], cfg['dropout']
        self.experts = Linear('head/experts', d_in, self.E * self.h)
        self.gates = Linear('head/gates', d_in, K * self.E)
        self.towers = Towers('head/towers', K, self.h, cfg['towerHidden'])

    def forward(self, x):
        R = x.shape[0]
        experts = act(self.experts(x)).reshape(R, self.E, self.h)
        gates = torch.softmax(self.gates(x).reshape(R, self.K, self.E), -1)
        mixed = (gates @ experts).transpose(0, 1)  # [K, R, h]
        return self.towers(F.dropout(mixed, self.dropout, self.training))


class PLELevel(nn.Module):
    def __init__(self, l, K, d_in, S, T, h, last):
        super().__init__()
        self.task_experts = TaskLinear(f'head/l{l}/taskExperts', K, d_in, T * h)
        self.shared_experts = Linear(f'head/l{l}/sharedExperts', d_in, S * h)
        self.task_gates = TaskLinear(f'head/l{l}/taskGates', K, d_in, T + S)
        self.shared_gate = None if last else Linear(f'head/l{l}/sharedGate', d_in, K * T + S)


class PLEHead(nn.Module):
    """Customized Gate Control over pleLevels levels (baselines/ple.ts)."""

    def __init__(self, cfg, K, d_in):
        super().__init__()
        self.K, self.S, self.T, self.h = K, cfg['pleSharedExperts'], cfg['pleTaskExperts'], cfg['expertHidden']
        self.dropout = cfg['dropout']
        L = cfg['pleLevels']
        self.levels = nn.ModuleList([PLELevel(l, K, d_in if l == 0 else self.h, self.S, self.T, self.h, l == L - 1) for l in range(L)])
        self.towers = Towers('head/towers', K, self.h, cfg['towerHidden'])

    def forward(self, x):
        K, S, T, h = self.K, self.S, self.T, self.h
        R = x.shape[0]
        task_in, shared_in = x.unsqueeze(0).expand(K, *x.shape), x
        for lv in self.levels:
            task_exp = act(lv.task_experts(task_in)).reshape(K, R, T, h)
            shared_exp = act(lv.shared_experts(shared_in)).reshape(R, S, h)
            pool = torch.cat([task_exp, shared_exp.unsqueeze(0).expand(K, R, S, h)], 2)  # [K, R, T + S, h]
            gate = torch.softmax(lv.task_gates(task_in), -1).unsqueeze(2)  # [K, R, 1, T + S]
            next_task = (gate @ pool).reshape(K, R, h)
            if lv.shared_gate is not None:
                every = torch.cat([task_exp.transpose(0, 1).reshape(R, K * T, h), shared_exp], 1)
                g = torch.softmax(lv.shared_gate(shared_in), -1).unsqueeze(1)
                shared_in = (g @ every).reshape(R, h)
            task_in = next_task
        return self.towers(F.dropout(task_in, self.dropout, self.training))


HEADS = {'sharedbottom': SharedBottomHead, 'mmoe': MMoEHead, 'ple': PLEHead}


class TowerModel(nn.Module):
    """towers(encoder(x)): OneRank's tokenizer and trunk without task tokens; a candidate is [trunk output at c_i ;
    mean of the trunk outputs over the real context tokens] (2d), and a multi-task head gives K logits."""

    def __init__(self, cfg, meta, derived):
        super().__init__()
        self.d, self.K, self.dropout = cfg['d'], len(meta['tasks']), cfg['dropout']
        self.tokenizer = Tokenizer(meta, self.d)
        self.trunk = Trunk(cfg)
        self.head = HEADS[cfg['model']](cfg, self.K, 2 * self.d)
        self.register_buffer('mask', torch.tensor(derived['mask'], dtype=torch.float32), persistent=False)
        self.num_sd = derived['numSD']

    def forward(self, b):
        B, N = b['candMask'].shape
        d = self.d
        s = self.tokenizer.situation(b)
        x = assemble_sequence(s, self.tokenizer.history(b), self.tokenizer.candidates(b), None)
        key_real = key_padding(b, self.num_sd, self.tokenizer.history_len, 1)
        out = self.trunk(x, attention_bias(self.mask, key_real))
        num_ctx = self.num_sd + self.tokenizer.history_len
        cand = out[:, num_ctx:]  # [B, N, d]
        ctx_real = key_real[:, :num_ctx].unsqueeze(2)
        pooled = (out[:, :num_ctx] * ctx_real).sum(1) / ctx_real.sum(1)  # [B, d]
        rep = torch.cat([cand, pooled.unsqueeze(1).expand(B, N, d)], 2).reshape(B * N, 2 * d)
        rep = F.dropout(rep, self.dropout, self.training)
        return self.head(rep).reshape(B, N, self.K)


def build_model(config, meta):
    """config.json and schema.json's "meta" (as written by the app) -> the model, weights not yet loaded."""
    cfg, derived = config['config'], config['derived']
    return OneRank(cfg, meta, derived) if cfg['model'] == 'onerank' else TowerModel(cfg, meta, derived)


# ---------------------------------------------------------------------------------------------------------------
# Weights: safetensors (a JSON header of names, dtypes, shapes and byte ranges, then raw little-endian floats).
# Read and written here in a few lines, so torch is the only dependency; the `safetensors` package reads the
# same files.
# ---------------------------------------------------------------------------------------------------------------


def read_safetensors(path):
    with open(path, 'rb') as fh:
        blob = fh.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, spec in header.items():
        if name == '__metadata__':
            continue
        if spec['dtype'] != 'F32':
            raise ValueError(f"{path}: tensor '{name}' is {spec['dtype']}; only F32 is supported")
        a, b = spec['data_offsets']
        out[name] = torch.frombuffer(bytearray(blob[8 + n + a:8 + n + b]), dtype=torch.float32).reshape(spec['shape'])
    return out


def write_safetensors(path, tensors, metadata=None):
    header, chunks, at = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to('cpu', torch.float32).contiguous().numpy().tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [at, at + len(data)]}
        chunks.append(data)
        at += len(data)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    head = json.dumps(header).encode()
    head += b' ' * (-len(head) % 8)
    with open(path, 'wb') as fh:
        fh.write(struct.pack('<Q', len(head)) + head + b''.join(chunks))


def load_weights(module, tensors, where='weights.safetensors'):
    """Copies the file's tensors into the module's parameters by TypeScript name; any difference is an error."""
    mine = dict(ts_parameters(module))
    problems = [f"missing '{n}'" for n in mine if n not in tensors]
    problems += [f"unexpected '{n}'" for n in tensors if n not in mine]
    problems += [f"'{n}' is {list(tensors[n].shape)} in the file but {list(p.shape)} here" for n, p in mine.items() if n in tensors and tensors[n].shape != p.shape]
    if problems:
        raise ValueError(f'{where} does not fit this model: ' + '; '.join(problems[:8]))
    with torch.no_grad():
        for n, p in mine.items():
            p.copy_(tensors[n])


def save_weights(path, module, metadata=None):
    write_safetensors(path, {n: p for n, p in ts_parameters(module)}, metadata)
