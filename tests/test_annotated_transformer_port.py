"""Harvard NLP's "The Annotated Transformer" (harvardnlp/annotated-transformer, the_annotated_transformer.py)
ported: the model (clones by ``copy.deepcopy`` into ``nn.ModuleList``, the hand-written LayerNorm with torch's
unbiased ``x.std(-1, keepdim=True)``, SublayerConnection, the encoder and decoder layers, ``subsequent_mask``,
``attention`` with ``masked_fill(mask == 0, -1e9)``, MultiHeadedAttention's view/transpose/contiguous, the
feed-forward, the scaled embeddings, the sinusoidal PositionalEncoding buffer, ``make_model`` with
``nn.init.xavier_uniform_``), and its training on the copy task (Batch and its masks, ``rate`` under ``LambdaLR``
with Adam(betas=(0.9, 0.98), eps=1e-9), LabelSmoothing with ``nn.KLDivLoss(reduction="sum")``, ``scatter_``,
``index_fill_`` and ``nonzero``, SimpleLossCompute, ``run_epoch``, ``data_gen``, ``greedy_decode``).

The book's code is written once, as it spells it, against ``T`` (``autograd`` or ``torch``), ``nn`` (``nn`` or
``torch.nn``), ``log_softmax`` and ``pad`` (``nn.functional``'s or torch's) and ``optim``/``LambdaLR``; both sides
are built small (N=2, d_model=16, d_ff=32, h=2, a vocabulary of 11), ours given torch's weights by
``load_state_dict``, and compared in float64 (torch's default dtype set to float64 inside each test, restored).
make_model's attention keeps the book's dropout of 0.1 whatever ``dropout`` it is given, so the comparisons set
every ``Dropout``'s ``p`` to 0; a separate seeded test checks dropout's train/eval semantics.

Deliberate differences the port meets (documented): the ``nn`` layers make float32 parameters whatever the
factories' default, so our model is made float64 with ``.double()`` (torch's follows its default dtype);
``.data`` is an array view, so ``Batch.ntokens`` is a numpy integer rather than a 0-d tensor; ``kl_div`` gives 0,
not torch's nan, for a 0 target beside a -inf log-probability (the book's label-smoothing pictures take the log
of 0); ``torch.save`` / ``torch.utils.data`` are ``nn.save`` / ``nn.data``.
"""

# ruff: noqa: N802, N803, N806, UP008, B007, B008, B018, B023 - the book's names (LayerNorm's a_2, N) and its
# spellings as written: super(Cls, self), unused loop variables, train_state=TrainState(), bare None bodies

from __future__ import annotations

import copy
import math
import time

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from nn.data import DataLoader
from nn.optim.lr_scheduler import LambdaLR

torch = pytest.importorskip("torch")

ATOL = 1e-10
V = 11  # the copy task's vocabulary
SMALL = {"N": 2, "d_model": 16, "d_ff": 32, "h": 2}


