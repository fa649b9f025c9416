# Chapter 6 (book numbering): optimisers on f(x, y) = x²/20 + y², the point kept as two Python floats.
import sys, os
sys.path.append(os.pardir)
import matplotlib.pyplot as plt
from collections import OrderedDict
from common.optimizer import *  # gives np too, as the book's script expects


def f(x, y):
    return x**2 / 20.0 + y**2


def df(x, y):
    return x / 10.0, 2.0 * y


init_pos = (-7.0, 2.0)
params = {}
grads = {}

optimizers = OrderedDict()
optimizers["SGD"] = SGD(lr=0.95)
optimizers["Momentum"] = Momentum(lr=0.1)
optimizers["AdaGrad"] = AdaGrad(lr=1.5)
optimizers["Adam"] = Adam(lr=0.3)

for idx, key in enumerate(optimizers, start=1):
    optimizer = optimizers[key]
    x_history, y_history = [], []
    params['x'], params['y'] = init_pos[0], init_pos[1]
    for i in range(30):
        x_history.append(params['x'])
        y_history.append(params['y'])
        grads['x'], grads['y'] = df(params['x'], params['y'])
        optimizer.update(params, grads)
    print(key, "ends at", (round(params['x'], 4), round(params['y'], 4)), "f =", f(params['x'], params['y']))
    assert isinstance(params['x'], float) and f(params['x'], params['y']) < 0.5, key

    plt.subplot(2, 2, idx)
    plt.plot(x_history, y_history, 'o-', color="red")
    X, Y = np.meshgrid(np.arange(-10, 10, 0.05), np.arange(-5, 5, 0.05))
    plt.contour(X, Y, f(X, Y))
    plt.title(key)
    plt.xlabel("x")
    plt.ylabel("y")
plt.show()
