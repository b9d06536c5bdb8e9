"""Sampling helpers that follow PyTorch's C++ libraries step by step: the order in
which libstdc++'s selection puts ties (``topk`` inside ``multinomial``) and
ATen's Poisson sampler.
"""

from __future__ import annotations

import math

import numpy as np


def _topk_indices(row: np.ndarray, k: int) -> list[int]:
    """Indices of the ``k`` largest values, in ATen's CPU ``topk`` order.

    Distinct values have one order; with ties (or NaN, which ranks first)
    the order is that of ATen's ``topk``: ``std::partial_sort`` when
    ``64 k <= n``, else ``std::nth_element`` and ``std::sort`` of the first
    ``k - 1``, on (value, index) pairs, as libstdc++ implements them.
    """
    values = row.astype(np.float64)
    if not np.isnan(values).any() and np.unique(values).size == values.size:
        return np.argsort(-values, kind="stable")[:k].tolist()
    return _StdSelect(values.tolist()).topk(k)


class _StdSelect:
    """libstdc++'s introselect/introsort/heap routines on (value, index) pairs."""

    def __init__(self, values: list[float]) -> None:
        self.q = [(v, i) for i, v in enumerate(values)]

    @staticmethod
    def before(x: tuple, y: tuple) -> bool:
        """ATen's comparator for largest-first: NaN first, then greater values."""
        return (x[0] != x[0] and y[0] == y[0]) or x[0] > y[0]

    def topk(self, k: int) -> list[int]:
        n = len(self.q)
        if k * 64 <= n:  # std::partial_sort
            self.heap_select(0, k, n)
            self.sort_heap(0, k)
        else:  # std::nth_element, then std::sort of the first k - 1
            self.introselect(0, k - 1, n, 2 * (n.bit_length() - 1))
            self.sort(0, k - 1)
        return [i for _, i in self.q[:k]]

    def swap(self, a: int, b: int) -> None:
        q = self.q
        q[a], q[b] = q[b], q[a]

    def median_to_first(self, result: int, a: int, b: int, c: int) -> None:
        q, before = self.q, self.before
        if before(q[a], q[b]):
            if before(q[b], q[c]):
                self.swap(result, b)
            elif before(q[a], q[c]):
                self.swap(result, c)
            else:
                self.swap(result, a)
        elif before(q[a], q[c]):
            self.swap(result, a)
        elif before(q[b], q[c]):
            self.swap(result, c)
        else:
            self.swap(result, b)

    def partition_pivot(self, first: int, last: int) -> int:
        q, before = self.q, self.before
        self.median_to_first(first, first + 1, first + (last - first) // 2, last - 1)
        lo, hi = first + 1, last
        while True:
            while before(q[lo], q[first]):
                lo += 1
            hi -= 1
            while before(q[first], q[hi]):
                hi -= 1
            if not lo < hi:
                return lo
            self.swap(lo, hi)
            lo += 1

    def linear_insert(self, last: int) -> None:
        q = self.q
        val = q[last]
        while self.before(val, q[last - 1]):
            q[last] = q[last - 1]
            last -= 1
        q[last] = val

    def insertion_sort(self, first: int, last: int) -> None:
        q = self.q
        for i in range(first + 1, last):
            if self.before(q[i], q[first]):
                q[first:i + 1] = [q[i]] + q[first:i]
            else:
                self.linear_insert(i)

    def adjust_heap(self, first: int, hole: int, length: int, value: tuple) -> None:
        q, before = self.q, self.before
        top = child = hole
        while child < (length - 1) // 2:
            child = 2 * (child + 1)
            if before(q[first + child], q[first + child - 1]):
                child -= 1
            q[first + hole] = q[first + child]
            hole = child
        if length % 2 == 0 and child == (length - 2) // 2:
            child = 2 * (child + 1)
            q[first + hole] = q[first + child - 1]
            hole = child - 1
        parent = (hole - 1) // 2
        while hole > top and before(q[first + parent], value):
            q[first + hole] = q[first + parent]
            hole = parent
            parent = (hole - 1) // 2
        q[first + hole] = value

    def heap_select(self, first: int, middle: int, last: int) -> None:
        q = self.q
        length = middle - first
        for parent in range((length - 2) // 2, -1, -1) if length >= 2 else ():
            self.adjust_heap(first, parent, length, q[first + parent])
        for i in range(middle, last):
            if self.before(q[i], q[first]):
                value = q[i]
                q[i] = q[first]
                self.adjust_heap(first, 0, length, value)

    def sort_heap(self, first: int, last: int) -> None:
        q = self.q
        while last - first > 1:
            last -= 1
            value = q[last]
            q[last] = q[first]
            self.adjust_heap(first, 0, last - first, value)

    def introselect(self, first: int, nth: int, last: int, depth: int) -> None:
        while last - first > 3:
            if depth == 0:
                self.heap_select(first, nth + 1, last)
                self.swap(first, nth)
                return
            depth -= 1
            cut = self.partition_pivot(first, last)
            if cut <= nth:
                first = cut
            else:
                last = cut
        self.insertion_sort(first, last)

    def introsort(self, first: int, last: int, depth: int) -> None:
        while last - first > 16:
            if depth == 0:
                self.heap_select(first, last, last)
                self.sort_heap(first, last)
                return
            depth -= 1
            cut = self.partition_pivot(first, last)
            self.introsort(cut, last, depth)
            last = cut

    def sort(self, first: int, last: int) -> None:
        if last - first < 2:
            return
        self.introsort(first, last, 2 * ((last - first).bit_length() - 1))
        if last - first > 16:
            self.insertion_sort(first, first + 16)
            for i in range(first + 16, last):
                self.linear_insert(i)
        else:
            self.insertion_sort(first, last)


def _sample_poisson(lam: float, uniform) -> int:
    """ATen's ``sample_poisson`` for one rate, drawing from ``uniform()``."""
    if lam >= 10:
        slam = math.sqrt(lam)
        loglam = math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            lhs = (math.log(v) if v > 0 else -math.inf) + math.log(invalpha) \
                - math.log(a / (us * us) + b)
            if lhs <= -lam + k * loglam - math.lgamma(k + 1.0):
                return k
    if lam == 0:
        return 0
    enlam = math.exp(-lam)
    x = 0
    prod = 1.0
    while True:
        prod *= uniform()
        if prod > enlam:
            x += 1
        else:
            return x