def book(T, nn, log_softmax, pad, optim, LambdaLR):
    """The book's code, spelled with ``T`` for torch, ``nn`` for torch.nn and its imports by name."""

    def clones(module, N):
        return nn.ModuleList([copy.deepcopy(module) for _ in range(N)])

    class EncoderDecoder(nn.Module):
        def __init__(self, encoder, decoder, src_embed, tgt_embed, generator):
            super(EncoderDecoder, self).__init__()
            self.encoder = encoder
            self.decoder = decoder
            self.src_embed = src_embed
            self.tgt_embed = tgt_embed
            self.generator = generator

        def forward(self, src, tgt, src_mask, tgt_mask):
            return self.decode(self.encode(src, src_mask), src_mask, tgt, tgt_mask)

        def encode(self, src, src_mask):
            return self.encoder(self.src_embed(src), src_mask)

        def decode(self, memory, src_mask, tgt, tgt_mask):
            return self.decoder(self.tgt_embed(tgt), memory, src_mask, tgt_mask)

    class Generator(nn.Module):
        def __init__(self, d_model, vocab):
            super(Generator, self).__init__()
            self.proj = nn.Linear(d_model, vocab)

        def forward(self, x):
            return log_softmax(self.proj(x), dim=-1)

    class LayerNorm(nn.Module):
        def __init__(self, features, eps=1e-6):
            super(LayerNorm, self).__init__()
            self.a_2 = nn.Parameter(T.ones(features))
            self.b_2 = nn.Parameter(T.zeros(features))
            self.eps = eps

        def forward(self, x):
            mean = x.mean(-1, keepdim=True)
            std = x.std(-1, keepdim=True)
            return self.a_2 * (x - mean) / (std + self.eps) + self.b_2

    class Encoder(nn.Module):
        def __init__(self, layer, N):
            super(Encoder, self).__init__()
            self.layers = clones(layer, N)
            self.norm = LayerNorm(layer.size)

        def forward(self, x, mask):
            for layer in self.layers:
                x = layer(x, mask)
            return self.norm(x)

    class SublayerConnection(nn.Module):
        def __init__(self, size, dropout):
            super(SublayerConnection, self).__init__()
            self.norm = LayerNorm(size)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x, sublayer):
            return x + self.dropout(sublayer(self.norm(x)))

    class EncoderLayer(nn.Module):
        def __init__(self, size, self_attn, feed_forward, dropout):
            super(EncoderLayer, self).__init__()
            self.self_attn = self_attn
            self.feed_forward = feed_forward
            self.sublayer = clones(SublayerConnection(size, dropout), 2)
            self.size = size

        def forward(self, x, mask):
            x = self.sublayer[0](x, lambda x: self.self_attn(x, x, x, mask))
            return self.sublayer[1](x, self.feed_forward)

    class Decoder(nn.Module):
        def __init__(self, layer, N):
            super(Decoder, self).__init__()
            self.layers = clones(layer, N)
            self.norm = LayerNorm(layer.size)

        def forward(self, x, memory, src_mask, tgt_mask):
            for layer in self.layers:
                x = layer(x, memory, src_mask, tgt_mask)
            return self.norm(x)

    class DecoderLayer(nn.Module):
        def __init__(self, size, self_attn, src_attn, feed_forward, dropout):
            super(DecoderLayer, self).__init__()
            self.size = size
            self.self_attn = self_attn
            self.src_attn = src_attn
            self.feed_forward = feed_forward
            self.sublayer = clones(SublayerConnection(size, dropout), 3)

        def forward(self, x, memory, src_mask, tgt_mask):
            m = memory
            x = self.sublayer[0](x, lambda x: self.self_attn(x, x, x, tgt_mask))
            x = self.sublayer[1](x, lambda x: self.src_attn(x, m, m, src_mask))
            return self.sublayer[2](x, self.feed_forward)

    def subsequent_mask(size):
        attn_shape = (1, size, size)
        subsequent_mask = T.triu(T.ones(attn_shape), diagonal=1).type(T.uint8)
        return subsequent_mask == 0

    def attention(query, key, value, mask=None, dropout=None):
        d_k = query.size(-1)
        scores = T.matmul(query, key.transpose(-2, -1)) / math.sqrt(d_k)
        if mask is not None:
            scores = scores.masked_fill(mask == 0, -1e9)
        p_attn = scores.softmax(dim=-1)
        if dropout is not None:
            p_attn = dropout(p_attn)
        return T.matmul(p_attn, value), p_attn

    class MultiHeadedAttention(nn.Module):
        def __init__(self, h, d_model, dropout=0.1):
            super(MultiHeadedAttention, self).__init__()
            assert d_model % h == 0
            self.d_k = d_model // h
            self.h = h
            self.linears = clones(nn.Linear(d_model, d_model), 4)
            self.attn = None
            self.dropout = nn.Dropout(p=dropout)

        def forward(self, query, key, value, mask=None):
            if mask is not None:
                mask = mask.unsqueeze(1)
            nbatches = query.size(0)
            query, key, value = [
                lin(x).view(nbatches, -1, self.h, self.d_k).transpose(1, 2)
                for lin, x in zip(self.linears, (query, key, value))
            ]
            x, self.attn = attention(query, key, value, mask=mask, dropout=self.dropout)
            x = x.transpose(1, 2).contiguous().view(nbatches, -1, self.h * self.d_k)
            del query
            del key
            del value
            return self.linears[-1](x)

    class PositionwiseFeedForward(nn.Module):
        def __init__(self, d_model, d_ff, dropout=0.1):
            super(PositionwiseFeedForward, self).__init__()
            self.w_1 = nn.Linear(d_model, d_ff)
            self.w_2 = nn.Linear(d_ff, d_model)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            return self.w_2(self.dropout(self.w_1(x).relu()))

    class Embeddings(nn.Module):
        def __init__(self, d_model, vocab):
            super(Embeddings, self).__init__()
            self.lut = nn.Embedding(vocab, d_model)
            self.d_model = d_model

        def forward(self, x):
            return self.lut(x) * math.sqrt(self.d_model)

    class PositionalEncoding(nn.Module):
        def __init__(self, d_model, dropout, max_len=5000):
            super(PositionalEncoding, self).__init__()
            self.dropout = nn.Dropout(p=dropout)
            pe = T.zeros(max_len, d_model)
            position = T.arange(0, max_len).unsqueeze(1)
            div_term = T.exp(T.arange(0, d_model, 2) * -(math.log(10000.0) / d_model))
            pe[:, 0::2] = T.sin(position * div_term)
            pe[:, 1::2] = T.cos(position * div_term)
            pe = pe.unsqueeze(0)
            self.register_buffer("pe", pe)

        def forward(self, x):
            x = x + self.pe[:, : x.size(1)].requires_grad_(False)
            return self.dropout(x)

    def make_model(src_vocab, tgt_vocab, N=6, d_model=512, d_ff=2048, h=8, dropout=0.1):
        c = copy.deepcopy
        attn = MultiHeadedAttention(h, d_model)
        ff = PositionwiseFeedForward(d_model, d_ff, dropout)
        position = PositionalEncoding(d_model, dropout)
        model = EncoderDecoder(
            Encoder(EncoderLayer(d_model, c(attn), c(ff), dropout), N),
            Decoder(DecoderLayer(d_model, c(attn), c(attn), c(ff), dropout), N),
            nn.Sequential(Embeddings(d_model, src_vocab), c(position)),
            nn.Sequential(Embeddings(d_model, tgt_vocab), c(position)),
            Generator(d_model, tgt_vocab),
        )
        for p in model.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        return model

    class Batch:
        def __init__(self, src, tgt=None, pad=2):
            self.src = src
            self.src_mask = (src != pad).unsqueeze(-2)
            if tgt is not None:
                self.tgt = tgt[:, :-1]
                self.tgt_y = tgt[:, 1:]
                self.tgt_mask = self.make_std_mask(self.tgt, pad)
                self.ntokens = (self.tgt_y != pad).data.sum()

        @staticmethod
        def make_std_mask(tgt, pad):
            tgt_mask = (tgt != pad).unsqueeze(-2)
            tgt_mask = tgt_mask & subsequent_mask(tgt.size(-1)).type_as(tgt_mask.data)
            return tgt_mask

    class TrainState:
        step: int = 0
        accum_step: int = 0
        samples: int = 0
        tokens: int = 0

    def run_epoch(
        data_iter, model, loss_compute, optimizer, scheduler, mode="train", accum_iter=1, train_state=TrainState()
    ):
        start = time.time()
        total_tokens = 0
        total_loss = 0
        tokens = 0
        n_accum = 0
        for i, batch in enumerate(data_iter):
            out = model.forward(batch.src, batch.tgt, batch.src_mask, batch.tgt_mask)
            loss, loss_node = loss_compute(out, batch.tgt_y, batch.ntokens)
            if mode == "train" or mode == "train+log":
                loss_node.backward()
                train_state.step += 1
                train_state.samples += batch.src.shape[0]
                train_state.tokens += batch.ntokens
                if i % accum_iter == 0:
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
                    n_accum += 1
                    train_state.accum_step += 1
                scheduler.step()
            total_loss += loss
            total_tokens += batch.ntokens
            tokens += batch.ntokens
            if i % 40 == 1 and (mode == "train" or mode == "train+log"):
                lr = optimizer.param_groups[0]["lr"]
                elapsed = time.time() - start
                print(
                    (
                        "Epoch Step: %6d | Accumulation Step: %3d | Loss: %6.2f "
                        + "| Tokens / Sec: %7.1f | Learning Rate: %6.1e"
                    )
                    % (i, n_accum, loss / batch.ntokens, tokens / elapsed, lr)
                )
                start = time.time()
                tokens = 0
            del loss
            del loss_node
        return total_loss / total_tokens, train_state

    def rate(step, model_size, factor, warmup):
        if step == 0:
            step = 1
        return factor * (model_size ** (-0.5) * min(step ** (-0.5), step * warmup ** (-1.5)))

    class LabelSmoothing(nn.Module):
        def __init__(self, size, padding_idx, smoothing=0.0):
            super(LabelSmoothing, self).__init__()
            self.criterion = nn.KLDivLoss(reduction="sum")
            self.padding_idx = padding_idx
            self.confidence = 1.0 - smoothing
            self.smoothing = smoothing
            self.size = size
            self.true_dist = None

        def forward(self, x, target):
            assert x.size(1) == self.size
            true_dist = x.data.clone()
            true_dist.fill_(self.smoothing / (self.size - 2))
            true_dist.scatter_(1, target.data.unsqueeze(1), self.confidence)
            true_dist[:, self.padding_idx] = 0
            mask = T.nonzero(target.data == self.padding_idx)
            if mask.dim() > 0:
                true_dist.index_fill_(0, mask.squeeze(), 0.0)
            self.true_dist = true_dist
            return self.criterion(x, true_dist.clone().detach())

    def data_gen(V, batch_size, nbatches):
        for i in range(nbatches):
            data = T.randint(1, V, size=(batch_size, 10))
            data[:, 0] = 1
            src = data.requires_grad_(False).clone().detach()
            tgt = data.requires_grad_(False).clone().detach()
            yield Batch(src, tgt, 0)

    class SimpleLossCompute:
        def __init__(self, generator, criterion):
            self.generator = generator
            self.criterion = criterion

        def __call__(self, x, y, norm):
            x = self.generator(x)
            sloss = self.criterion(x.contiguous().view(-1, x.size(-1)), y.contiguous().view(-1)) / norm
            return sloss.data * norm, sloss

    def greedy_decode(model, src, src_mask, max_len, start_symbol):
        memory = model.encode(src, src_mask)
        ys = T.zeros(1, 1).fill_(start_symbol).type_as(src.data)
        for i in range(max_len - 1):
            out = model.decode(memory, src_mask, ys, subsequent_mask(ys.size(1)).type_as(src.data))
            prob = model.generator(out[:, -1])
            _, next_word = T.max(prob, dim=1)
            next_word = next_word.data[0]
            ys = T.cat([ys, T.zeros(1, 1).type_as(src.data).fill_(next_word)], dim=1)
        return ys

    def inference_test(test_model):
        test_model.eval()
        src = T.LongTensor([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]])
        src_mask = T.ones(1, 1, 10)
        memory = test_model.encode(src, src_mask)
        ys = T.zeros(1, 1).type_as(src)
        for i in range(9):
            out = test_model.decode(memory, src_mask, ys, subsequent_mask(ys.size(1)).type_as(src.data))
            prob = test_model.generator(out[:, -1])
            _, next_word = T.max(prob, dim=1)
            next_word = next_word.data[0]
            ys = T.cat([ys, T.empty(1, 1).type_as(src.data).fill_(next_word)], dim=1)
        return ys

    def example_learning_schedule(dummy_model, steps):
        opts = [[512, 1, 4000], [512, 1, 8000], [256, 1, 4000]]
        learning_rates = []
        for idx, example in enumerate(opts):
            optimizer = optim.Adam(dummy_model.parameters(), lr=1, betas=(0.9, 0.98), eps=1e-9)
            lr_scheduler = LambdaLR(optimizer=optimizer, lr_lambda=lambda step: rate(step, *example))
            tmp = []
            for step in range(steps):
                tmp.append(optimizer.param_groups[0]["lr"])
                optimizer.step()
                lr_scheduler.step()
            learning_rates.append(tmp)
        return T.tensor(learning_rates)

    def example_simple_model_setup(model):
        criterion = LabelSmoothing(size=V, padding_idx=0, smoothing=0.0)
        optimizer = optim.Adam(model.parameters(), lr=0.5, betas=(0.9, 0.98), eps=1e-9)
        lr_scheduler = LambdaLR(
            optimizer=optimizer,
            lr_lambda=lambda step: rate(step, model_size=model.src_embed[0].d_model, factor=1.0, warmup=400),
        )
        return criterion, optimizer, lr_scheduler

    def collate_batch(batch, src_pipeline, tgt_pipeline, src_vocab, tgt_vocab, device, max_padding=128, pad_id=2):
        bs_id = T.tensor([0], device=device)  # <s> token id
        eos_id = T.tensor([1], device=device)  # </s> token id
        src_list, tgt_list = [], []
        for _src, _tgt in batch:
            processed_src = T.cat(
                [bs_id, T.tensor(src_vocab(src_pipeline(_src)), dtype=T.int64, device=device), eos_id], 0
            )
            processed_tgt = T.cat(
                [bs_id, T.tensor(tgt_vocab(tgt_pipeline(_tgt)), dtype=T.int64, device=device), eos_id], 0
            )
            src_list.append(pad(processed_src, (0, max_padding - len(processed_src)), value=pad_id))
            tgt_list.append(pad(processed_tgt, (0, max_padding - len(processed_tgt)), value=pad_id))
        src = T.stack(src_list)
        tgt = T.stack(tgt_list)
        return (src, tgt)

    class DummyOptimizer(optim.Optimizer):
        def __init__(self):
            self.param_groups = [{"lr": 0}]
            None

        def step(self):
            None

        def zero_grad(self, set_to_none=False):
            None

    class DummyScheduler:
        def step(self):
            None

    return locals()


