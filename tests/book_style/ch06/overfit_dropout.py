# Chapter 6 (book numbering): dropout, trained by the Trainer with the book's keywords and lists.
import sys, os
sys.path.append(os.pardir)
from common.datasets import load_mnist
from common.multi_layer_net_extend import MultiLayerNetExtend
from common.trainer import Trainer

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, sample=True)
x_train, t_train = x_train[:300], t_train[:300]

use_dropout = True
dropout_ratio = 0.2
network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100, 100, 100, 100, 100],
                              output_size=10, use_dropout=use_dropout, dropout_ration=dropout_ratio)
trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=6, mini_batch_size=100,
                  optimizer='sgd', optimizer_param={'lr': 0.01}, verbose=True)
trainer.train()

train_acc_list, test_acc_list = trainer.train_acc_list, trainer.test_acc_list
print("train", train_acc_list)
print("test", test_acc_list)
assert network.layers['Dropout1'].dropout_ratio == 0.2
assert len(train_acc_list) == len(test_acc_list) >= 6 and len(trainer.train_loss_list) >= 18
assert all(0 <= a <= 1 for a in train_acc_list + test_acc_list)
