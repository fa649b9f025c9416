# Chapter 4 (book numbering): learning with the numerical gradient, then checking it analytically.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.datasets import load_mnist
from two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True, sample=True)
x_train, x_test = x_train.astype(np.float64), x_test.astype(np.float64)  # finite differences need float64

network = TwoLayerNet(input_size=784, hidden_size=5, output_size=10, weight_init_std=0.1)
x_batch, t_batch = x_train[:10], t_train[:10]

train_loss_list = []
learning_rate = 1.0
for i in range(3):  # the numerical gradient is slow: a few steps show that it learns
    grad = network.numerical_gradient(x_batch, t_batch)
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
    train_loss_list.append(network.loss(x_batch, t_batch))
    print("iteration " + str(i) + ", loss " + str(train_loss_list[-1]))

numerical = network.numerical_gradient(x_batch[:3], t_batch[:3])
analytic = network.gradient(x_batch[:3], t_batch[:3])
for key in numerical:
    diff = np.average(np.abs(analytic[key] - numerical[key]))
    print(key + ":" + str(diff))
    assert diff < 1e-5 * np.average(np.abs(analytic[key])), (key, diff)
assert train_loss_list[-1] < train_loss_list[0] < 2.5, train_loss_list
print("test acc | " + str(network.accuracy(x_test, t_test)))