OURS = book(autograd, nn, F.log_softmax, F.pad, nn.optim, LambdaLR)
THEIRS = book(
    torch,
    torch.nn,
    torch.nn.functional.log_softmax,
    torch.nn.functional.pad,
    torch.optim,
    torch.optim.lr_scheduler.LambdaLR,
)


@pytest.fixture(autouse=True)
def float64():
    """torch's factories and layers make float64 (this library's factories do already), restored afterwards."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def array(x):
    """A torch tensor's or one of ours' values as an ndarray."""
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def no_dropout(model, dropout_class):
    """Every Dropout of ``model`` with p = 0 (make_model's attention keeps the book's 0.1 whatever ``dropout``)."""
    for m in model.modules():
        if isinstance(m, dropout_class):
            m.p = 0.0
    return model


def model_pair(seed=0, dropout=0.0):
    """The book's small model in torch and here, ours holding torch's (xavier-initialised) weights."""
    torch.manual_seed(seed)
    theirs = THEIRS["make_model"](V, V, dropout=dropout, **SMALL)
    ours = OURS["make_model"](V, V, dropout=dropout, **SMALL).double()
    ours.load_state_dict(theirs.state_dict())
    if dropout == 0.0:
        no_dropout(theirs, torch.nn.Dropout)
        no_dropout(ours, nn.Dropout)
    return ours, theirs


# the copy task's sequences with padding (0) in the second row, so masks and the smoothing's padding both matter
SEQUENCES = [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 3, 5, 7, 9, 0, 0, 0, 0, 0], [1, 10, 4, 4, 2, 8, 6, 0, 0, 0]]


def batches(sequences=SEQUENCES, pad=0):
    """The book's Batch of ``sequences`` (source = target, the copy task) on both sides."""
    return (
        OURS["Batch"](autograd.tensor(sequences), autograd.tensor(sequences), pad),
        THEIRS["Batch"](torch.tensor(sequences), torch.tensor(sequences), pad),
    )


