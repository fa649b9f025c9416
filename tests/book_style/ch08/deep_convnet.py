# Chapter 8 (book numbering): a VGG-like network from common.layers, the book's paddings (28 -> 14 -> 8 -> 4).
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.layers import *


class DeepConvNet:

    def __init__(self, input_dim=(1, 28, 28),
                 conv_params=({'filter_num': 16, 'filter_size': 3, 'pad': 1, 'stride': 1},
                              {'filter_num': 16, 'filter_size': 3, 'pad': 1, 'stride': 1},
                              {'filter_num': 32, 'filter_size': 3, 'pad': 1, 'stride': 1},
                              {'filter_num': 32, 'filter_size': 3, 'pad': 2, 'stride': 1},
                              {'filter_num': 64, 'filter_size': 3, 'pad': 1, 'stride': 1},
                              {'filter_num': 64, 'filter_size': 3, 'pad': 1, 'stride': 1}),
                 hidden_size=50, output_size=10, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {}
        self.layers = []
        self.weighted = []  # positions of the layers that hold W and b
        channels = input_dim[0]
        for idx, conv_param in enumerate(conv_params, start=1):
            fn, fs = conv_param['filter_num'], conv_param['filter_size']
            scale = np.sqrt(2.0 / (channels * fs * fs))  # He initialisation
            self.params['W' + str(idx)] = scale * rng.standard_normal((fn, channels, fs, fs))
            self.params['b' + str(idx)] = np.zeros(fn)
            self.weighted.append(len(self.layers))
            self.layers.append(Convolution(self.params['W' + str(idx)], self.params['b' + str(idx)],
                                           conv_param['stride'], conv_param['pad']))
            self.layers.append(Relu())
            if idx % 2 == 0:
                self.layers.append(Pooling(pool_h=2, pool_w=2, stride=2))
            channels = fn
        self.params['W7'] = np.sqrt(2.0 / (64 * 4 * 4)) * rng.standard_normal((64 * 4 * 4, hidden_size))
        self.params['b7'] = np.zeros(hidden_size)
        self.params['W8'] = np.sqrt(2.0 / hidden_size) * rng.standard_normal((hidden_size, output_size))
        self.params['b8'] = np.zeros(output_size)
        self.weighted.append(len(self.layers))
        self.layers += [Affine(self.params['W7'], self.params['b7']), Relu(), Dropout(0.5, rng=seed)]
        self.weighted.append(len(self.layers))
        self.layers += [Affine(self.params['W8'], self.params['b8']), Dropout(0.5, rng=seed + 1)]
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x, train_flg=False):
        for layer in self.layers:
            x = layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x, train_flg=True), t)

    def accuracy(self, x, t, batch_size=100):
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        correct = 0
        for i in range(0, x.shape[0], batch_size):
            y = np.argmax(self.predict(x[i:i + batch_size]), axis=1)
            correct += np.sum(y == t[i:i + batch_size])
        return correct / x.shape[0]

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        grads = {}
        for i, layer_idx in enumerate(self.weighted, start=1):
            grads['W' + str(i)] = self.layers[layer_idx].dW
            grads['b' + str(i)] = self.layers[layer_idx].db
        return grads
