# Chapter 5 (book numbering): the shopping example on multiply nodes.
import sys, os
sys.path.append(os.pardir)
from common.layers import MulLayer

apple, apple_num, tax = 100, 2, 1.1
mul_apple_layer = MulLayer()
mul_tax_layer = MulLayer()

apple_price = mul_apple_layer.forward(apple, apple_num)
price = mul_tax_layer.forward(apple_price, tax)

dprice = 1
dapple_price, dtax = mul_tax_layer.backward(dprice)
dapple, dapple_num = mul_apple_layer.backward(dapple_price)

print("price:", int(price))
print("dApple:", dapple)
print("dApple_num:", int(dapple_num))
print("dTax:", dtax)
assert round(price, 6) == 220 and round(dapple, 6) == 2.2 and round(dapple_num, 6) == 110 and dtax == 200