def test_subsequent_mask_and_batch_masks_match_torch():
    ours, theirs = OURS["subsequent_mask"](5), THEIRS["subsequent_mask"](5)
    assert ours.dtype == np.bool_ and ours.shape == (1, 5, 5)
    np.testing.assert_array_equal(array(ours), array(theirs))
    np.testing.assert_array_equal(array(ours)[0], np.tril(np.ones((5, 5), bool)))  # by hand: no peeking ahead
    ob, tb = batches()
    for name in ("src", "src_mask", "tgt", "tgt_y", "tgt_mask"):
        o, t = getattr(ob, name), getattr(tb, name)
        assert o.shape == tuple(t.shape), name
        assert o.dtype == np.dtype(str(t.dtype).removeprefix("torch.")), name
        np.testing.assert_array_equal(array(o), array(t), err_msg=name)
    assert int(ob.ntokens) == int(tb.ntokens) == 9 + 4 + 6


def test_positional_encoding_is_torchs_sinusoid_buffer():
    ours, theirs = OURS["PositionalEncoding"](20, 0), THEIRS["PositionalEncoding"](20, 0)
    assert [name for name, _ in ours.named_buffers()] == ["pe"] and list(ours.parameters()) == []
    assert ours.pe.shape == (1, 5000, 20) and ours.pe.dtype == np.float64
    np.testing.assert_allclose(array(ours.pe), array(theirs.pe), rtol=1e-12, atol=1e-12)
    position, i = 7, 3  # by hand: PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...)
    angle = position / 10000 ** (2 * i / 20)
    assert array(ours.pe)[0, position, 2 * i] == pytest.approx(math.sin(angle), abs=1e-12)
    assert array(ours.pe)[0, position, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-12)
    # example_positional: the encoding added to zeros
    y = ours.forward(autograd.zeros(1, 100, 20))
    np.testing.assert_allclose(array(y), array(theirs.forward(torch.zeros(1, 100, 20))), rtol=1e-12, atol=1e-12)


