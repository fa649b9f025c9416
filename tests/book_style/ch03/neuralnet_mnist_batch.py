# Chapter 3 (book numbering): inference with a trained network, batch by batch.
import sys, os
sys.path.append(os.pardir)  # as the book's scripts do; the installed course's `common` comes first
import numpy as np
from common.datasets import load_mnist
from common.functions import sigmoid, softmax
from common.params import load_params
from common.config import REPO_ROOT


def get_data():
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True, one_hot_label=False,
                                                      sample=True)
    return x_test, t_test


def init_network():
    # the same 784-50-100-10 sigmoid network the book unpickles, shipped as .npz
    return load_params(REPO_ROOT / "datasets" / "weights" / "mnist_mlp_784_50_100_10.npz")


def predict(network, x):
    a1 = np.dot(x, network['W1']) + network['b1']
    z1 = sigmoid(a1)
    a2 = np.dot(z1, network['W2']) + network['b2']
    z2 = sigmoid(a2)
    a3 = np.dot(z2, network['W3']) + network['b3']
    return softmax(a3)


x, t = get_data()
network = init_network()

batch_size = 100
accuracy_cnt = 0
for i in range(0, len(x), batch_size):
    y_batch = predict(network, x[i:i + batch_size])
    p = np.argmax(y_batch, axis=1)
    accuracy_cnt += np.sum(p == t[i:i + batch_size])

accuracy = float(accuracy_cnt) / len(x)
print("Accuracy:" + str(accuracy))
assert np.allclose(predict(network, x[:5]).sum(axis=1), 1.0)
assert accuracy > 0.9, accuracy
