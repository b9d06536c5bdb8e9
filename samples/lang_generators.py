# Generators: d2l's data_iter, generator expressions, yield from.
import torch

def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    indices.reverse()     # a fixed order instead of random.shuffle
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]

true_w = torch.tensor([2.0, -3.5])
true_b = 4.25
features = torch.arange(20, dtype=torch.float32).reshape(10, 2) / 8
labels = (features @ true_w + true_b).reshape(-1, 1)

for X, y in data_iter(4, features, labels):
    print(X.shape, y.squeeze(1))

w = torch.zeros(2, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.0625
for epoch in range(3):
    for X, y in data_iter(5, features, labels):
        l = ((X @ w + b - y) ** 2 / 2).sum()
        l.backward()
        with torch.no_grad():
            for param in [w, b]:
                param -= lr * param.grad / 5
                param.grad.zero_()
    with torch.no_grad():
        train_l = ((features @ w + b - labels) ** 2 / 2).mean()
    print(f"epoch {epoch + 1}, loss {float(train_l):f}")

def countdown(n):
    while n > 0:
        yield n
        n -= 1
    return "done"

gen = countdown(3)
print(next(gen), next(gen), list(gen))

def chain(*iterables):
    for it in iterables:
        yield from it

print(list(chain([1, 2], (3,), range(4, 6))))
print(sum(x * x for x in range(5)), max(t.item() for t in torch.tensor([3, 9, 2])))
squares = (n ** 2 for n in range(4))
print(type(squares).__name__, list(squares), list(squares))

def pairs(t):
    for i, row in enumerate(t):
        if i % 2:
            continue
        yield i, row.sum()

print(dict(pairs(torch.arange(6).reshape(3, 2))))
