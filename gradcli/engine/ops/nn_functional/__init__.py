"""``torch.nn.functional``: activations, softmax, losses, linear, dropout, one_hot.

Ops that PyTorch also has as ``torch.NAME`` / ``Tensor.NAME`` (``relu``,
``softmax``, ``log_softmax``, ``threshold``, ``dropout``, ``selu``,
``binary_cross_entropy_with_logits``) are declared with those forms; the
others exist only in ``torch.nn.functional``. An entry's ``functional=`` names
put it there (:func:`~gradcli.engine.ops.registry.functional_names`), and so
do the entries of the ``F.``-flavoured wrappers that take ``inplace=`` or
legacy reduction arguments.

One module per family, each with its own table; :data:`TABLES` lists them in
declaration order:

* :mod:`.activations`: relu, threshold, hardtanh, leaky_relu, elu, selu, gelu,
  silu, softplus;
* :mod:`.gates`: hardsigmoid, hardswish, mish, celu, hardshrink, softshrink, logsigmoid,
  glu, prelu, softsign, tanhshrink, softmin;
* :mod:`.softmax`: softmax, log_softmax;
* :mod:`.losses`: mse_loss, l1_loss, binary_cross_entropy (with logits),
  nll_loss, cross_entropy;
* :mod:`.more_losses`: smooth_l1_loss, huber_loss, soft_margin_loss, poisson_nll_loss, kl_div,
  hinge_embedding_loss, cosine_embedding_loss, margin_ranking_loss, triplet_margin_loss;
* :mod:`.layers`: linear, dropout, normalize, one_hot;
* :mod:`.normalization`: embedding, layer_norm, pad, cosine_similarity, pairwise_distance,
  gumbel_softmax.
"""

from __future__ import annotations

from . import activations, gates, layers, losses, more_losses, normalization, softmax

TABLES = (activations.table, gates.table, softmax.table, losses.table, more_losses.table,
          layers.table, normalization.table)