def test_hand_written_layer_norm_is_unbiased_like_torch():
    x = np.random.default_rng(0).standard_normal((2, 3, 16))
    ours, theirs = OURS["LayerNorm"](16), THEIRS["LayerNorm"](16)
    out = ours(autograd.tensor(x, requires_grad=True))
    np.testing.assert_allclose(array(out), array(theirs(torch.tensor(x))), rtol=1e-12, atol=1e-12)
    by_hand = (x - x.mean(-1, keepdims=True)) / (x.std(-1, ddof=1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(array(out), by_hand, rtol=1e-12, atol=1e-12)


def test_encoder_and_decoder_outputs_match_torch():
    ours, theirs = model_pair()
    ob, tb = batches()
    memory = ours.encode(ob.src, ob.src_mask)
    np.testing.assert_allclose(array(memory), array(theirs.encode(tb.src, tb.src_mask)), rtol=1e-9, atol=ATOL)
    out = ours.forward(ob.src, ob.tgt, ob.src_mask, ob.tgt_mask)
    expected = theirs.forward(tb.src, tb.tgt, tb.src_mask, tb.tgt_mask)
    assert out.shape == tuple(expected.shape) == (3, 9, 16)
    np.testing.assert_allclose(array(out), array(expected), rtol=1e-9, atol=ATOL)
    log_probs = ours.generator(out)
    np.testing.assert_allclose(array(log_probs), array(theirs.generator(expected)), rtol=1e-9, atol=ATOL)
    # the attention weights the book keeps for its pictures: masked keys get none
    attn = ours.decoder.layers[1].self_attn.attn
    np.testing.assert_allclose(array(attn), array(theirs.decoder.layers[1].self_attn.attn), rtol=1e-9, atol=ATOL)
    assert np.all(array(attn)[:, :, np.triu_indices(9, 1)[0], np.triu_indices(9, 1)[1]] < 1e-300)


@pytest.mark.parametrize(
    "targets", [[2, 1, 0, 3, 3], [2, 0, 3, 1, 4], [2, 1, 3, 1, 4]], ids=["two_pads", "one_pad", "none"]
)
def test_label_smoothing_matches_torch(targets):
    x = np.log(np.random.default_rng(1).dirichlet(np.ones(5), size=5))
    ours, theirs = OURS["LabelSmoothing"](5, 0, 0.4), THEIRS["LabelSmoothing"](5, 0, 0.4)
    ox, tx = autograd.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    loss, expected = ours(ox, autograd.LongTensor(targets)), theirs(tx, torch.LongTensor(targets))
    np.testing.assert_allclose(array(ours.true_dist), array(theirs.true_dist), rtol=1e-12, atol=1e-12)
    rows = [r for r, t in enumerate(targets) if t != 0]  # by hand: 0.6 on the target, 0.4/3 elsewhere, 0 at pad
    assert np.allclose(array(ours.true_dist).sum(1)[rows], 1.0) and np.all(array(ours.true_dist)[:, 0] == 0)
    assert float(loss) == pytest.approx(float(expected), rel=1e-12)
    loss.backward()
    expected.backward()
    np.testing.assert_allclose(array(ox.grad), array(tx.grad), rtol=1e-12, atol=1e-12)


def test_label_smoothed_loss_and_every_parameter_gradient_match_torch():
    ours, theirs = model_pair()
    ob, tb = batches()
    o_loss = OURS["SimpleLossCompute"](ours.generator, OURS["LabelSmoothing"](V, 0, 0.1))
    t_loss = THEIRS["SimpleLossCompute"](theirs.generator, THEIRS["LabelSmoothing"](V, 0, 0.1))
    total, node = o_loss(ours.forward(ob.src, ob.tgt, ob.src_mask, ob.tgt_mask), ob.tgt_y, ob.ntokens)
    t_total, t_node = t_loss(theirs.forward(tb.src, tb.tgt, tb.src_mask, tb.tgt_mask), tb.tgt_y, tb.ntokens)
    assert float(total) == pytest.approx(float(t_total), rel=1e-10)
    assert float(node) == pytest.approx(float(t_node), rel=1e-10)
    node.backward()
    t_node.backward()
    theirs_by_name = dict(theirs.named_parameters())
    names = [name for name, _ in ours.named_parameters()]
    assert names == list(theirs_by_name) and len(names) == 92
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(array(p.grad), array(theirs_by_name[name].grad), rtol=1e-8, atol=1e-11, err_msg=name)


def copy_task_batches(seed, batch_size=8, nbatches=3):
    """The book's data_gen drawn by torch, and the same sequences as our Batches."""
    torch.manual_seed(seed)
    theirs = list(THEIRS["data_gen"](V, batch_size, nbatches))
    ours = [OURS["Batch"](autograd.tensor(b.src.numpy()), autograd.tensor(b.src.numpy()), 0) for b in theirs]
    return ours, theirs


def train_both(epochs=2):
    """example_simple_model's training for ``epochs`` epochs of 3 small batches, on both sides."""
    ours, theirs = model_pair()
    o_crit, o_opt, o_sched = OURS["example_simple_model_setup"](ours)
    t_crit, t_opt, t_sched = THEIRS["example_simple_model_setup"](theirs)
    losses = []
    for epoch in range(epochs):
        o_data, t_data = copy_task_batches(epoch + 1)
        ours.train()
        theirs.train()
        o = OURS["run_epoch"](
            o_data,
            ours,
            OURS["SimpleLossCompute"](ours.generator, o_crit),
            o_opt,
            o_sched,
            mode="train",
            train_state=OURS["TrainState"](),
        )
        t = THEIRS["run_epoch"](
            t_data,
            theirs,
            THEIRS["SimpleLossCompute"](theirs.generator, t_crit),
            t_opt,
            t_sched,
            mode="train",
            train_state=THEIRS["TrainState"](),
        )
        losses.append((o, t))
    return ours, theirs, (o_opt, o_sched), (t_opt, t_sched), losses


def test_adam_with_the_lambda_lr_schedule_trains_as_torch(capsys):
    ours, theirs, (o_opt, _), (t_opt, _), losses = train_both()
    for (o_loss, o_state), (t_loss, t_state) in losses:
        assert float(o_loss) == pytest.approx(float(t_loss), rel=1e-9)
        assert (o_state.step, o_state.accum_step, o_state.samples) == (3, 3, 24)
        assert int(o_state.tokens) == int(t_state.tokens) == 3 * 8 * 9
    assert o_opt.param_groups[0]["lr"] == pytest.approx(t_opt.param_groups[0]["lr"], rel=1e-12)
    assert o_opt.param_groups[0]["lr"] == pytest.approx(0.5 * 16**-0.5 * 6 * 400**-1.5, rel=1e-12)  # by hand
    theirs_by_name = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        # atol: the key projections' biases have a gradient of rounding noise only (softmax ignores a shift), which
        # Adam's eps=1e-9 scales up to lr * noise / eps, ~1e-10 here
        np.testing.assert_allclose(array(p), array(theirs_by_name[name]), rtol=1e-9, atol=1e-9, err_msg=name)
        assert p.grad is None  # zero_grad(set_to_none=True)
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 4 and all(line.startswith("Epoch Step:      1 | Accumulation Step:   2") for line in printed)
    # the evaluation epoch of example_simple_model, with the Dummy optimizer and scheduler
    o_data, t_data = copy_task_batches(5)
    ours.eval()
    theirs.eval()
    o_eval = OURS["run_epoch"](
        o_data,
        ours,
        OURS["SimpleLossCompute"](ours.generator, OURS["LabelSmoothing"](V, 0)),
        OURS["DummyOptimizer"](),
        OURS["DummyScheduler"](),
        mode="eval",
    )[0]
    t_eval = THEIRS["run_epoch"](
        t_data,
        theirs,
        THEIRS["SimpleLossCompute"](theirs.generator, THEIRS["LabelSmoothing"](V, 0)),
        THEIRS["DummyOptimizer"](),
        THEIRS["DummyScheduler"](),
        mode="eval",
    )[0]
    assert float(o_eval) == pytest.approx(float(t_eval), rel=1e-9)


def test_greedy_decode_matches_torch():
    ours, theirs, *_ = train_both(epochs=1)
    ours.eval()
    theirs.eval()
    src = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]
    decoded = OURS["greedy_decode"](ours, autograd.LongTensor(src), autograd.ones(1, 1, 10), max_len=10, start_symbol=0)
    expected = THEIRS["greedy_decode"](theirs, torch.LongTensor(src), torch.ones(1, 1, 10), max_len=10, start_symbol=0)
    assert decoded.dtype == np.int64 and decoded.shape == (1, 10)
    np.testing.assert_array_equal(array(decoded), array(expected))
    inferred = OURS["inference_test"](ours)
    np.testing.assert_array_equal(array(inferred), array(THEIRS["inference_test"](theirs)))
    assert len(set(array(decoded)[0].tolist())) > 1  # not a constant sequence: the comparison has teeth


def test_the_learning_rate_schedule_example_matches_torch():
    ours = OURS["example_learning_schedule"](nn.Linear(1, 1), 300)
    theirs = THEIRS["example_learning_schedule"](torch.nn.Linear(1, 1), 300)
    assert ours.shape == (3, 300) and ours.dtype == np.float64
    np.testing.assert_allclose(array(ours), array(theirs), rtol=1e-12)
    assert array(ours)[2, 299] == pytest.approx(256**-0.5 * 299 * 4000**-1.5)  # by hand, in warmup


def test_make_model_initialises_matrices_by_xavier_uniform():
    model = OURS["make_model"](V, V, **SMALL)
    matrices = [p for p in model.parameters() if p.dim() > 1]
    assert len(matrices) == 2 * 6 + 2 * 10 + 2 + 1  # encoder, decoder, embeddings, generator
    for p in matrices:
        fan_out, fan_in = p.shape
        bound = math.sqrt(6 / (fan_in + fan_out))
        values = array(p)
        assert values.max() <= bound and values.min() >= -bound
        assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.35)  # a uniform's spread
    norms = [m for name, m in model.named_modules() if name.endswith("norm")]
    assert norms and all(np.all(array(m.a_2) == 1) and np.all(array(m.b_2) == 0) for m in norms)


