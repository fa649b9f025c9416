# Chapter 6 (book numbering): weight decay against overfitting on 300 training images.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.datasets import load_mnist
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, sample=True)
x_train, t_train = x_train[:300], t_train[:300]

train_size = x_train.shape[0]
batch_size = 100
rng = np.random.default_rng(0)
results = {}
for weight_decay_lambda in (0, 0.1):
    network = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100], output_size=10,
                            weight_decay_lambda=weight_decay_lambda)
    optimizer = SGD(lr=0.01)
    for i in range(150):
        batch_mask = rng.choice(train_size, batch_size)
        grads = network.gradient(x_train[batch_mask], t_train[batch_mask])
        optimizer.update(network.params, grads)
    weights = sum(float(np.sum(network.params['W' + str(k)] ** 2)) for k in range(1, 8))
    results[weight_decay_lambda] = weights
    print("lambda", weight_decay_lambda, "sum of squared weights", weights,
          "train acc", network.accuracy(x_train, t_train), "test acc", network.accuracy(x_test, t_test))
assert results[0.1] < results[0]  # the decay keeps the weights smaller
