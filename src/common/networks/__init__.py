"""Networks built from the layers of ``common.layers``, with the classic book's API.

Every network has ``params`` (``'W1'``, ``'b1'``, …), ``predict``, ``loss``,
``accuracy``, ``gradient`` (backprop), ``numerical_gradient`` and
``save_params``/``load_params`` (``.npz``, no pickle). Chapters: TwoLayerNet in
3–4, MultiLayerNet and MultiLayerNetExtend in 5, SimpleConvNet and DeepConvNet
in 6.
"""

from common.networks.base import Network
from common.networks.deep_convnet import DeepConvNet
from common.networks.fully_connected import MultiLayerNet, MultiLayerNetExtend
from common.networks.simple_convnet import SimpleConvNet
from common.networks.two_layer_net import TwoLayerNet

__all__ = [
    "DeepConvNet",
    "MultiLayerNet",
    "MultiLayerNetExtend",
    "Network",
    "SimpleConvNet",
    "TwoLayerNet",
]
