# Chapter 6 (book numbering): random search over learning rate and weight decay on a validation split.
import sys, os
sys.path.append(os.pardir)
import numpy as np
from common.datasets import load_mnist
from common.multi_layer_net import MultiLayerNet
from common.util import shuffle_dataset
from common.trainer import Trainer

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, sample=True)
x_train, t_train = x_train[:500], t_train[:500]

validation_rate = 0.20
validation_num = int(x_train.shape[0] * validation_rate)
x_train, t_train = shuffle_dataset(x_train, t_train, rng=0)
x_val, t_val = x_train[:validation_num], t_train[:validation_num]
x_train, t_train = x_train[validation_num:], t_train[validation_num:]


def __train(lr, weight_decay, epocs=3):
    network = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100],
                            output_size=10, weight_decay_lambda=weight_decay)
    trainer = Trainer(network, x_train, t_train, x_val, t_val,
                      epochs=epocs, mini_batch_size=100,
                      optimizer='sgd', optimizer_param={'lr': lr}, verbose=False)
    trainer.train()
    return trainer.test_acc_list, trainer.train_acc_list


rng = np.random.default_rng(0)
results_val = {}
for _ in range(4):
    weight_decay = 10 ** rng.uniform(-8, -4)
    lr = 10 ** rng.uniform(-6, -1)
    val_acc_list, train_acc_list = __train(lr, weight_decay)
    print("val acc:" + str(val_acc_list[-1]) + " | lr:" + str(lr) + ", weight decay:" + str(weight_decay))
    results_val["lr:" + str(lr) + ", weight decay:" + str(weight_decay)] = val_acc_list

best = sorted(results_val.items(), key=lambda kv: kv[1][-1], reverse=True)
print("Best: " + best[0][0], best[0][1][-1])
assert len(x_val) == 100 and len(x_train) == 400
assert all(len(accs) >= 3 for accs in results_val.values())
