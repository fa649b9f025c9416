# Chapter 7 (book numbering): SimpleConvNet trained by the Trainer; accuracy lists, weights saved.
import sys, os
sys.path.append(os.pardir)
import tempfile
import numpy as np
from common.datasets import load_mnist
from common.networks import SimpleConvNet
from common.trainer import Trainer

(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False, sample=True)
x_train, t_train = x_train[:600], t_train[:600]  # the book suggests fewer images when time is short
x_test, t_test = x_test[:300], t_test[:300]

network = SimpleConvNet(input_dim=(1, 28, 28),
                        conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                        hidden_size=100, output_size=10, weight_init_std=0.01)
max_epochs = 2
trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=max_epochs, mini_batch_size=100,
                  optimizer='Adam', optimizer_param={'lr': 0.001},
                  evaluate_sample_num_per_epoch=300)
trainer.train()

with tempfile.TemporaryDirectory() as folder:
    path = network.save_params(os.path.join(folder, "params.pkl"))  # written as .npz, never pickle
    print("Saved Network Parameters!", os.path.basename(path))
    restored = SimpleConvNet()
    restored.load_params(path)
    assert np.array_equal(restored.predict(x_test[:10]), network.predict(x_test[:10]))

train_acc_list, test_acc_list = trainer.train_acc_list, trainer.test_acc_list
print(train_acc_list, test_acc_list)
assert len(train_acc_list) == len(test_acc_list) >= max_epochs
assert test_acc_list[-1] > 0.4 and test_acc_list[-1] > test_acc_list[0] - 0.05
