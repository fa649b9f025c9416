# Chapter 4 (book numbering): a two-layer network written with the functions of common.functions.
import sys, os
sys.path.append(os.pardir)
from common.functions import *  # the book's scripts then use np without importing it
from common.gradient import numerical_gradient


class TwoLayerNet:

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {}
        self.params['W1'] = weight_init_std * rng.standard_normal((input_size, hidden_size))
        self.params['b1'] = np.zeros(hidden_size)
        self.params['W2'] = weight_init_std * rng.standard_normal((hidden_size, output_size))
        self.params['b2'] = np.zeros(output_size)

    def predict(self, x):
        h = sigmoid(np.dot(x, self.params['W1']) + self.params['b1'])
        return softmax(np.dot(h, self.params['W2']) + self.params['b2'])

    def loss(self, x, t):
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        labels = np.argmax(t, axis=1) if t.ndim != 1 else t
        return np.sum(y == labels) / float(x.shape[0])

    def numerical_gradient(self, x, t):
        loss_W = lambda W: self.loss(x, t)
        return {key: numerical_gradient(loss_W, self.params[key]) for key in ('W1', 'b1', 'W2', 'b2')}

    def gradient(self, x, t):
        W1, b1, W2 = self.params['W1'], self.params['b1'], self.params['W2']
        a1 = np.dot(x, W1) + b1
        z1 = sigmoid(a1)
        y = softmax(np.dot(z1, W2) + self.params['b2'])
        dy = (y - t) / x.shape[0]
        grads = {'W2': np.dot(z1.T, dy), 'b2': np.sum(dy, axis=0)}
        dz1 = np.dot(dy, W2.T) * sigmoid_grad(a1)
        grads['W1'] = np.dot(x.T, dz1)
        grads['b1'] = np.sum(dz1, axis=0)
        return grads
