# Chapter 6 (book numbering): four optimisers on the same five-layer network, smoothed loss curves.
import sys, os
sys.path.append(os.pardir)
import matplotlib.pyplot as plt
from common.datasets import load_mnist
from common.util import smooth_curve
from common.multi_layer_net import MultiLayerNet
from common.optimizer import *

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, sample=True)

train_size = x_train.shape[0]
batch_size = 128
max_iterations = 60
rng = np.random.default_rng(0)

optimizers = {'SGD': SGD(), 'Momentum': Momentum(), 'AdaGrad': AdaGrad(), 'Adam': Adam()}
networks = {}
train_loss = {}
for key in optimizers.keys():
    networks[key] = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100], output_size=10)
    train_loss[key] = []

for i in range(max_iterations):
    batch_mask = rng.choice(train_size, batch_size)
    x_batch = x_train[batch_mask]
    t_batch = t_train[batch_mask]
    for key in optimizers.keys():
        grads = networks[key].gradient(x_batch, t_batch)
        optimizers[key].update(networks[key].params, grads)
        train_loss[key].append(networks[key].loss(x_batch, t_batch))
    if i % 20 == 0:
        print("===========" + "iteration:" + str(i) + "===========")
        for key in optimizers.keys():
            print(key + ":" + str(train_loss[key][-1]))

markers = {"SGD": "o", "Momentum": "x", "AdaGrad": "s", "Adam": "D"}
x = np.arange(max_iterations)
for key in optimizers.keys():
    plt.plot(x, smooth_curve(train_loss[key]), marker=markers[key], markevery=10, label=key)
plt.xlabel("iterations")
plt.ylabel("loss")
plt.legend()
plt.show()

final = {key: np.mean(train_loss[key][-10:]) for key in optimizers}
print(final)
assert all(final[key] < train_loss[key][0] for key in optimizers)
assert max(final['Momentum'], final['AdaGrad'], final['Adam']) < final['SGD']  # SGD is the slowest
