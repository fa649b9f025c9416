"""The classic book's module name for :class:`~common.networks.MultiLayerNet` (an alias, not a copy).

Lets the book's scripts write ``from common.multi_layer_net import MultiLayerNet``.
Introduced in chapter 5, Training techniques.
"""

from common.networks.fully_connected import MultiLayerNet

__all__ = ["MultiLayerNet"]
