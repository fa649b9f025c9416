"""Famous CNN architectures as layer specifications, and what they cost.

Introduced in chapter 7, Deep learning. Each architecture is a list of small
layer descriptions (:class:`Conv`, :class:`Pool`, :class:`Dense`,
:class:`BatchNorm`, and the composite :class:`Inception` and
:class:`Bottleneck`). :func:`count` walks the list with an input shape and
returns, for every layer, its output shape, its number of trainable
parameters and its multiply-accumulates (MACs) for one image, so the totals
that papers quote can be *computed* here rather than copied:

- a convolution with ``C`` input and ``M`` output channels, a ``K × K``
  kernel and an ``OH × OW`` output has ``M·(K·K·C/groups) (+ M bias)``
  parameters and costs ``OH·OW·M·K·K·C/groups`` MACs (chapter 6's formula);
- a fully connected layer ``n → m`` has ``n·m + m`` parameters and ``n·m`` MACs;
- batch normalisation has two parameters per channel (γ and β; its running
  statistics are not trained) and no MACs worth counting (it folds into the
  convolution before it at inference);
- pooling has neither.

The published figures the tests compare with: LeNet-5 about 60 thousand
parameters; AlexNet about 61 million; VGG-16 138.4 million and 15.5 G MACs;
GoogLeNet 6.8 million and 1.5 G multiply-adds; ResNet-50 25.6 million and
4.1 G MACs (the torchvision form, "v1.5", with the stride in the 3×3
convolution; the paper's own placement gives 3.8 G).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union

from common.im2col import conv_output_size

__all__ = [
    "Conv",
    "Pool",
    "Dense",
    "BatchNorm",
    "Inception",
    "Bottleneck",
    "LayerCost",
    "count",
    "totals",
    "ARCHITECTURES",
    "architecture_table",
    "inception_reduction_saving",
]

Shape = tuple[int, int, int]  # (channels, height, width) of one image


@dataclass(frozen=True)
class Conv:
    """A ``k × k`` convolution to ``out`` channels (``groups`` splits the channels, as AlexNet's two GPUs did).

    Introduced in chapter 7, Deep learning.
    """

    out: int
    k: int
    stride: int = 1
    pad: int = 0
    groups: int = 1
    bias: bool = True
    name: str = "conv"

    def cost(self, shape: Shape) -> tuple[Shape, int, int]:
        c, h, w = shape
        if c % self.groups or self.out % self.groups:
            raise ValueError(f"{self.name}: {c} input and {self.out} output channels do not split into "
                             f"{self.groups} groups")
        oh, ow = (conv_output_size(n, self.k, self.stride, self.pad, where=self.name) for n in (h, w))
        per_output = self.k * self.k * c // self.groups
        params = self.out * per_output + (self.out if self.bias else 0)
        return (self.out, oh, ow), params, oh * ow * self.out * per_output


@dataclass(frozen=True)
class Pool:
    """Max or average pooling; ``ceil=True`` rounds the output size up, as Caffe (GoogLeNet) did.

    ``k=None`` pools the whole map (global average pooling). Introduced in chapter 7.
    """

    k: int | None = 2
    stride: int | None = None
    pad: int = 0
    ceil: bool = False
    name: str = "pool"

    def cost(self, shape: Shape) -> tuple[Shape, int, int]:
        c, h, w = shape
        if self.k is None:
            return (c, 1, 1), 0, 0
        s = self.stride or self.k
        oh, ow = (conv_output_size(n, self.k, s, self.pad, ceil_mode=self.ceil, where=self.name) for n in (h, w))
        return (c, oh, ow), 0, 0


@dataclass(frozen=True)
class Dense:
    """A fully connected layer to ``out`` units (the input is flattened first). Introduced in chapter 7."""

    out: int
    bias: bool = True
    name: str = "fc"

    def cost(self, shape: Shape) -> tuple[Shape, int, int]:
        n_in = shape[0] * shape[1] * shape[2]
        return (self.out, 1, 1), n_in * self.out + (self.out if self.bias else 0), n_in * self.out


@dataclass(frozen=True)
class BatchNorm:
    """Batch normalisation: γ and β per channel, no MACs counted. Introduced in chapter 7."""

    name: str = "bn"

    def cost(self, shape: Shape) -> tuple[Shape, int, int]:
        return shape, 2 * shape[0], 0


@dataclass(frozen=True)
class Inception:
    """GoogLeNet's inception module: four branches side by side, their maps stacked.

    1×1 convolution (``n1``); 1×1 reduction to ``r3`` then 3×3 (``n3``); 1×1
    reduction to ``r5`` then 5×5 (``n5``); 3×3 max pooling then 1×1
    (``pool_proj``). The cheap 1×1 reductions before the large filters are
    what keeps the module affordable (:func:`inception_reduction_saving`).
    Introduced in chapter 7, Deep learning.
    """

    n1: int
    r3: int
    n3: int
    r5: int
    n5: int
    pool_proj: int
    name: str = "inception"

    def branches(self) -> list[list]:
        """The four branches as layer lists."""
        return [[Conv(self.n1, 1)],
                [Conv(self.r3, 1), Conv(self.n3, 3, pad=1)],
                [Conv(self.r5, 1), Conv(self.n5, 5, pad=2)],
                [Pool(3, 1, pad=1), Conv(self.pool_proj, 1)]]

    def cost(self, shape: Shape) -> tuple[Shape, int, int]:
        channels, params, macs = 0, 0, 0
        for branch in self.branches():
            rows = count(branch, shape)
            channels += rows[-1].shape[0]
            params += sum(r.params for r in rows)
            macs += sum(r.macs for r in rows)
            _, h, w = rows[-1].shape
        return (channels, h, w), params, macs


@dataclass(frozen=True)
class Bottleneck:
    """ResNet's bottleneck block: 1×1 to ``width``, 3×3, 1×1 to ``4·width``, each with batch norm, plus a shortcut.

    The shortcut is the identity, or, when the block changes the shape
    (``stride`` 2 or a new channel count), a 1×1 convolution with batch norm
    (the "projection"). ``stride_in_3x3`` puts the stride in the 3×3
    convolution (torchvision's "v1.5", 4.1 G MACs for ResNet-50) rather than
    in the first 1×1 (the paper's placement, 3.8 G). Introduced in chapter 7.
    """

    width: int
    stride: int = 1
    stride_in_3x3: bool = True
    name: str = "bottleneck"

    def cost(self, shape: Shape) -> tuple[Shape, int, int]:
        s1, s3 = (1, self.stride) if self.stride_in_3x3 else (self.stride, 1)
        out = 4 * self.width
        branch = [Conv(self.width, 1, s1, bias=False), BatchNorm(),
                  Conv(self.width, 3, s3, pad=1, bias=False), BatchNorm(),
                  Conv(out, 1, bias=False), BatchNorm()]
        rows = count(branch, shape)
        params, macs = sum(r.params for r in rows), sum(r.macs for r in rows)
        if self.stride != 1 or shape[0] != out:
            proj = count([Conv(out, 1, self.stride, bias=False), BatchNorm()], shape)
            params += sum(r.params for r in proj)
            macs += sum(r.macs for r in proj)
        return rows[-1].shape, params, macs


Layer = Union[Conv, Pool, Dense, BatchNorm, Inception, Bottleneck]


@dataclass(frozen=True)
class LayerCost:
    """One row of :func:`count`: the layer, its output shape, parameters and MACs per image. Chapter 7."""

    name: str
    shape: Shape
    params: int
    macs: int


def count(layers: Sequence[Layer], input_shape: Sequence[int]) -> list[LayerCost]:
    """Walk ``layers`` from ``input_shape`` (C, H, W); return one :class:`LayerCost` per layer.

    Raises ``ValueError`` naming the layer when a window does not fit.
    Introduced in chapter 7, Deep learning.
    """
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"input_shape must be (channels, height, width) of positive sizes, got {input_shape!r}")
    rows = []
    for i, layer in enumerate(layers):
        if not hasattr(layer, "cost"):
            raise TypeError(f"layer {i} ({layer!r}) is not a layer spec such as Conv(64, 3)")
        try:
            shape, params, macs = layer.cost(shape)
        except ValueError as err:
            raise ValueError(f"layer {i} ({layer.name}): {err}") from None
        rows.append(LayerCost(layer.name, shape, params, macs))
    return rows


def totals(layers: Sequence[Layer], input_shape: Sequence[int]) -> tuple[int, int]:
    """Total trainable parameters and MACs per image of a specification. Chapter 7."""
    rows = count(layers, input_shape)
    return sum(r.params for r in rows), sum(r.macs for r in rows)


# ------------------------------------------------------------------ the specs
def _lenet5() -> list[Layer]:
    # the common modern form: full connections in C3, a plain output layer (the original
    # wires C3 to subsets of S2's maps and ends in RBF units; both about 60 k parameters)
    return [Conv(6, 5, name="C1"), Pool(2, name="S2 (average)"), Conv(16, 5, name="C3"),
            Pool(2, name="S4 (average)"), Conv(120, 5, name="C5"), Dense(84, name="F6"),
            Dense(10, name="output")]


def _alexnet() -> list[Layer]:
    # the 2012 paper's network as trained on two GPUs: conv2, conv4 and conv5 see only the
    # half of the previous maps that lives on their GPU (groups=2)
    return [Conv(96, 11, 4, name="conv1"), Pool(3, 2, name="pool1"),
            Conv(256, 5, pad=2, groups=2, name="conv2"), Pool(3, 2, name="pool2"),
            Conv(384, 3, pad=1, name="conv3"), Conv(384, 3, pad=1, groups=2, name="conv4"),
            Conv(256, 3, pad=1, groups=2, name="conv5"), Pool(3, 2, name="pool5"),
            Dense(4096, name="fc6"), Dense(4096, name="fc7"), Dense(1000, name="fc8")]


def _vgg16() -> list[Layer]:
    layers: list[Layer] = []
    for block, (channels, n) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        layers += [Conv(channels, 3, pad=1, name=f"conv{block}_{i}") for i in range(1, n + 1)]
        layers.append(Pool(2, name=f"pool{block}"))
    return layers + [Dense(4096, name="fc6"), Dense(4096, name="fc7"), Dense(1000, name="fc8")]


def _googlenet() -> list[Layer]:
    # Szegedy et al. (2014), table 1, without the two auxiliary classifiers used only in training
    return [Conv(64, 7, 2, pad=3, name="conv1 7×7/2"), Pool(3, 2, ceil=True, name="pool1"),
            Conv(64, 1, name="conv2 reduce"), Conv(192, 3, pad=1, name="conv2 3×3"),
            Pool(3, 2, ceil=True, name="pool2"),
            Inception(64, 96, 128, 16, 32, 32, name="inception 3a"),
            Inception(128, 128, 192, 32, 96, 64, name="inception 3b"), Pool(3, 2, ceil=True, name="pool3"),
            Inception(192, 96, 208, 16, 48, 64, name="inception 4a"),
            Inception(160, 112, 224, 24, 64, 64, name="inception 4b"),
            Inception(128, 128, 256, 24, 64, 64, name="inception 4c"),
            Inception(112, 144, 288, 32, 64, 64, name="inception 4d"),
            Inception(256, 160, 320, 32, 128, 128, name="inception 4e"), Pool(3, 2, ceil=True, name="pool4"),
            Inception(256, 160, 320, 32, 128, 128, name="inception 5a"),
            Inception(384, 192, 384, 48, 128, 128, name="inception 5b"),
            Pool(None, name="global average pool"), Dense(1000, name="fc")]


def resnet50(stride_in_3x3: bool = True) -> list[Layer]:
    """ResNet-50's specification; ``stride_in_3x3=False`` gives the paper's stride placement. Chapter 7."""
    layers: list[Layer] = [Conv(64, 7, 2, pad=3, bias=False, name="conv1 7×7/2"), BatchNorm(name="bn1"),
                           Pool(3, 2, pad=1, name="pool1")]
    for stage, (width, n) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)], start=2):
        for i in range(n):
            stride = 2 if i == 0 and stage > 2 else 1
            layers.append(Bottleneck(width, stride, stride_in_3x3, name=f"conv{stage}_{i + 1}"))
    return layers + [Pool(None, name="global average pool"), Dense(1000, name="fc")]


@dataclass(frozen=True)
class Architecture:
    """A named specification with its input, year and what it introduced. Chapter 7."""

    name: str
    year: int
    input_shape: Shape
    layers: list = field(repr=False)
    introduced: str = ""
    published_params: float = 0.0  # as quoted in the papers / model zoos
    published_macs: float | None = None


ARCHITECTURES: dict[str, Architecture] = {
    "LeNet-5": Architecture("LeNet-5", 1998, (1, 32, 32), _lenet5(),
                            "convolution + subsampling trained end to end by backpropagation", 60e3),
    "AlexNet": Architecture("AlexNet", 2012, (3, 227, 227), _alexnet(),
                            "ReLU, dropout, data augmentation, training on GPUs", 61e6),
    "VGG-16": Architecture("VGG-16", 2014, (3, 224, 224), _vgg16(),
                           "depth from stacks of 3×3 convolutions only", 138.4e6, 15.5e9),
    "GoogLeNet": Architecture("GoogLeNet", 2014, (3, 224, 224), _googlenet(),
                              "inception modules: parallel 1×1/3×3/5×5 with 1×1 reductions; global average pooling",
                              6.8e6, 1.5e9),
    "ResNet-50": Architecture("ResNet-50", 2015, (3, 224, 224), resnet50(),
                              "residual connections (shortcuts) and batch norm: 50 layers and beyond",
                              25.6e6, 4.1e9),
}
"""The five architectures of chapter 7, by name, in order of publication."""


def architecture_table() -> list[dict]:
    """Name, year, depth (layers with weights), parameters and MACs of each architecture. Chapter 7."""
    rows = []
    for arch in ARCHITECTURES.values():
        params, macs = totals(arch.layers, arch.input_shape)
        rows.append({"name": arch.name, "year": arch.year, "weight_layers": _weight_layers(arch.layers),
                     "params": params, "macs": macs, "introduced": arch.introduced,
                     "published_params": arch.published_params, "published_macs": arch.published_macs})
    return rows


def _weight_layers(layers: Sequence[Layer]) -> int:
    """Layers with weights along the longest path (an inception module counts 2, a bottleneck 3)."""
    depth = {Conv: 1, Dense: 1, Inception: 2, Bottleneck: 3}
    return sum(depth.get(type(layer), 0) for layer in layers)


def inception_reduction_saving(module: Inception, input_shape: Shape) -> dict[str, int]:
    """Parameters and MACs of ``module`` with its 1×1 reductions, and of the same module without them.

    Without reductions, the 3×3 and 5×5 branches convolve the full input.
    Introduced in chapter 7, Deep learning.
    """
    with_params, with_macs = totals([module], input_shape)
    naive = [[Conv(module.n1, 1)], [Conv(module.n3, 3, pad=1)], [Conv(module.n5, 5, pad=2)],
             [Pool(3, 1, pad=1), Conv(module.pool_proj, 1)]]
    naive_params = naive_macs = 0
    for branch in naive:
        p, m = totals(branch, input_shape)
        naive_params, naive_macs = naive_params + p, naive_macs + m
    return {"params": with_params, "macs": with_macs, "naive_params": naive_params, "naive_macs": naive_macs}
