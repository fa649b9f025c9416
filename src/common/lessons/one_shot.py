"""One-shot learning by comparing: classify a new example by its nearest labelled example.

Introduced in the appendix, A look ahead. With one example per class there is
nothing to train a classifier on; instead we *compare*. An embedding ``f`` maps
an image to a vector; a query gets the label of the support example whose
embedding is nearest. A siamese network learns ``f`` from pairs with the
:func:`contrastive_loss`: pairs of the same class are pulled together, pairs of
different classes pushed at least a margin apart. Once ``f`` is learned, new
classes need no retraining, only one example each.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "pairwise_distances",
    "nearest_prototype",
    "one_shot_accuracy",
    "contrastive_loss",
    "SiameseEmbedding",
    "make_pairs",
    "train_siamese",
]


def _as_matrix(a: ArrayLike, name: str, dtype: type | None = np.float64) -> NDArray[np.floating]:
    """``a`` as a 2-D float array (one row per example): in ``dtype``, or in its own float type if ``None``."""
    a = np.asarray(a)
    if dtype is not None or not np.issubdtype(a.dtype, np.floating):
        a = a.astype(dtype or np.float64, copy=False)
    if a.ndim == 1:
        a = a[np.newaxis]
    if a.ndim != 2:
        a = a.reshape(len(a), -1)
    return a


def pairwise_distances(a: ArrayLike, b: ArrayLike, metric: str = "euclidean") -> NDArray[np.float64]:
    """Distances between every row of ``a`` (M, D) and every row of ``b`` (K, D): shape (M, K).

    ``metric`` is ``"euclidean"`` or ``"cosine"`` (1 - cosine similarity; a zero
    vector is at distance 1 from everything). Images are flattened first.
    Introduced in the appendix, A look ahead.
    """
    a, b = _as_matrix(a, "a"), _as_matrix(b, "b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"rows of a and b must have the same length, got {a.shape[1]} and {b.shape[1]}")
    if metric == "euclidean":
        sq = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
        return np.sqrt(np.maximum(sq, 0.0))
    if metric == "cosine":
        na, nb = np.linalg.norm(a, axis=1), np.linalg.norm(b, axis=1)
        an = a / np.where(na > 0, na, 1)[:, None]
        bn = b / np.where(nb > 0, nb, 1)[:, None]
        return 1.0 - an @ bn.T
    raise ValueError(f"metric must be 'euclidean' or 'cosine', got {metric!r}")


def nearest_prototype(
    support_x: ArrayLike, support_t: ArrayLike, query_x: ArrayLike, metric: str = "euclidean"
) -> NDArray:
    """Label each query with the label of its nearest support example. Appendix, A look ahead."""
    support_t = np.asarray(support_t)
    d = pairwise_distances(query_x, support_x, metric)
    if d.shape[1] != len(support_t):
        raise ValueError(f"{d.shape[1]} support examples but {len(support_t)} labels")
    return support_t[np.argmin(d, axis=1)]


def one_shot_accuracy(
    features: ArrayLike,
    labels: ArrayLike,
    classes: ArrayLike,
    episodes: int = 200,
    queries_per_class: int = 5,
    metric: str = "euclidean",
    rng: np.random.Generator | int | None = 0,
) -> float:
    """Mean accuracy of :func:`nearest_prototype` over random one-shot episodes.

    Each episode draws, for every class in ``classes``, one support example and
    ``queries_per_class`` different query examples from ``features`` (one
    embedding per row); the score is the fraction of queries labelled correctly.
    Chance level is ``1 / len(classes)``. Introduced in the appendix, A look ahead.
    """
    feats = _as_matrix(features, "features")
    labels = np.asarray(labels)
    classes = np.asarray(classes)
    rng = np.random.default_rng(rng)
    pools = {c: np.flatnonzero(labels == c) for c in classes}
    short = [int(c) for c, idx in pools.items() if len(idx) < queries_per_class + 1]
    if short:
        raise ValueError(f"classes {short} have fewer than {queries_per_class + 1} examples")
    correct = total = 0
    for _ in range(episodes):
        support, queries, q_labels = [], [], []
        for c, idx in pools.items():
            pick = rng.choice(idx, size=queries_per_class + 1, replace=False)
            support.append(pick[0])
            queries.extend(pick[1:])
            q_labels.extend([c] * queries_per_class)
        pred = nearest_prototype(feats[support], classes, feats[queries], metric)
        correct += int(np.sum(pred == np.asarray(q_labels)))
        total += len(q_labels)
    return correct / total


def contrastive_loss(distance: ArrayLike, same: ArrayLike, margin: float = 1.0) -> float:
    """The siamese loss: ``same · d² + (1 - same) · max(0, margin - d)²``, averaged over pairs.

    Same-class pairs (``same = 1``) are penalised for being far apart, different
    pairs only for being closer than ``margin``. Introduced in the appendix.
    """
    d = np.asarray(distance, dtype=np.float64)
    s = np.asarray(same, dtype=np.float64)
    if d.shape != s.shape:
        raise ValueError(f"distance and same must have the same shape, got {d.shape} and {s.shape}")
    if np.any(d < 0) or not np.all(np.isin(s, (0, 1))):
        raise ValueError("distances must be >= 0 and same must hold 0 (different) or 1 (same class)")
    return float(np.mean(s * d ** 2 + (1 - s) * np.maximum(0.0, margin - d) ** 2))


class SiameseEmbedding:
    """A small embedding network ``x -> Affine -> ReLU -> Affine`` trained on pairs with :func:`contrastive_loss`.

    Both images of a pair go through the *same* weights (that is what makes it
    siamese): the batch of first images and the batch of second images are
    stacked and sent through once. ``embed(x)`` maps images (N, 784) to (N, out_size).
    ``gradient(x, t)`` lets :class:`~common.trainer.Trainer` train it like any
    network: it pairs up the images of a labelled mini-batch with
    :func:`make_pairs`. ``dtype=np.float32`` halves the arithmetic (the appendix
    trains it so, on float32 images). Introduced in the appendix, A look ahead.
    """

    def __init__(self, input_size: int = 784, hidden_size: int = 128, out_size: int = 32,
                 margin: float = 1.0, seed: np.random.Generator | int | None = 0,
                 dtype: type = np.float64) -> None:
        from collections import OrderedDict

        from common.initializers import he_std
        from common.layers import Affine, Relu

        rng = np.random.default_rng(seed)
        self.rng = rng  # after the weights, it draws the pairs of each mini-batch
        self.margin = float(margin)
        self.last_loss: float | None = None
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a float type such as np.float32, got {self.dtype}")
        self.params = {
            "W1": rng.normal(0, he_std(input_size), (input_size, hidden_size)).astype(self.dtype),
            "b1": np.zeros(hidden_size, dtype=self.dtype),
            "W2": rng.normal(0, np.sqrt(1 / hidden_size), (hidden_size, out_size)).astype(self.dtype),
            "b2": np.zeros(out_size, dtype=self.dtype),
        }
        p = self.params
        self.layers = OrderedDict(
            Affine1=Affine(p["W1"], p["b1"]), Relu1=Relu(), Affine2=Affine(p["W2"], p["b2"])
        )

    def embed(self, x: ArrayLike) -> NDArray[np.floating]:
        """Embeddings of a batch of images, (N, out_size), in the network's dtype."""
        out = _as_matrix(x, "x", self.dtype)
        for layer in self.layers.values():
            out = layer.forward(out)
        return out

    def gradient(self, x: ArrayLike, t: ArrayLike) -> dict[str, NDArray]:
        """Gradients for a mini-batch of images ``x`` with labels ``t``, as a :class:`~common.trainer.Trainer` step needs.

        The batch is turned into ``len(x)`` pairs of its own images, half of the
        same class and half of different classes (:func:`make_pairs`); their
        contrastive loss is kept in ``last_loss``.
        """
        x, t = _as_matrix(x, "x", self.dtype), np.asarray(t)
        i, j, same = make_pairs(t, len(t), self.rng)
        self.last_loss, grads = self.pair_gradient(x[i], x[j], same)
        return grads

    def pair_gradient(self, xa: ArrayLike, xb: ArrayLike, same: ArrayLike) -> tuple[float, dict[str, NDArray]]:
        """Contrastive loss of the pairs ``(xa[k], xb[k])`` and its gradient for every parameter."""
        xa, xb = _as_matrix(xa, "xa", self.dtype), _as_matrix(xb, "xb", self.dtype)
        n = len(xa)
        s = np.asarray(same, dtype=self.dtype)
        e = self.embed(np.vstack([xa, xb]))
        diff = e[:n] - e[n:]
        d = np.sqrt((diff * diff).sum(1) + 1e-12)
        loss = contrastive_loss(d, s, self.margin)
        # dL/dd per pair, then dd/d(diff) = diff / d
        dd = (2 * s * d - 2 * (1 - s) * np.maximum(0, self.margin - d)) / n
        ddiff = (dd / d)[:, None] * diff
        dout = np.vstack([ddiff, -ddiff])
        for layer in reversed(self.layers.values()):
            dout = layer.backward(dout)
        a1, a2 = self.layers["Affine1"], self.layers["Affine2"]
        return loss, {"W1": a1.dW, "b1": a1.db, "W2": a2.dW, "b2": a2.db}


