# Classes: methods, attributes, inheritance, super(), class attributes,
# static and class methods, properties, special methods.
import torch

class Shape:
    sides = 0
    registry = []

    def __init__(self, name):
        self.name = name
        Shape.registry.append(name)

    def area(self):
        raise NotImplementedError("subclasses compute their area")

    def describe(self):
        return f"{self.name} with {self.sides} sides and area {self.area():.2f}"

    def __repr__(self):
        return f"{type(self).__name__}({self.name!r})"

class Rectangle(Shape):
    sides = 4

    def __init__(self, w, h):
        super().__init__("rectangle")
        self.w, self.h = w, h

    def area(self):
        return self.w * self.h

    @property
    def diagonal(self):
        return (self.w ** 2 + self.h ** 2) ** 0.5

    @classmethod
    def square(cls, side):
        return cls(side, side)

    @staticmethod
    def unit():
        return Rectangle(1, 1)

class Square(Rectangle):
    def __init__(self, side):
        super(Square, self).__init__(side, side)
        self.name = "square"

    def describe(self):
        return "a square: " + super().describe()

r = Rectangle(3, 4)
s = Square(2)
print(r, s, r.describe(), s.describe(), sep="\n")
print(r.diagonal, Rectangle.square(5).area(), Rectangle.unit().area(), Shape.registry)
print(isinstance(s, Rectangle), isinstance(s, Shape), isinstance(r, Square))
print(issubclass(Square, Shape), issubclass(Shape, Square), type(s) is Square, type(s))
print(Square.sides, s.sides, Shape.sides)
try:
    Shape("blob").describe()
except NotImplementedError as e:
    print("NotImplementedError:", e)

class Polynomial:
    """Coefficients, lowest power first; evaluates on tensors and differentiates."""

    def __init__(self, *coefficients):
        self.coefficients = list(coefficients)

    def __call__(self, x):
        return sum(c * x ** i for i, c in enumerate(self.coefficients))

    def __len__(self):
        return len(self.coefficients)

    def __getitem__(self, i):
        return self.coefficients[i]

    def __add__(self, other):
        n = max(len(self), len(other))
        pad = lambda p: p.coefficients + [0] * (n - len(p))
        return Polynomial(*[a + b for a, b in zip(pad(self), pad(other))])

    def __eq__(self, other):
        return self.coefficients == other.coefficients

    def __iter__(self):
        return iter(self.coefficients)

    def __str__(self):
        return " + ".join(f"{c}x^{i}" for i, c in enumerate(self))

    def derivative(self):
        return Polynomial(*[i * c for i, c in enumerate(self.coefficients)][1:])

p = Polynomial(1, -2, 3)
x = torch.tensor([0.5, 2.0], requires_grad=True)
y = p(x)
y.sum().backward()
print(p, len(p), p[2], list(p), y)
print(x.grad, p.derivative()(x.detach()))
print(p + Polynomial(0, 0, 0, 1), p == Polynomial(1, -2, 3), p != p)

class Dataset:
    def __init__(self, n):
        self.x = torch.arange(n, dtype=torch.float32)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], 2 * self.x[i] + 1

ds = Dataset(4)
print(len(ds), ds[2], [y.item() for _, y in [ds[i] for i in range(len(ds))]])

class Timer:
    def __enter__(self):
        print("enter")
        return self

    def __exit__(self, kind, value, tb):
        print("exit", kind.__name__ if kind else None)
        return kind is ZeroDivisionError

with Timer() as t:
    print(isinstance(t, Timer))
with Timer():
    1 / 0
print("suppressed")
