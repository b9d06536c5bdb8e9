# Gradient descent and Newton's method as while loops.
import torch

# Gradient descent on f(x) = (x - 3)^2 until the step is small.
x = torch.tensor(0.0, requires_grad=True)
lr = 0.2
steps = 0
while True:
    loss = (x - 3) ** 2
    loss.backward()
    with torch.no_grad():
        step = lr * x.grad
        x -= step
    x.grad.zero_()
    steps += 1
    if abs(step.item()) < 1e-4:
        break
print(f"gradient descent: x = {x.item():.6f} after {steps} steps")

# Newton's method for sqrt(2): the root of g(z) = z^2 - 2.
z = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
iteration = 0
while iteration < 20:
    g = z ** 2 - 2
    (dg,) = torch.autograd.grad(g, z)
    with torch.no_grad():
        update = g / dg
        z -= update
    iteration += 1
    print(iteration, z.detach(), f"{update.item():.3e}")
    if abs(update.item()) < 1e-12:
        break
else:
    print("did not converge")

# while/else without a break, and continue
n = 0
odd = []
while n < 7:
    n += 1
    if n % 2 == 0:
        continue
    odd.append(n)
else:
    print("finished counting", odd)

# Newton's method on a vector function with the Jacobian
def F(v):
    return torch.stack([v[0] ** 2 + v[1] ** 2 - 4, v[0] - v[1]])

v = torch.tensor([1.0, 0.5], dtype=torch.float64)
k = 0
while k < 30:
    J = torch.autograd.functional.jacobian(F, v)
    f = F(v)
    det = J[0, 0] * J[1, 1] - J[0, 1] * J[1, 0]
    delta = torch.stack([(J[1, 1] * f[0] - J[0, 1] * f[1]) / det,
                         (J[0, 0] * f[1] - J[1, 0] * f[0]) / det])
    v = v - delta
    k += 1
    if delta.norm() < 1e-10:
        break
print(k, v)
