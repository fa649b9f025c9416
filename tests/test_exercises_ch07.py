"""The chapter 7 self-checks accept right answers, reject typical wrong ones with a hint, and never raise."""

from __future__ import annotations

import numpy as np

from common.exercises import ch07


def _stub(*args):
    raise NotImplementedError


def _field(layers):
    field, jump = 1, 1
    for k, s in layers:
        field += (k - 1) * jump
        jump *= s
    return field


def test_receptive_field_check(capsys):
    assert ch07.check_receptive_field(_field)
    assert not ch07.check_receptive_field(lambda layers: 1 + sum(k - 1 for k, _ in layers))   # ignores strides
    assert "product of the earlier strides" in capsys.readouterr().out
    assert not ch07.check_receptive_field(lambda layers: sum(k for k, _ in layers))            # k instead of k − 1
    assert "k − 1, not k" in capsys.readouterr().out
    assert not ch07.check_receptive_field(_stub)
    assert "Not done yet" in capsys.readouterr().out


def _count(layers, shape, bias=True, pool_shrinks=True, channels=True):
    c, h, w = shape
    total = 0
    for layer in layers:
        if layer[0] == "conv":
            _, out, k, pad = layer
            total += out * k * k * (c if channels else 1) + (out if bias else 0)
            c, h, w = out, h + 2 * pad - k + 1, w + 2 * pad - k + 1
        elif layer[0] == "pool":
            if pool_shrinks:
                h, w = h // layer[1], w // layer[1]
        else:
            total += c * h * w * layer[1] + (layer[1] if bias else 0)
            c, h, w = layer[1], 1, 1
    return total


def test_count_params_check(capsys):
    assert ch07.check_count_params(_count)
    assert "138,357,544" in capsys.readouterr().out
    assert not ch07.check_count_params(lambda layers, shape: _count(layers, shape, bias=False))
    assert "also has a bias" in capsys.readouterr().out
    assert not ch07.check_count_params(lambda layers, shape: _count(layers, shape, pool_shrinks=False))
    assert "*after* the pooling" in capsys.readouterr().out
    assert not ch07.check_count_params(lambda layers, shape: _count(layers, shape, channels=False))
    assert "all the input channels" in capsys.readouterr().out
    assert not ch07.check_count_params(_stub)


def _block(x, W1, b1, W2, b2, dout, skip=True, branch=True):
    h = x @ W1 + b1
    a = np.maximum(h, 0)
    out = a @ W2 + b2 + x
    da = dout @ W2.T
    dx_branch = (da * (h > 0)) @ W1.T
    dx = (dx_branch if branch else 0) + (dout if skip else 0)
    return out, dx


def test_residual_block_check(capsys):
    assert ch07.check_residual_block(_block)
    assert not ch07.check_residual_block(lambda *a: _block(*a, skip=False))
    assert "the shortcut adds dout itself" in capsys.readouterr().out
    assert not ch07.check_residual_block(lambda *a: _block(*a, branch=False))
    assert "only the shortcut's share" in capsys.readouterr().out

    def no_skip_forward(x, W1, b1, W2, b2, dout):
        out, dx = _block(x, W1, b1, W2, b2, dout)
        return out - x, dx
    assert not ch07.check_residual_block(no_skip_forward)
    assert "F(x) alone" in capsys.readouterr().out

    def in_place(x, W1, b1, W2, b2, dout):
        out, dx = _block(x, W1, b1, W2, b2, dout)
        dout *= 2
        return out, dx
    assert not ch07.check_residual_block(in_place)
    assert "changed dout in place" in capsys.readouterr().out
    assert not ch07.check_residual_block(lambda *a: 42)
    assert not ch07.check_residual_block(_stub)


def test_combine_gradients_check(capsys):
    assert ch07.check_combine_gradients(lambda g, n: sum(ni * gi for ni, gi in zip(n, g)) / sum(n))
    assert not ch07.check_combine_gradients(lambda g, n: np.mean(g, axis=0))     # right only for equal shards
    out = capsys.readouterr().out
    assert "n_k / N" in out and "shards of [3, 9]" in out and "shards of [6, 6]" not in out
    assert not ch07.check_combine_gradients(lambda g, n: np.sum(g, axis=0))
    assert "already a mean" in capsys.readouterr().out
    assert not ch07.check_combine_gradients(_stub)


def test_ring_bytes_check(capsys):
    assert ch07.check_ring_bytes(lambda n, k, b: 2 * (k - 1) / k * n * b)
    assert not ch07.check_ring_bytes(lambda n, k, b: (k - 1) / k * n * b)
    assert "all-gather sends as much again" in capsys.readouterr().out
    assert not ch07.check_ring_bytes(lambda n, k, b: 2 * (k - 1) * n * b)
    assert "1/K of the array" in capsys.readouterr().out
    assert not ch07.check_ring_bytes(lambda n, k, b: 2 * n * b)
    assert "2(K − 1)/K" in capsys.readouterr().out
    assert not ch07.check_ring_bytes(_stub)


def test_calling_the_library_is_not_an_answer(capsys):
    """Each check refuses the library function it compares against, and says which one was called."""
    from common.layers import Affine, Relu, ResidualBlock
    from common.lessons.architectures import Conv, Dense, Pool, totals
    from common.lessons.data_parallel import allreduce_cost, average_gradients
    from common.lessons.receptive_field import receptive_fields

    assert not ch07.check_receptive_field(lambda layers: receptive_fields([("", k, s) for k, s in layers])[-1].field)
    assert "calls receptive_fields" in capsys.readouterr().out

    def by_library(layers, shape):
        spec = [Conv(l[1], l[2], pad=l[3]) if l[0] == "conv" else Pool(l[1]) if l[0] == "pool" else Dense(l[1])
                for l in layers]
        return totals(spec, shape)[0]
    assert not ch07.check_count_params(by_library)
    assert "totals, which computes the answer for you" in capsys.readouterr().out

    def with_the_layer(x, W1, b1, W2, b2, dout):
        block = ResidualBlock([Affine(W1, b1), Relu(), Affine(W2, b2)])
        return block.forward(x), block.backward(dout)
    assert not ch07.check_residual_block(with_the_layer)
    assert "ResidualBlock.backward" in capsys.readouterr().out

    assert not ch07.check_combine_gradients(lambda g, n: average_gradients([(k, {"W": a}) for k, a in zip(n, g)])["W"])
    assert "calls average_gradients" in capsys.readouterr().out
    assert not ch07.check_ring_bytes(lambda n, k, b: allreduce_cost(n, k, b)["ring_bytes_per_worker"])
    assert "calls allreduce_cost" in capsys.readouterr().out
    # the library is back in place afterwards
    assert ResidualBlock.forward.__qualname__ == "ResidualBlock.forward"
    assert ch07.check_receptive_field(_field)
