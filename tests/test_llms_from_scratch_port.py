"""Sebastian Raschka's "Build a Large Language Model (From Scratch)" (rasbt/LLMs-from-scratch), its model code
ported to this library: the attention variants of chapter 3 and its efficient multi-head attention bonus, the GPT
of chapter 4, the loss, training and sampling of chapter 5, the KV cache (ch04/03), grouped-query attention
(ch04/04) and the Llama parts (ch05/07: RMSNorm, SiLU feed-forward, RoPE, weight tying), with the fine-tuning
steps of chapters 6 and 7 (frozen layers, ``ignore_index=-100``) and appendix D's warmup, cosine decay and clipping.

Each module is written once, with the book's torch spellings, against a namespace pair ``T`` (``autograd`` or
``torch``) and ``nn`` (``nn`` or ``torch.nn``), built on both sides, given torch's weights through
``load_state_dict(torch_model.state_dict())``, and compared: outputs, losses, every parameter's gradient and the
input's, and the parameters after a few AdamW steps. The models are small (embeddings of 16, 2 to 4 heads,
2 layers, a context of 8, a vocabulary of 50) and run in float64 on both sides (``.double()``), except one float32
run with float32 tolerances. Where the book's spelling needs torch (``torch.nn.functional`` from the ``torch``
namespace, ``torch.save``), the port uses the library's place for it (``nn.functional``, ``nn.save``).
"""

# ruff: noqa: N801, N802, N803, N806 - the book's names (SelfAttention_v1, W_query, Q, K, V)

from __future__ import annotations

import math
import types

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")

ATOL = 1e-10
RTOL = 1e-8


