# Chapter 7 (book numbering): gradient check of a CNN on one 10x10 image with its label as a (1, 1) array.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from simple_convnet import SimpleConvNet
from common.networks import SimpleConvNet as CourseSimpleConvNet

conv_param = {'filter_num': 10, 'filter_size': 3, 'pad': 0, 'stride': 1}
X = np.random.default_rng(0).random(100).reshape((1, 1, 10, 10))
T = np.array([1]).reshape((1, 1))

grads = {}
for Net in (SimpleConvNet, CourseSimpleConvNet):
    network = Net(input_dim=(1, 10, 10), conv_param=conv_param, hidden_size=10, output_size=10,
                  weight_init_std=0.01)
    grad_num = network.numerical_gradient(X, T)
    grad = grads[Net] = network.gradient(X, T)
    for key, val in grad_num.items():
        diff = np.abs(grad_num[key] - grad[key]).mean()
        print(Net.__module__, key, diff)
        assert diff < 1e-3 * np.abs(grad[key]).mean(), (Net, key, diff)  # ReLU kinks limit the accuracy
assert all(np.array_equal(grads[SimpleConvNet][k], grads[CourseSimpleConvNet][k]) for k in grad)
