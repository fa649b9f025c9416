# Chapter 7 (book numbering): conv - relu - pool - affine - relu - affine - softmax, on common.layers.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from collections import OrderedDict
from common.layers import *
from common.gradient import numerical_gradient


class SimpleConvNet:

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                 hidden_size=100, output_size=10, weight_init_std=0.01, seed=0):
        filter_num = conv_param['filter_num']
        filter_size = conv_param['filter_size']
        filter_pad = conv_param['pad']
        filter_stride = conv_param['stride']
        input_size = input_dim[1]
        conv_output_size = (input_size - filter_size + 2 * filter_pad) // filter_stride + 1
        pool_output_size = int(filter_num * (conv_output_size // 2) * (conv_output_size // 2))

        rng = np.random.default_rng(seed)
        self.params = {}
        self.params['W1'] = weight_init_std * rng.standard_normal((filter_num, input_dim[0], filter_size, filter_size))
        self.params['b1'] = np.zeros(filter_num)
        self.params['W2'] = weight_init_std * rng.standard_normal((pool_output_size, hidden_size))
        self.params['b2'] = np.zeros(hidden_size)
        self.params['W3'] = weight_init_std * rng.standard_normal((hidden_size, output_size))
        self.params['b3'] = np.zeros(output_size)

        self.layers = OrderedDict()
        self.layers['Conv1'] = Convolution(self.params['W1'], self.params['b1'], filter_stride, filter_pad)
        self.layers['Relu1'] = Relu()
        self.layers['Pool1'] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers['Affine1'] = Affine(self.params['W2'], self.params['b2'])
        self.layers['Relu2'] = Relu()
        self.layers['Affine2'] = Affine(self.params['W3'], self.params['b3'])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x), t)

    def numerical_gradient(self, x, t):
        loss_w = lambda w: self.loss(x, t)
        return {key: numerical_gradient(loss_w, value) for key, value in self.params.items()}

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for i, name in enumerate(('Conv1', 'Affine1', 'Affine2'), start=1):
            grads['W' + str(i)], grads['b' + str(i)] = self.layers[name].dW, self.layers[name].db
        return grads