def book(T, nn):
    """The book's modules and functions, spelled with ``T`` for torch and ``nn`` for torch.nn."""

    class SelfAttention_v1(nn.Module):
        def __init__(self, d_in, d_out):
            super().__init__()
            self.W_query = nn.Parameter(T.rand(d_in, d_out))
            self.W_key = nn.Parameter(T.rand(d_in, d_out))
            self.W_value = nn.Parameter(T.rand(d_in, d_out))

        def forward(self, x):
            queries, keys, values = x @ self.W_query, x @ self.W_key, x @ self.W_value
            attn_weights = T.softmax(queries @ keys.T / keys.shape[-1] ** 0.5, dim=-1)
            return attn_weights @ values

    class SelfAttention_v2(nn.Module):
        def __init__(self, d_in, d_out, qkv_bias=False):
            super().__init__()
            self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)

        def forward(self, x):
            queries, keys, values = self.W_query(x), self.W_key(x), self.W_value(x)
            attn_weights = T.softmax(queries @ keys.T / keys.shape[-1] ** 0.5, dim=-1)
            return attn_weights @ values

    class CausalAttention(nn.Module):
        def __init__(self, d_in, d_out, context_length, dropout, qkv_bias=False):
            super().__init__()
            self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.dropout = nn.Dropout(dropout)
            self.register_buffer("mask", T.triu(T.ones(context_length, context_length), diagonal=1))

        def forward(self, x):
            b, num_tokens, d_in = x.shape
            queries, keys, values = self.W_query(x), self.W_key(x), self.W_value(x)
            attn_scores = queries @ keys.transpose(1, 2)
            attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -T.inf)
            attn_weights = self.dropout(T.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1))
            return attn_weights @ values

    class MultiHeadAttentionWrapper(nn.Module):
        def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
            super().__init__()
            self.heads = nn.ModuleList(
                [CausalAttention(d_in, d_out, context_length, dropout, qkv_bias) for _ in range(num_heads)]
            )

        def forward(self, x):
            return T.cat([head(x) for head in self.heads], dim=-1)

    class MultiHeadAttention(nn.Module):
        """Chapter 3's, with the KV cache of ch04/03 (``use_cache``; off, it is the chapter's module)."""

        def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
            super().__init__()
            assert d_out % num_heads == 0, "d_out must be divisible by num_heads"
            self.d_out, self.num_heads, self.head_dim = d_out, num_heads, d_out // num_heads
            self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.W_key = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.W_value = nn.Linear(d_in, d_out, bias=qkv_bias)
            self.out_proj = nn.Linear(d_out, d_out)
            self.dropout = nn.Dropout(dropout)
            self.register_buffer("mask", T.triu(T.ones(context_length, context_length), diagonal=1))
            self.register_buffer("cache_k", None, persistent=False)
            self.register_buffer("cache_v", None, persistent=False)
            self.ptr_current_pos = 0

        def forward(self, x, use_cache=False):
            b, num_tokens, d_in = x.shape
            keys = self.W_key(x).view(b, num_tokens, self.num_heads, self.head_dim)
            values = self.W_value(x).view(b, num_tokens, self.num_heads, self.head_dim)
            queries = self.W_query(x).view(b, num_tokens, self.num_heads, self.head_dim)
            if use_cache:
                if self.cache_k is None:
                    self.cache_k, self.cache_v = keys, values
                else:
                    self.cache_k = T.cat([self.cache_k, keys], dim=1)
                    self.cache_v = T.cat([self.cache_v, values], dim=1)
                keys, values = self.cache_k, self.cache_v
            keys, queries, values = keys.transpose(1, 2), queries.transpose(1, 2), values.transpose(1, 2)
            attn_scores = queries @ keys.transpose(2, 3)
            num_tokens_k = keys.shape[-2]
            start = self.ptr_current_pos if use_cache else 0
            mask_bool = self.mask.bool()[start : start + num_tokens, :num_tokens_k]
            if use_cache:
                self.ptr_current_pos += num_tokens
            attn_scores.masked_fill_(mask_bool, -T.inf)
            attn_weights = self.dropout(T.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1))
            context_vec = (attn_weights @ values).transpose(1, 2)
            context_vec = context_vec.contiguous().view(b, num_tokens, self.d_out)
            return self.out_proj(context_vec)

        def reset_cache(self):
            self.cache_k, self.cache_v = None, None
            self.ptr_current_pos = 0

    class MultiHeadAttentionCombinedQKV(nn.Module):
        def __init__(self, d_in, d_out, num_heads, context_length, dropout=0.0, qkv_bias=False):
            super().__init__()
            self.num_heads, self.head_dim = num_heads, d_out // num_heads
            self.qkv = nn.Linear(d_in, 3 * d_out, bias=qkv_bias)
            self.proj = nn.Linear(d_out, d_out)
            self.dropout = nn.Dropout(dropout)
            self.register_buffer("mask", T.triu(T.ones(context_length, context_length), diagonal=1))

        def forward(self, x):
            batch_size, num_tokens, embed_dim = x.shape
            qkv = self.qkv(x).view(batch_size, num_tokens, 3, self.num_heads, self.head_dim)
            queries, keys, values = qkv.permute(2, 0, 3, 1, 4).unbind(0)
            attn_scores = queries @ keys.transpose(-2, -1)
            attn_scores = attn_scores.masked_fill(self.mask.bool()[:num_tokens, :num_tokens], -T.inf)
            attn_weights = self.dropout(T.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1))
            context_vec = (attn_weights @ values).transpose(1, 2)
            return self.proj(context_vec.contiguous().view(batch_size, num_tokens, embed_dim))

    class MHAEinsum(nn.Module):
        def __init__(self, d_in, d_out, context_length, dropout, num_heads, qkv_bias=False):
            super().__init__()
            self.d_out, self.num_heads, self.head_dim = d_out, num_heads, d_out // num_heads
            self.W_query = nn.Parameter(T.randn(d_in, d_out))
            self.W_key = nn.Parameter(T.randn(d_in, d_out))
            self.W_value = nn.Parameter(T.randn(d_in, d_out))
            for name in ("bias_q", "bias_k", "bias_v"):
                if qkv_bias:
                    setattr(self, name, nn.Parameter(T.zeros(d_out)))
                else:
                    self.register_parameter(name, None)
            self.out_proj = nn.Linear(d_out, d_out)
            self.dropout = nn.Dropout(dropout)
            self.register_buffer("mask", T.triu(T.ones(context_length, context_length), diagonal=1))
            for weight in (self.W_query, self.W_key, self.W_value):
                nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
            if self.bias_q is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.W_query)
                bound = 1 / math.sqrt(fan_in)
                for bias in (self.bias_q, self.bias_k, self.bias_v):
                    nn.init.uniform_(bias, -bound, bound)

        def forward(self, x):
            b, n, _ = x.shape
            Q = T.einsum("bnd,di->bni", x, self.W_query)
            K = T.einsum("bnd,di->bni", x, self.W_key)
            V = T.einsum("bnd,di->bni", x, self.W_value)
            if self.bias_q is not None:
                Q += self.bias_q
                K += self.bias_k
                V += self.bias_v
            Q = Q.view(b, n, self.num_heads, self.head_dim).transpose(1, 2)
            K = K.view(b, n, self.num_heads, self.head_dim).transpose(1, 2)
            V = V.view(b, n, self.num_heads, self.head_dim).transpose(1, 2)
            scores = T.einsum("bhnd,bhmd->bhnm", Q, K) / (self.head_dim**0.5)
            mask = self.mask[:n, :n].unsqueeze(0).unsqueeze(1).expand(b, self.num_heads, n, n)
            attn_weights = self.dropout(T.softmax(scores.masked_fill(mask.bool(), -T.inf), dim=-1))
            context_vec = T.einsum("bhnm,bhmd->bhnd", attn_weights, V)
            return self.out_proj(context_vec.transpose(1, 2).reshape(b, n, self.d_out))

    class MHAPyTorchScaledDotProduct(nn.Module):
        """The bonus notebook's SDPA variants: ``is_causal=True``, or (``explicit_mask``) its "without flash" one,
        a boolean mask of the positions to attend (``~`` of the causal buffer)."""

        def __init__(self, d_in, d_out, num_heads, context_length, dropout=0.0, qkv_bias=False, explicit_mask=False):
            super().__init__()
            self.num_heads, self.head_dim, self.d_out = num_heads, d_out // num_heads, d_out
            self.qkv = nn.Linear(d_in, 3 * d_out, bias=qkv_bias)
            self.proj = nn.Linear(d_out, d_out)
            self.dropout, self.explicit_mask = dropout, explicit_mask
            self.register_buffer("mask", T.triu(T.ones(context_length, context_length), diagonal=1).bool())

        def forward(self, x):
            batch_size, num_tokens, embed_dim = x.shape
            qkv = self.qkv(x).view(batch_size, num_tokens, 3, self.num_heads, self.head_dim)
            queries, keys, values = qkv.permute(2, 0, 3, 1, 4)
            use_dropout = 0.0 if not self.training else self.dropout
            if self.explicit_mask:
                attn_mask = ~self.mask[:num_tokens, :num_tokens]
                context_vec = nn.functional.scaled_dot_product_attention(
                    queries, keys, values, attn_mask=attn_mask, dropout_p=use_dropout, is_causal=False
                )
            else:
                context_vec = nn.functional.scaled_dot_product_attention(
                    queries, keys, values, attn_mask=None, dropout_p=use_dropout, is_causal=True
                )
            context_vec = context_vec.transpose(1, 2).contiguous().view(batch_size, num_tokens, self.d_out)
            return self.proj(context_vec)

    class MHAPyTorchClass(nn.Module):
        def __init__(self, d_in, d_out, num_heads, context_length, dropout=0.0, qkv_bias=False, need_weights=True):
            super().__init__()
            self.context_length = context_length
            self.multihead_attn = nn.MultiheadAttention(
                embed_dim=d_out,
                num_heads=num_heads,
                dropout=dropout,
                bias=qkv_bias,
                add_bias_kv=qkv_bias,
                batch_first=True,
            )
            self.need_weights = need_weights
            self.proj = nn.Linear(d_out, d_out)
            self.register_buffer("mask", T.triu(T.ones(context_length, context_length), diagonal=1).bool())

        def forward(self, x):
            batch_size, num_tokens, _ = x.shape
            attn_mask = self.mask[:num_tokens, :num_tokens]
            attn_output, _ = self.multihead_attn(x, x, x, attn_mask=attn_mask, need_weights=self.need_weights)
            return self.proj(attn_output)

    class GroupedQueryAttention(nn.Module):
        """ch04/04's, with its KV cache (the keys and values grouped, ``repeat_interleave``d to the heads)."""

        def __init__(self, d_in, d_out, dropout, num_heads, num_kv_groups, dtype=None, qkv_bias=False):
            super().__init__()
            assert num_heads % num_kv_groups == 0, "num_heads must be divisible by num_kv_groups"
            self.d_out, self.num_heads, self.head_dim = d_out, num_heads, d_out // num_heads
            self.num_kv_groups, self.group_size = num_kv_groups, num_heads // num_kv_groups
            self.W_key = nn.Linear(d_in, num_kv_groups * self.head_dim, bias=qkv_bias, dtype=dtype)
            self.W_value = nn.Linear(d_in, num_kv_groups * self.head_dim, bias=qkv_bias, dtype=dtype)
            self.W_query = nn.Linear(d_in, d_out, bias=qkv_bias, dtype=dtype)
            self.out_proj = nn.Linear(d_out, d_out, bias=False, dtype=dtype)
            self.dropout = nn.Dropout(dropout)
            self.register_buffer("cache_k", None, persistent=False)
            self.register_buffer("cache_v", None, persistent=False)
            self.ptr_current_pos = 0

        def forward(self, x, use_cache=False):
            b, num_tokens, _ = x.shape
            queries = self.W_query(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
            keys_new = self.W_key(x).view(b, num_tokens, self.num_kv_groups, self.head_dim).transpose(1, 2)
            values_new = self.W_value(x).view(b, num_tokens, self.num_kv_groups, self.head_dim).transpose(1, 2)
            if use_cache:
                if self.cache_k is None:
                    self.cache_k, self.cache_v = keys_new, values_new
                else:
                    self.cache_k = T.cat([self.cache_k, keys_new], dim=2)
                    self.cache_v = T.cat([self.cache_v, values_new], dim=2)
                keys_base, values_base = self.cache_k, self.cache_v
            else:
                keys_base, values_base = keys_new, values_new
            keys = keys_base.repeat_interleave(self.group_size, dim=1)
            values = values_base.repeat_interleave(self.group_size, dim=1)
            attn_scores = queries @ keys.transpose(2, 3)
            num_tokens_q, num_tokens_k = queries.shape[-2], keys.shape[-2]
            device = queries.device
            if use_cache:
                start = self.ptr_current_pos
                self.ptr_current_pos += num_tokens_q
            else:
                start = 0
            q_positions = T.arange(start, start + num_tokens_q, device=device, dtype=T.long)
            k_positions = T.arange(num_tokens_k, device=device, dtype=T.long)
            mask = q_positions.unsqueeze(-1) < k_positions.unsqueeze(0)
            attn_scores = attn_scores.masked_fill(mask, -T.inf)
            attn_weights = self.dropout(T.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1))
            context_vec = (attn_weights @ values).transpose(1, 2)
            return self.out_proj(context_vec.contiguous().view(b, num_tokens, self.d_out))

        def reset_cache(self):
            self.cache_k, self.cache_v = None, None
            self.ptr_current_pos = 0

    class LayerNorm(nn.Module):
        def __init__(self, emb_dim):
            super().__init__()
            self.eps = 1e-5
            self.scale = nn.Parameter(T.ones(emb_dim))
            self.shift = nn.Parameter(T.zeros(emb_dim))

        def forward(self, x):
            mean = x.mean(dim=-1, keepdim=True)
            var = x.var(dim=-1, keepdim=True, unbiased=False)
            norm_x = (x - mean) / T.sqrt(var + self.eps)
            return self.scale * norm_x + self.shift

    class GELU(nn.Module):
        def forward(self, x):
            return 0.5 * x * (1 + T.tanh(T.sqrt(T.tensor(2.0 / T.pi)) * (x + 0.044715 * T.pow(x, 3))))

    class FeedForward(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.layers = nn.Sequential(
                nn.Linear(cfg["emb_dim"], 4 * cfg["emb_dim"]), GELU(), nn.Linear(4 * cfg["emb_dim"], cfg["emb_dim"])
            )

        def forward(self, x):
            return self.layers(x)

    class TransformerBlock(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            if cfg.get("n_kv_groups"):
                self.att = GroupedQueryAttention(
                    cfg["emb_dim"], cfg["emb_dim"], cfg["drop_rate"], cfg["n_heads"], cfg["n_kv_groups"],
                    qkv_bias=cfg["qkv_bias"],
                )  # fmt: skip
            else:
                self.att = MultiHeadAttention(
                    d_in=cfg["emb_dim"],
                    d_out=cfg["emb_dim"],
                    context_length=cfg["context_length"],
                    num_heads=cfg["n_heads"],
                    dropout=cfg["drop_rate"],
                    qkv_bias=cfg["qkv_bias"],
                )
            self.ff = FeedForward(cfg)
            self.norm1 = LayerNorm(cfg["emb_dim"])
            self.norm2 = LayerNorm(cfg["emb_dim"])
            self.drop_shortcut = nn.Dropout(cfg["drop_rate"])

        def forward(self, x, use_cache=False):
            shortcut = x
            x = self.drop_shortcut(self.att(self.norm1(x), use_cache=use_cache))
            x = x + shortcut
            shortcut = x
            x = self.drop_shortcut(self.ff(self.norm2(x)))
            return x + shortcut

    class GPTModel(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"])
            self.pos_emb = nn.Embedding(cfg["context_length"], cfg["emb_dim"])
            self.drop_emb = nn.Dropout(cfg["drop_rate"])
            self.trf_blocks = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg["n_layers"])])
            self.current_pos = 0
            self.final_norm = LayerNorm(cfg["emb_dim"])
            self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False)

        def forward(self, in_idx, use_cache=False):
            batch_size, seq_len = in_idx.shape
            tok_embeds = self.tok_emb(in_idx)
            if use_cache:
                pos_ids = T.arange(self.current_pos, self.current_pos + seq_len, device=in_idx.device, dtype=T.long)
                self.current_pos += seq_len
            else:
                pos_ids = T.arange(seq_len, device=in_idx.device)
            x = self.drop_emb(tok_embeds + self.pos_emb(pos_ids).unsqueeze(0))
            for blk in self.trf_blocks:
                x = blk(x, use_cache=use_cache)
            return self.out_head(self.final_norm(x))

        def reset_kv_cache(self):
            for blk in self.trf_blocks:
                blk.att.reset_cache()
            self.current_pos = 0

    def generate_text_simple(model, idx, max_new_tokens, context_size):
        for _ in range(max_new_tokens):
            idx_cond = idx[:, -context_size:]
            with T.no_grad():
                logits = model(idx_cond)
            probas = T.softmax(logits[:, -1, :], dim=-1)
            idx_next = T.argmax(probas, dim=-1, keepdim=True)
            idx = T.cat((idx, idx_next), dim=1)
        return idx

    def generate_text_simple_cached(model, idx, max_new_tokens):
        model.eval()
        model.reset_kv_cache()
        with T.no_grad():
            logits = model(idx, use_cache=True)
            for _ in range(max_new_tokens):
                next_idx = logits[:, -1].argmax(dim=-1, keepdim=True)
                idx = T.cat([idx, next_idx], dim=1)
                logits = model(next_idx, use_cache=True)
        return idx

    def generate(model, idx, max_new_tokens, context_size, temperature=0.0, top_k=None, eos_id=None):
        for _ in range(max_new_tokens):
            idx_cond = idx[:, -context_size:]
            with T.no_grad():
                logits = model(idx_cond)
            logits = logits[:, -1, :]
            if top_k is not None:
                top_logits, _ = T.topk(logits, top_k)
                min_val = top_logits[:, -1]
                logits = T.where(logits < min_val, T.tensor(float("-inf")).to(logits.device), logits)
            if temperature > 0.0:
                probs = T.softmax(logits / temperature, dim=-1)
                idx_next = T.multinomial(probs, num_samples=1)
            else:
                idx_next = T.argmax(logits, dim=-1, keepdim=True)
            if idx_next == eos_id:
                break
            idx = T.cat((idx, idx_next), dim=1)
        return idx

    def calc_loss_batch(input_batch, target_batch, model, device):
        input_batch, target_batch = input_batch.to(device), target_batch.to(device)
        logits = model(input_batch)
        return nn.functional.cross_entropy(logits.flatten(0, 1), target_batch.flatten())

    class RMSNorm(nn.Module):
        def __init__(self, emb_dim, eps=1e-5):
            super().__init__()
            self.eps = eps
            self.weight = nn.Parameter(T.ones(emb_dim)).float()

        def forward(self, x):
            means = x.pow(2).mean(dim=-1, keepdim=True)
            x_normed = x * T.rsqrt(means + self.eps)
            return (x_normed * self.weight).to(dtype=x.dtype)

    class SiLU(nn.Module):
        def forward(self, x):
            return x * T.sigmoid(x)

    class LlamaFeedForward(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.fc1 = nn.Linear(cfg["emb_dim"], cfg["hidden_dim"], dtype=cfg["dtype"], bias=False)
            self.fc2 = nn.Linear(cfg["emb_dim"], cfg["hidden_dim"], dtype=cfg["dtype"], bias=False)
            self.fc3 = nn.Linear(cfg["hidden_dim"], cfg["emb_dim"], dtype=cfg["dtype"], bias=False)
            self.silu = SiLU()

        def forward(self, x):
            return self.fc3(self.silu(self.fc1(x)) * self.fc2(x))

    def precompute_rope_params(head_dim, theta_base=10_000, context_length=4096, freq_config=None):
        assert head_dim % 2 == 0, "Embedding dimension must be even"
        inv_freq = 1.0 / (theta_base ** (T.arange(0, head_dim, 2)[: (head_dim // 2)].float() / head_dim))
        if freq_config is not None:  # Llama 3.1/3.2's frequency smoothing
            low_freq_wavelen = freq_config["original_context_length"] / freq_config["low_freq_factor"]
            high_freq_wavelen = freq_config["original_context_length"] / freq_config["high_freq_factor"]
            wavelen = 2 * T.pi / inv_freq
            inv_freq_llama = T.where(wavelen > low_freq_wavelen, inv_freq / freq_config["factor"], inv_freq)
            smooth_factor = (freq_config["original_context_length"] / wavelen - freq_config["low_freq_factor"]) / (
                freq_config["high_freq_factor"] - freq_config["low_freq_factor"]
            )
            smoothed_inv_freq = (1 - smooth_factor) * (inv_freq / freq_config["factor"]) + smooth_factor * inv_freq
            is_medium_freq = (wavelen <= low_freq_wavelen) & (wavelen >= high_freq_wavelen)
            inv_freq = T.where(is_medium_freq, smoothed_inv_freq, inv_freq_llama)
        positions = T.arange(context_length)
        angles = positions[:, None] * inv_freq[None, :]
        angles = T.cat([angles, angles], dim=1)
        return T.cos(angles), T.sin(angles)

    def compute_rope(x, cos, sin):
        batch_size, num_heads, seq_len, head_dim = x.shape
        x1, x2 = x[..., : head_dim // 2], x[..., head_dim // 2 :]
        cos = cos[:seq_len, :].unsqueeze(0).unsqueeze(0)
        sin = sin[:seq_len, :].unsqueeze(0).unsqueeze(0)
        rotated = T.cat((-x2, x1), dim=-1)
        return ((x * cos) + (rotated * sin)).to(dtype=x.dtype)

    class LlamaAttention(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            d, self.num_heads, self.num_kv_groups = cfg["emb_dim"], cfg["n_heads"], cfg["n_kv_groups"]
            self.head_dim, self.group_size = d // self.num_heads, self.num_heads // self.num_kv_groups
            self.W_query = nn.Linear(d, d, bias=False, dtype=cfg["dtype"])
            self.W_key = nn.Linear(d, self.num_kv_groups * self.head_dim, bias=False, dtype=cfg["dtype"])
            self.W_value = nn.Linear(d, self.num_kv_groups * self.head_dim, bias=False, dtype=cfg["dtype"])
            self.out_proj = nn.Linear(d, d, bias=False, dtype=cfg["dtype"])
            self.register_buffer("mask", T.triu(T.ones(cfg["context_length"], cfg["context_length"]), diagonal=1))
            cos, sin = precompute_rope_params(self.head_dim, cfg["rope_base"], cfg["context_length"])
            self.register_buffer("cos", cos, persistent=False)
            self.register_buffer("sin", sin, persistent=False)

        def forward(self, x):
            b, num_tokens, d_in = x.shape
            queries = self.W_query(x).view(b, num_tokens, self.num_heads, self.head_dim).transpose(1, 2)
            keys = self.W_key(x).view(b, num_tokens, self.num_kv_groups, self.head_dim).transpose(1, 2)
            values = self.W_value(x).view(b, num_tokens, self.num_kv_groups, self.head_dim).transpose(1, 2)
            keys = compute_rope(keys, self.cos, self.sin).repeat_interleave(self.group_size, dim=1)
            queries = compute_rope(queries, self.cos, self.sin)
            values = values.repeat_interleave(self.group_size, dim=1)
            attn_scores = queries @ keys.transpose(2, 3)
            attn_scores.masked_fill_(self.mask.bool()[:num_tokens, :num_tokens], -T.inf)
            attn_weights = T.softmax(attn_scores / keys.shape[-1] ** 0.5, dim=-1)
            context_vec = (attn_weights @ values).transpose(1, 2).reshape(b, num_tokens, -1)
            return self.out_proj(context_vec)

    class LlamaBlock(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.att = LlamaAttention(cfg)
            self.ff = LlamaFeedForward(cfg)
            self.norm1 = nn.RMSNorm(cfg["emb_dim"], eps=1e-5, dtype=cfg["dtype"])
            self.norm2 = nn.RMSNorm(cfg["emb_dim"], eps=1e-5, dtype=cfg["dtype"])

        def forward(self, x):
            x = self.att(self.norm1(x)) + x
            return self.ff(self.norm2(x)) + x

    class Llama(nn.Module):
        def __init__(self, cfg):
            super().__init__()
            self.tok_emb = nn.Embedding(cfg["vocab_size"], cfg["emb_dim"], dtype=cfg["dtype"])
            self.trf_blocks = nn.Sequential(*[LlamaBlock(cfg) for _ in range(cfg["n_layers"])])
            self.final_norm = nn.RMSNorm(cfg["emb_dim"], eps=1e-5, dtype=cfg["dtype"])
            self.out_head = nn.Linear(cfg["emb_dim"], cfg["vocab_size"], bias=False, dtype=cfg["dtype"])
            self.out_head.weight = self.tok_emb.weight  # weight tying

        def forward(self, in_idx):
            return self.out_head(self.final_norm(self.trf_blocks(self.tok_emb(in_idx))))

    return types.SimpleNamespace(**{k: v for k, v in locals().items() if k not in ("T", "nn")})


OURS = book(autograd, nn)
THEIRS = book(torch, torch.nn)

GPT_CONFIG = {
    "vocab_size": 50,
    "context_length": 8,
    "emb_dim": 16,
    "n_heads": 2,
    "n_layers": 2,
    "drop_rate": 0.1,
    "qkv_bias": False,
}
LLAMA_CONFIG = {
    "vocab_size": 50,
    "context_length": 8,
    "emb_dim": 16,
    "n_heads": 4,
    "n_kv_groups": 2,
    "n_layers": 2,
    "hidden_dim": 24,
    "rope_base": 10_000,
    "dtype": None,
}


def _numpy(x):
    return x.detach().numpy() if isinstance(x, (torch.Tensor, autograd.Tensor)) else np.asarray(x)


def _close(ours, theirs, what, atol=ATOL, rtol=RTOL):
    assert ours is not None, f"{what}: None"
    ours, theirs = _numpy(ours), _numpy(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape}, torch {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, atol=atol, rtol=rtol, err_msg=what)


def _twins(make, dtype="double"):
    """The module ``make(namespace)`` builds, in torch and here, in eval mode and the given precision, with
    torch's weights (``load_state_dict(state_dict())``, torch's tensors as they are)."""
    torch.manual_seed(0)
    theirs = getattr(make(THEIRS), dtype)().eval()
    ours = getattr(make(OURS), dtype)().eval()
    result = ours.load_state_dict(theirs.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    # the non-persistent buffers too: RoPE's float32 cos/sin tables differ in their last bit between numpy's and
    # torch's float32 cos (test_rope_parameters_and_rotation_match_torch compares them to float32 precision)
    state = theirs.state_dict()
    for name, buffer in theirs.named_buffers():
        if name not in state:
            owner, _, leaf = name.rpartition(".")
            setattr(ours.get_submodule(owner), leaf, autograd.tensor(buffer.numpy()))
    return ours, theirs


def _same_gradients(ours, theirs, atol=ATOL, rtol=RTOL):
    named_ours, named_theirs = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert list(named_ours) == list(named_theirs)
    for name, parameter in named_theirs.items():
        if parameter.grad is None:  # a frozen parameter
            assert named_ours[name].grad is None, f"{name}: a gradient where torch's is None"
        else:
            _close(named_ours[name].grad, parameter.grad, f"gradient of {name}", atol, rtol)


def _compare_module(make, x, loss=lambda out: (out**2).mean()):
    """Forward values, then the gradients of ``loss`` for every parameter and the input."""
    ours, theirs = _twins(make)
    x_ours, x_theirs = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_ours, out_theirs = ours(x_ours), theirs(x_theirs)
    _close(out_ours, out_theirs, "output")
    loss(out_ours).backward()
    loss(out_theirs).backward()
    _same_gradients(ours, theirs)
    _close(x_ours.grad, x_theirs.grad, "gradient of the input")


# torch's factories in float64, as this library's: the book's ``T.tensor(2.0 / T.pi)`` and ``T.ones(d)``
# then hold the same numbers on both sides (a float32 constant would round the float64 models' GELU).
pytestmark = pytest.mark.usefixtures("torch_default_float64")


RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 6, 16))
TOKENS = RNG.integers(0, 50, (2, 6))
TARGETS = RNG.integers(0, 50, (2, 6))


@pytest.mark.parametrize(
    "make",
    [
        lambda B: B.SelfAttention_v1(16, 8),
        lambda B: B.SelfAttention_v2(16, 8, qkv_bias=True),
    ],
    ids=["SelfAttention_v1 (nn.Parameter(T.rand))", "SelfAttention_v2 (nn.Linear)"],
)
def test_chapter3_self_attention_matches_torch(make):
    _compare_module(make, X[0])


@pytest.mark.parametrize(
    "make",
    [
        lambda B: B.CausalAttention(16, 8, 8, 0.0),
        lambda B: B.MultiHeadAttentionWrapper(16, 8, 8, 0.0, num_heads=2),
        lambda B: B.MultiHeadAttention(16, 16, 8, 0.0, num_heads=2, qkv_bias=True),
        lambda B: B.MultiHeadAttentionCombinedQKV(16, 16, num_heads=2, context_length=8),
        lambda B: B.MHAEinsum(16, 16, 8, 0.0, num_heads=2, qkv_bias=True),
        lambda B: B.MHAPyTorchScaledDotProduct(16, 16, num_heads=2, context_length=8),
        lambda B: B.MHAPyTorchScaledDotProduct(16, 16, num_heads=2, context_length=8, explicit_mask=True),
        lambda B: B.MHAPyTorchClass(16, 16, num_heads=2, context_length=8),
        lambda B: B.MHAPyTorchClass(16, 16, num_heads=2, context_length=8, qkv_bias=True, need_weights=False),
        lambda B: B.GroupedQueryAttention(16, 16, 0.0, num_heads=4, num_kv_groups=2),
    ],
    ids=[
        "CausalAttention (masked_fill_ -inf)",
        "MultiHeadAttentionWrapper (ModuleList, cat)",
        "MultiHeadAttention (view, transpose, contiguous)",
        "combined QKV (permute, unbind)",
        "einsum (kaiming_uniform_, expand)",
        "scaled_dot_product_attention is_causal",
        "scaled_dot_product_attention boolean mask",
        "nn.MultiheadAttention",
        "nn.MultiheadAttention add_bias_kv, need_weights=False",
        "grouped-query (repeat_interleave)",
    ],
)
def test_causal_attention_variants_match_torch(make):
    _compare_module(make, X)


@pytest.mark.parametrize(
    "make",
    [
        lambda B: B.MultiHeadAttention(16, 16, 8, 0.0, num_heads=2),
        lambda B: B.MultiHeadAttentionCombinedQKV(16, 16, num_heads=2, context_length=8),
        lambda B: B.MHAEinsum(16, 16, 8, 0.0, num_heads=2),
        lambda B: B.MHAPyTorchScaledDotProduct(16, 16, num_heads=2, context_length=8, explicit_mask=True),
        lambda B: B.MHAPyTorchClass(16, 16, num_heads=2, context_length=8),
    ],
    ids=["view/transpose", "combined QKV", "einsum", "sdpa mask", "nn.MultiheadAttention"],
)
def test_changing_future_tokens_leaves_earlier_outputs_alone(make):
    """The bonus notebook's test: a causal attention's first outputs ignore later tokens."""
    ours, _ = _twins(make)
    changed = X.copy()
    changed[:, 2:] += 10
    np.testing.assert_allclose(ours(autograd.tensor(changed)).data[:, :2], ours(autograd.tensor(X)).data[:, :2])


def test_masking_after_softmax_and_renormalising_equals_masking_with_minus_inf():
    """Chapter 3's two routes to causal weights: tril-masked softmax weights renormalised by their row sums, and
    a softmax of scores filled with -inf above the diagonal (triu), the same weights."""
    scores = autograd.tensor(RNG.standard_normal((6, 6)))
    context_length = scores.shape[0]
    mask_simple = autograd.tril(autograd.ones(context_length, context_length))
    masked_simple = autograd.softmax(scores, dim=-1) * mask_simple
    renormalised = masked_simple / masked_simple.sum(dim=-1, keepdim=True)
    mask = autograd.triu(autograd.ones(context_length, context_length), diagonal=1)
    masked = autograd.softmax(scores.masked_fill(mask.bool(), -autograd.inf), dim=-1)
    np.testing.assert_allclose(masked.data, renormalised.data, rtol=1e-12)
    expected = torch.softmax(torch.tensor(scores.data).masked_fill(torch.tensor(mask.data).bool(), -torch.inf), -1)
    _close(masked, expected, "masked weights")


def test_dropout_keeps_half_the_weights_doubled_in_training_and_none_in_eval():
    dropout = nn.Dropout(0.5)
    autograd.manual_seed(123)
    out = dropout(autograd.ones(6, 6))
    assert set(np.unique(out.data)) <= {0.0, 2.0} and 0 < (out.data == 2).sum() < 36
    np.testing.assert_array_equal(dropout.eval()(autograd.ones(6, 6)).data, np.ones((6, 6)))


@pytest.mark.parametrize(
    ("make", "builtin"),
    [
        (lambda B: B.LayerNorm(16), lambda lib: lib.LayerNorm(16, eps=1e-5)),
        (lambda B: B.GELU(), lambda lib: lib.GELU(approximate="tanh")),
        (lambda B: B.RMSNorm(16), lambda lib: lib.RMSNorm(16, eps=1e-5)),
        (lambda B: B.SiLU(), lambda lib: lib.SiLU()),
    ],
    ids=["LayerNorm (var unbiased=False)", "GELU (tanh approximation)", "RMSNorm (rsqrt)", "SiLU (x * sigmoid)"],
)
def test_hand_written_layers_match_torch_and_the_built_in_layer(make, builtin):
    _compare_module(make, X)
    hand, _ = _twins(make)
    layer = builtin(nn).double()
    np.testing.assert_allclose(hand(autograd.tensor(X)).data, layer(autograd.tensor(X)).data, rtol=1e-12, atol=1e-15)


def test_rmsnorm_parameter_of_float_is_registered_as_torchs():
    """``nn.Parameter(T.ones(d)).float()`` of float32 data is the Parameter itself, so it registers."""
    with _default_float32():
        assert [name for name, _ in OURS.RMSNorm(4).named_parameters()] == ["weight"]
        assert [name for name, _ in THEIRS.RMSNorm(4).named_parameters()] == ["weight"]


@pytest.mark.parametrize(
    "make",
    [
        lambda B: B.FeedForward(GPT_CONFIG),
        lambda B: B.TransformerBlock(GPT_CONFIG),
        lambda B: B.LlamaBlock(LLAMA_CONFIG),
    ],
    ids=["FeedForward", "TransformerBlock (shortcuts)", "Llama block (RoPE, GQA, SiLU feed-forward)"],
)
def test_blocks_match_torch(make):
    _compare_module(make, X)


def _losses(ours, theirs, loss_fn=None):
    if loss_fn is None:
        return (
            OURS.calc_loss_batch(autograd.tensor(TOKENS), autograd.tensor(TARGETS), ours, "cpu"),
            THEIRS.calc_loss_batch(torch.tensor(TOKENS), torch.tensor(TARGETS), theirs, "cpu"),
        )
    return loss_fn(ours, autograd, nn), loss_fn(theirs, torch, torch.nn)


def _train_like_torch(ours, theirs, steps=3, loss_fn=None, atol=ATOL, rtol=RTOL, **adamw):
    """Chapter 5's loop (zero_grad, loss, backward, step) with AdamW on both sides; the losses, gradients and
    parameters must agree at every step."""
    opt_ours = nn.optim.AdamW(ours.parameters(), **adamw)
    opt_theirs = torch.optim.AdamW(theirs.parameters(), **adamw)
    for step in range(steps):
        opt_ours.zero_grad()
        opt_theirs.zero_grad()
        loss_ours, loss_theirs = _losses(ours, theirs, loss_fn)
        _close(loss_ours, loss_theirs, f"loss at step {step}", atol, rtol)
        loss_ours.backward()
        loss_theirs.backward()
        _same_gradients(ours, theirs, atol, rtol)
        opt_ours.step()
        opt_theirs.step()
    for (name, mine), (_, theirs_) in zip(ours.named_parameters(), theirs.named_parameters()):
        _close(mine, theirs_, f"{name} after {steps} AdamW steps", atol, rtol)


def test_gpt_model_forward_loss_gradients_and_adamw_steps_match_torch():
    ours, theirs = _twins(lambda B: B.GPTModel(GPT_CONFIG))
    _close(ours(autograd.tensor(TOKENS)), theirs(torch.tensor(TOKENS)), "logits")
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in theirs.parameters())
    _train_like_torch(ours, theirs, lr=5e-4, weight_decay=0.1)


@pytest.fixture
def _default_float32_fixture():
    with _default_float32():
        yield


class _default_float32:
    """Both libraries' factories in float32 (the book's torch default; this library's is float64)."""

    def __enter__(self):
        self.previous = autograd.get_default_dtype(), torch.get_default_dtype()
        autograd.set_default_dtype(autograd.float32)
        torch.set_default_dtype(torch.float32)

    def __exit__(self, *exc):
        autograd.set_default_dtype(self.previous[0])
        torch.set_default_dtype(self.previous[1])


@pytest.mark.usefixtures("_default_float32_fixture")
def test_gpt_model_in_float32_matches_torch_to_float32_precision():
    ours, theirs = _twins(lambda B: B.GPTModel(GPT_CONFIG), dtype="float")
    assert {p.dtype for p in ours.parameters()} == {np.dtype(np.float32)}
    _train_like_torch(ours, theirs, steps=2, atol=2e-5, rtol=2e-4, lr=5e-4, weight_decay=0.1)


def test_training_mode_dropout_is_part_of_the_graph():
    ours, _ = _twins(lambda B: B.GPTModel({**GPT_CONFIG, "drop_rate": 0.5}))
    ours.train()
    autograd.manual_seed(0)
    loss = OURS.calc_loss_batch(autograd.tensor(TOKENS), autograd.tensor(TARGETS), ours, "cpu")
    loss.backward()
    assert all(p.grad is not None and np.isfinite(p.grad).all() for p in ours.parameters())
    ours.eval()
    assert OURS.calc_loss_batch(autograd.tensor(TOKENS), autograd.tensor(TARGETS), ours, "cpu").item() != loss.item()


def test_greedy_generation_gives_torchs_tokens():
    ours, theirs = _twins(lambda B: B.GPTModel(GPT_CONFIG))
    start = TOKENS[:1, :3]
    expected = THEIRS.generate_text_simple(theirs, torch.tensor(start), 8, context_size=8)
    got = OURS.generate_text_simple(ours, autograd.tensor(start), 8, context_size=8)
    assert got.dtype == np.int64 and got.tolist() == expected.tolist()
    expected = THEIRS.generate(theirs, torch.tensor(start), 8, context_size=8, top_k=5)
    assert OURS.generate(ours, autograd.tensor(start), 8, context_size=8, top_k=5).tolist() == expected.tolist()
    eos = int(expected[0, 4])
    expected = THEIRS.generate(theirs, torch.tensor(start), 8, context_size=8, eos_id=eos)
    assert OURS.generate(ours, autograd.tensor(start), 8, context_size=8, eos_id=eos).tolist() == expected.tolist()


def test_top_k_sampling_draws_only_the_top_k_tokens():
    ours, theirs = _twins(lambda B: B.GPTModel(GPT_CONFIG))
    start = TOKENS[:1, :3]
    with torch.no_grad():
        logits = theirs(torch.tensor(start))[0, -1]
    allowed = set(torch.topk(logits, 3).indices.tolist())
    autograd.manual_seed(123)
    drawn = {int(OURS.generate(ours, autograd.tensor(start), 1, 8, temperature=1.4, top_k=3)[0, -1]) for _ in range(60)}
    assert drawn <= allowed and len(drawn) > 1


@pytest.mark.parametrize("n_kv_groups", [None, 1], ids=["multi-head", "grouped-query"])
def test_kv_cache_generation_gives_the_uncached_tokens_and_logits(n_kv_groups):
    cfg = {**GPT_CONFIG, "n_kv_groups": n_kv_groups, "n_heads": 2}
    ours, theirs = _twins(lambda B: B.GPTModel(cfg))
    start = TOKENS[:1, :3]
    cached = OURS.generate_text_simple_cached(ours, autograd.tensor(start), 5)
    assert cached.tolist() == OURS.generate_text_simple(ours, autograd.tensor(start), 5, context_size=8).tolist()
    assert cached.tolist() == THEIRS.generate_text_simple_cached(theirs, torch.tensor(start), 5).tolist()
    ours.reset_kv_cache()
    steps = [ours(autograd.tensor(TOKENS[:, :4]), use_cache=True)]
    steps += [ours(autograd.tensor(TOKENS[:, i : i + 1]), use_cache=True) for i in range(4, 6)]
    _close(autograd.cat(steps, dim=1), theirs(torch.tensor(TOKENS)), "cached logits")
    # the caches are non-persistent buffers: in buffers(), out of the state dict, as torch's
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_rope_parameters_and_rotation_match_torch():
    freq_config = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_context_length": 8}
    for kwargs in ({}, {"theta_base": 500_000, "freq_config": freq_config}):
        cos, sin = OURS.precompute_rope_params(16, context_length=8, **kwargs)
        cos_t, sin_t = THEIRS.precompute_rope_params(16, context_length=8, **kwargs)
        assert cos.dtype == np.float32  # arange(...).float(): float32 on both sides
        _close(cos, cos_t, "cos", atol=1e-6, rtol=1e-6)
        _close(sin, sin_t, "sin", atol=1e-6, rtol=1e-6)
    q = RNG.standard_normal((1, 2, 8, 16))
    cos64, sin64 = cos_t.double(), sin_t.double()  # torch's tables on both sides
    rotated = OURS.compute_rope(autograd.tensor(q), autograd.tensor(cos64.numpy()), autograd.tensor(sin64.numpy()))
    _close(rotated, THEIRS.compute_rope(torch.tensor(q), cos64, sin64), "rotated")
    # a rotation: each pair (i, i + d/2) keeps its length (to float32's cos^2 + sin^2 = 1)
    half = q.shape[-1] // 2
    norms = np.hypot(rotated.data[..., :half], rotated.data[..., half:])
    np.testing.assert_allclose(norms, np.hypot(q[..., :half], q[..., half:]), rtol=1e-6)


def test_llama_weight_tying_shares_one_parameter_and_trains_as_torchs():
    ours, theirs = _twins(lambda B: B.Llama(LLAMA_CONFIG))
    assert ours.out_head.weight is ours.tok_emb.weight
    assert len(list(ours.parameters())) == len(list(theirs.parameters()))
    assert list(ours.state_dict()) == list(theirs.state_dict())

    def loss_fn(model, T, lib):
        logits = model(T.tensor(TOKENS))
        return lib.functional.cross_entropy(logits.flatten(0, 1), T.tensor(TARGETS).flatten())

    _train_like_torch(ours, theirs, loss_fn=loss_fn, lr=1e-2, weight_decay=0.1)
    assert ours.out_head.weight is ours.tok_emb.weight


def test_appendix_d_warmup_cosine_decay_and_clipping_train_as_torchs():
    ours, theirs = _twins(lambda B: B.GPTModel({**GPT_CONFIG, "drop_rate": 0.0}))
    opt_ours = nn.optim.AdamW(ours.parameters(), weight_decay=0.1)
    opt_theirs = torch.optim.AdamW(theirs.parameters(), weight_decay=0.1)
    peak_lr, initial_lr, min_lr, warmup_steps, total_steps = 0.01, 1e-4, 1e-5, 2, 5
    lr_increment = (peak_lr - initial_lr) / warmup_steps
    for step in range(total_steps):
        if step < warmup_steps:
            lr = initial_lr + step * lr_increment
        else:
            progress = (step - warmup_steps) / (total_steps - warmup_steps)
            lr = min_lr + (peak_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))
        norms = []
        for opt, model, B, T, lib in (
            (opt_ours, ours, OURS, autograd, nn),
            (opt_theirs, theirs, THEIRS, torch, torch.nn),
        ):
            opt.zero_grad()
            for param_group in opt.param_groups:
                param_group["lr"] = lr
            B.calc_loss_batch(T.tensor(TOKENS), T.tensor(TARGETS), model, "cpu").backward()
            norms.append(float(lib.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)))
            opt.step()
        np.testing.assert_allclose(norms[0], norms[1], rtol=1e-9, err_msg=f"gradient norm at step {step}")
    for (name, mine), (_, theirs_) in zip(ours.named_parameters(), theirs.named_parameters()):
        _close(mine, theirs_, name)


def test_classification_fine_tuning_with_frozen_layers_trains_as_torchs():
    """Chapter 6: every parameter frozen, a new 2-class head, the last block and final norm unfrozen; the loss of
    the last token's logits; the frozen parameters keep no gradient."""
    ours, theirs = _twins(lambda B: B.GPTModel({**GPT_CONFIG, "drop_rate": 0.0}))
    for model, lib in ((ours, nn), (theirs, torch.nn)):
        for param in model.parameters():
            param.requires_grad = False
        torch.manual_seed(1)
        model.out_head = lib.Linear(in_features=16, out_features=2).double()
        for param in list(model.trf_blocks[-1].parameters()) + list(model.final_norm.parameters()):
            param.requires_grad = True
    ours.out_head.load_state_dict(theirs.out_head.state_dict())
    labels = np.array([0, 1])

    def loss_fn(model, T, lib):
        return lib.functional.cross_entropy(model(T.tensor(TOKENS))[:, -1, :], T.tensor(labels))

    _train_like_torch(ours, theirs, steps=2, loss_fn=loss_fn, lr=5e-5, weight_decay=0.1)
    for (name, mine), (_, theirs_) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert (mine.grad is None) == (theirs_.grad is None), name


def test_instruction_fine_tuning_loss_ignores_padding_as_torchs():
    """Chapter 7's collate: padded targets after the first end-of-text token set to -100 (``nonzero``, index
    assignment), ignored by cross_entropy's default ``ignore_index``."""
    pad = 49
    batches = []
    for T in (autograd, torch):
        inputs_lst, targets_lst = [], []
        for item in ([3, 4, 5, 6], [7, 8]):
            padded = item + [pad] * (6 - len(item))
            inputs, targets = T.tensor(padded[:-1]), T.tensor(padded[1:])
            indices = T.nonzero(targets == pad).squeeze()
            if indices.numel() > 1:
                targets[indices[1:]] = -100
            inputs_lst.append(inputs)
            targets_lst.append(targets)
        batches.append((T.stack(inputs_lst).to("cpu"), T.stack(targets_lst).to("cpu")))
    assert batches[0][1].tolist() == batches[1][1].tolist() == [[4, 5, 6, 49, -100], [8, 49, -100, -100, -100]]
    ours, theirs = _twins(lambda B: B.GPTModel({**GPT_CONFIG, "drop_rate": 0.0}))
    loss_ours = OURS.calc_loss_batch(*batches[0], ours, "cpu")
    loss_theirs = THEIRS.calc_loss_batch(*batches[1], theirs, "cpu")
    _close(loss_ours, loss_theirs, "loss")
    loss_ours.backward()
    loss_theirs.backward()
    _same_gradients(ours, theirs)


def test_chapter5_loss_by_hand_is_cross_entropy_and_perplexity_as_torchs():
    logits = RNG.standard_normal((2, 3, 50))
    targets = RNG.integers(0, 50, (2, 3))
    results = []
    for T, lib in ((autograd, nn), (torch, torch.nn)):
        probas = T.softmax(T.tensor(logits), dim=-1)
        target_probas = [probas[i, [0, 1, 2], T.tensor(targets)[i]] for i in range(2)]
        neg_avg_log_probas = T.mean(T.log(T.cat(target_probas))) * -1
        loss = lib.functional.cross_entropy(T.tensor(logits).flatten(0, 1), T.tensor(targets).flatten())
        results.append((neg_avg_log_probas, loss, T.exp(loss)))
    for ours, theirs, what in zip(results[0], results[1], ("by hand", "cross_entropy", "perplexity")):
        _close(ours, theirs, what)
    _close(results[0][0], results[0][1], "by hand against cross_entropy")
