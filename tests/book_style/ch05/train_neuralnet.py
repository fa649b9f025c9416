# Chapter 5 (book numbering): training by backprop with plain SGD, accuracy once per epoch.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.datasets import load_mnist
from two_layer_net import TwoLayerNet

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True, sample=True)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

iters_num = 600
train_size = x_train.shape[0]
batch_size = 100
learning_rate = 0.1
rng = np.random.default_rng(0)

train_loss_list = []
train_acc_list = []
test_acc_list = []
iter_per_epoch = max(train_size / batch_size, 1)

for i in range(iters_num):
    batch_mask = rng.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]

    grad = network.gradient(x_batch, t_batch)
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]

    train_loss_list.append(network.loss(x_batch, t_batch))
    if i % iter_per_epoch == 0:
        train_acc = network.accuracy(x_train, t_train)
        test_acc = network.accuracy(x_test, t_test)
        train_acc_list.append(train_acc)
        test_acc_list.append(test_acc)
        print(train_acc, test_acc)

print("final test acc:", network.accuracy(x_test, t_test))
assert len(train_acc_list) == 12
assert network.accuracy(x_test, t_test) > 0.85 and train_loss_list[-1] < 0.6
