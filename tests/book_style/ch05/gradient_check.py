# Chapter 5 (book numbering): backprop against the numerical gradient, one-hot labels.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.datasets import load_mnist
from two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True, sample=True,
                                                  dtype=np.float64)
network = TwoLayerNet(input_size=784, hidden_size=10, output_size=10, weight_init_std=0.1)
x_batch = x_train[:3]
t_batch = t_train[:3]

grad_numerical = network.numerical_gradient(x_batch, t_batch)
grad_backprop = network.gradient(x_batch, t_batch)

for key in grad_numerical.keys():
    diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
    print(key + ":" + str(diff))
    assert diff < 1e-8, (key, diff)
