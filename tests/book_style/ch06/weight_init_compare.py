# Chapter 6 (book numbering): std 0.01, Xavier and He initial weights in a five-layer ReLU network.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.datasets import load_mnist
from common.util import smooth_curve
from common.multi_layer_net import MultiLayerNet
from common.optimizer import SGD

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, sample=True)
train_size = x_train.shape[0]
batch_size = 128
max_iterations = 80
rng = np.random.default_rng(0)

weight_init_types = {'std=0.01': 0.01, 'Xavier': 'sigmoid', 'He': 'relu'}
optimizer = SGD(lr=0.01)  # one optimiser for all three networks, as in the book
networks = {}
train_loss = {}
for key, weight_type in weight_init_types.items():
    networks[key] = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100],
                                  output_size=10, weight_init_std=weight_type)
    train_loss[key] = []

for i in range(max_iterations):
    batch_mask = rng.choice(train_size, batch_size)
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    for key in weight_init_types.keys():
        grads = networks[key].gradient(x_batch, t_batch)
        optimizer.update(networks[key].params, grads)
        train_loss[key].append(networks[key].loss(x_batch, t_batch))

smoothed = {key: smooth_curve(train_loss[key]) for key in weight_init_types}
for key in weight_init_types:
    print(key + ": " + str(smoothed[key][-1]))
assert abs(smoothed['std=0.01'][-1] - np.log(10)) < 0.01  # stuck: the signal dies out in the deep layers
assert smoothed['He'][-1] < smoothed['Xavier'][-1] < smoothed['std=0.01'][-1]
