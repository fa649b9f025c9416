# Chapter 8 (book numbering): the deep CNN trained by the Trainer with Adam; the course's DeepConvNet too.
import sys, os
sys.path.append(os.pardir)
import tempfile
import numpy as np
from common.datasets import load_mnist
from common.networks import DeepConvNet as CourseDeepConvNet
from common.optimizer import Adam
from common.trainer import Trainer
from deep_convnet import DeepConvNet

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False, sample=True)
x_train, t_train = x_train[:100], t_train[:100]
x_test, t_test = x_test[:50], t_test[:50]

network = DeepConvNet()
assert network.predict(x_test[:2]).shape == (2, 10)
grads = network.gradient(x_train[:10], t_train[:10])
assert all(grads[key].shape == network.params[key].shape for key in network.params)
optimizer = Adam(lr=0.001)
losses = []
for i in range(3):
    grads = network.gradient(x_train[:30], t_train[:30])
    optimizer.update(network.params, grads)
    losses.append(network.last_layer.loss)
print("book-style DeepConvNet, loss:", losses)
assert losses[-1] < losses[0]

network = CourseDeepConvNet()
trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=1, mini_batch_size=50,
                  optimizer='Adam', optimizer_param={'lr': 0.001},
                  evaluate_sample_num_per_epoch=50)
trainer.train()
with tempfile.TemporaryDirectory() as folder:
    path = network.save_params(os.path.join(folder, "deep_convnet_params.pkl"))
    print("Saved Network Parameters!", os.path.basename(path))
acc = network.accuracy(x_test, t_test)
print("test acc:", acc)
assert 0 <= acc <= 1 and np.isfinite(network.loss(x_test[:10], t_test[:10]))