def test_clones_are_independent_deep_copies():
    layers = OURS["clones"](nn.Linear(4, 4), 3)
    assert isinstance(layers, nn.ModuleList) and len(layers) == 3 and len(list(layers.parameters())) == 6
    np.testing.assert_array_equal(array(layers[0].weight), array(layers[2].weight))
    with autograd.no_grad():
        layers[0].weight.fill_(1.0)
    assert not np.any(array(layers[1].weight) == 1.0)


def test_dropout_train_and_eval_semantics_on_the_model():
    ours, _ = model_pair()
    reference = copy.deepcopy(ours)  # every dropout off
    for m in ours.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.1
    ob, _ = batches()

    def run():
        return array(ours.forward(ob.src, ob.tgt, ob.src_mask, ob.tgt_mask)).copy()

    ours.eval()
    reference.eval()
    assert not any(m.training for m in ours.modules())
    expected = array(reference.forward(ob.src, ob.tgt, ob.src_mask, ob.tgt_mask))
    np.testing.assert_allclose(run(), expected, rtol=1e-12, atol=1e-12)  # eval: dropout is the identity
    ours.train()
    assert all(m.training for m in ours.modules())
    autograd.manual_seed(3)
    first = run()
    autograd.manual_seed(3)
    np.testing.assert_array_equal(run(), first)  # the same seed draws the same masks
    assert not np.allclose(run(), first)  # a new draw differs
    assert not np.allclose(first, expected)
    # one dropout alone: zeros or x / (1 - p), about p of them zeros
    drop = nn.Dropout(0.25)
    autograd.manual_seed(4)
    y = array(drop(autograd.ones(4000)))
    assert set(np.unique(y).tolist()) == {0.0, 1 / 0.75} and abs((y == 0).mean() - 0.25) < 0.03
    # training-mode gradients are those of the sampled network: central differences under the same seed
    weight = ours.encoder.layers[0].feed_forward.w_1.weight
    autograd.manual_seed(5)
    ours.generator(ours.forward(ob.src, ob.tgt, ob.src_mask, ob.tgt_mask)).sum().backward()
    analytic = array(weight.grad)[3, 5]

    def loss_at(delta):
        with autograd.no_grad():
            weight.data[3, 5] += delta
        autograd.manual_seed(5)
        with autograd.no_grad():
            value = float(ours.generator(ours.forward(ob.src, ob.tgt, ob.src_mask, ob.tgt_mask)).sum())
            weight.data[3, 5] -= delta
        return value

    assert analytic == pytest.approx((loss_at(1e-6) - loss_at(-1e-6)) / 2e-6, rel=1e-5, abs=1e-7)