def make_pairs(labels: ArrayLike, n_pairs: int, rng: np.random.Generator | int | None = 0
               ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Index pairs ``(i, j)`` into ``labels``, half of the same class and half of different classes.

    ``i`` is drawn uniformly; for an even ``k`` the partner ``j`` is drawn from
    ``i``'s class, for an odd ``k`` from a class drawn uniformly among the others.
    Returns ``(i, j, same)`` with ``same[k] = 1.0`` when ``labels[i[k]] == labels[j[k]]``.
    Vectorised: one draw per pair, no Python loop. Introduced in the appendix, A look ahead.
    """
    labels = np.asarray(labels)
    rng = np.random.default_rng(rng)
    classes, cls = np.unique(labels, return_inverse=True)
    if len(classes) < 2:
        raise ValueError("pairs of different classes need at least two classes")
    order = np.argsort(cls, kind="stable")                   # indices grouped by class
    counts = np.bincount(cls, minlength=len(classes))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    i = rng.integers(0, len(labels), n_pairs)
    same = np.arange(n_pairs) % 2 == 0
    shift = np.where(same, 0, rng.integers(1, len(classes), n_pairs))
    partner_class = (cls[i] + shift) % len(classes)          # the own class, or one of the others
    j = order[starts[partner_class] + (rng.random(n_pairs) * counts[partner_class]).astype(np.int64)]
    return i, j.astype(np.int64), same.astype(np.float64)


def train_siamese(x: ArrayLike, labels: ArrayLike, epochs: int = 10, batch_size: int = 100,
                  lr: float = 0.001, seed: int = 0, **kwargs: float) -> tuple[SiameseEmbedding, list[float]]:
    """Train a :class:`SiameseEmbedding` with Adam; return it and the mean loss of each epoch.

    The network computes in the images' float type (float32 for the course's MNIST).
    An ordinary :class:`~common.trainer.Trainer` run over the labelled images
    (shuffled epochs, no evaluation: there are no classes to score); each
    mini-batch of images becomes as many pairs. Introduced in the appendix,
    A look ahead.
    """
    from common.trainer import Trainer

    x = _as_matrix(x, "x", None)
    net = SiameseEmbedding(input_size=x.shape[1], seed=seed, dtype=x.dtype, **kwargs)
    trainer = Trainer(net, x, labels, epochs=epochs, mini_batch_size=batch_size, optimizer="adam",
                      optimizer_param={"lr": lr}, evaluate_every=None, seed=seed, progress=False)
    history = trainer.train()
    per_epoch = np.reshape(history.train_loss, (epochs, trainer.iters_per_epoch))
    return net, [float(v) for v in per_epoch.mean(axis=1)]
