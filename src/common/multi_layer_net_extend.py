"""The classic book's module name for :class:`~common.networks.MultiLayerNetExtend` (an alias, not a copy).

Lets the book's scripts write ``from common.multi_layer_net_extend import
MultiLayerNetExtend``; the class also accepts the book's keyword spelling
``dropout_ration``. Introduced in chapter 5, Training techniques.
"""

from common.networks.fully_connected import MultiLayerNetExtend

__all__ = ["MultiLayerNetExtend"]