def test_copy_task_data_and_the_collate_batch_padding():
    autograd.manual_seed(0)
    generated = list(OURS["data_gen"](V, 16, 2))
    assert len(generated) == 2
    for b in generated:
        src = array(b.src)
        assert b.src.dtype == np.int64 and src.shape == (16, 10)
        assert np.all(src[:, 0] == 1) and src.min() >= 1 and src.max() <= V - 1
        np.testing.assert_array_equal(array(b.tgt), src[:, :-1])
        assert int(b.ntokens) == 16 * 9  # no padding (0) is drawn
    vocab = {"ein": 4, "Hund": 5, "a": 6, "dog": 7, "runs": 8}

    def lookup(tokens):
        return [vocab[t] for t in tokens]

    pairs = [("ein Hund", "a dog runs"), ("Hund", "dog")]
    o_src, o_tgt = OURS["collate_batch"](pairs, str.split, str.split, lookup, lookup, autograd.device("cpu"), 6)
    t_src, t_tgt = THEIRS["collate_batch"](pairs, str.split, str.split, lookup, lookup, torch.device("cpu"), 6)
    assert o_src.dtype == np.int64 and o_src.shape == (2, 6)
    np.testing.assert_array_equal(array(o_src), array(t_src))
    np.testing.assert_array_equal(array(o_tgt), array(t_tgt))
    np.testing.assert_array_equal(array(o_tgt)[0], [0, 6, 7, 8, 1, 2])  # by hand: <s> ... </s> <blank>
    # the book's DataLoader over it, and check_outputs' reading of tokens
    loader = DataLoader(
        pairs,
        batch_size=2,
        shuffle=False,
        sampler=None,
        collate_fn=lambda batch: OURS["collate_batch"](
            batch, str.split, str.split, lookup, lookup, autograd.device("cpu"), 6
        ),
    )
    b = next(iter(loader))
    rb = OURS["Batch"](b[0], b[1], 2)
    itos = ["<s>", "</s>", "<blank>", "<unk>", *vocab]
    assert [itos[x] for x in rb.src[0] if x != 2] == ["<s>", "ein", "Hund", "</s>"]
