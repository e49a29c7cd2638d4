"""Groups of input features: given by name, and their importances.

``groups`` is either a list of lists of column indices (checked by
:func:`~sk_regnet._penalties.check_groups`) or a list of names of original
columns, resolved at each fit against the feature names of ``X`` (say, the
output of a ``ColumnTransformer`` with a ``OneHotEncoder``). A feature ``f``
belongs to the name ``g`` when, after any number of ``"<prefix>__"`` prefixes
(a ``ColumnTransformer``'s), ``f`` is ``g`` or starts with ``g + "_"`` (a
``OneHotEncoder``'s ``<column>_<level>``); when ``f`` matches several names,
the longest wins. A list element may itself be a list of names: their
features then form one group.

The importance of a group (:func:`group_importances`) is how much its
columns move the first layer's pre-activations over the training rows (a
standard deviation, from moments of ``X`` recorded at fit time by
:func:`input_moments`), not the size of its rows of ``W_1``: the one-hot
columns of a categorical feature sum to 1 on every row, so adding one vector
to each of their rows only shifts the first biases and changes no prediction,
and a level seen on few rows moves little.
"""

import numpy as np
from scipy import sparse

from ._penalties import check_groups


def _is_name(value):
    return isinstance(value, str)


def named_groups(groups):
    """Whether ``groups`` gives names (True) or column indices / None (False).

    Raises a ``ValueError`` when it mixes names and indices.
    """
    if groups is None or _is_name(groups) or not np.iterable(groups):
        return False  # check_groups explains what is wrong
    kinds = set()
    for g, group in enumerate(groups):
        if _is_name(group):
            kinds.add("name")
            continue
        members = list(group) if np.iterable(group) else [group]
        named = {_is_name(m) for m in members}
        if len(named) == 2:
            raise ValueError(
                f"groups[{g}] mixes column names and column indices; give "
                "either names of columns or lists of indices, not both."
            )
        kinds.update("name" if n else "index" for n in named)
    if len(kinds) == 2:
        raise ValueError(
            "groups mixes column names and lists of column indices; give "
            "either names of columns (e.g. groups=['color', 'size']) or lists "
            "of indices (e.g. groups=[[0, 1, 2], [3]]), not both."
        )
    return kinds == {"name"}


def _stripped(feature):
    """``feature`` and what follows each ``"__"`` in it (prefixes removed)."""
    out = [feature]
    start = feature.find("__")
    while start != -1:
        out.append(feature[start + 2 :])
        start = feature.find("__", start + 1)
    return out


def _matches(forms, name):
    # "<name>_<level>", but not "<name>__...": that is a prefix, not a level.
    return any(
        form == name
        or (form.startswith(name + "_") and not form.startswith(name + "__"))
        for form in forms
    )


def _resolve_names(groups, feature_names):
    owner = {}
    for g, group in enumerate(groups):
        names = [group] if _is_name(group) else list(group)
        if not names:
            raise ValueError(f"groups[{g}] is empty.")
        for name in names:
            if not name:
                raise ValueError(f"groups[{g}] holds an empty column name.")
            if name in owner:
                raise ValueError(
                    f"Column name {name!r} is in groups[{owner[name]}] and "
                    f"groups[{g}]; groups must be disjoint."
                )
            owner[name] = g
    ids = np.full(len(feature_names), -1)
    taken = {name: 0 for name in owner}
    matched = set()
    for j, feature in enumerate(feature_names):
        forms = _stripped(str(feature))
        hits = [name for name in owner if _matches(forms, name)]
        if not hits:
            continue
        matched.update(hits)
        longest = max(len(name) for name in hits)
        best = [name for name in hits if len(name) == longest]
        if len(best) > 1:
            raise ValueError(
                f"Feature {feature!r} matches the column names {best} equally "
                "well; rename the columns or give lists of column indices."
            )
        ids[j] = owner[best[0]]
        taken[best[0]] += 1
    for name in owner:
        if name not in matched:
            shown = ", ".join(repr(str(f)) for f in feature_names[:8])
            more = ", ..." if len(feature_names) > 8 else ""
            raise ValueError(
                f"groups names the column {name!r}, which matches no feature of "
                f"X (features: {shown}{more})."
            )
        if not taken[name]:
            raise ValueError(
                f"Every feature that the column name {name!r} matches belongs to "
                "a longer name in groups; drop it or give lists of column indices."
            )
    return ids, len(groups)


def resolve_groups(groups, n_features, feature_names=None):
    """Group of each input column from the ``groups`` hyperparameter.

    Parameters
    ----------
    groups : list of lists of int, list of str (or lists of str), or None
        See ``RegularizedMLPRegressor``'s ``groups``.
    n_features : int
    feature_names : ndarray of str or None
        The estimator's ``feature_names_in_`` (needed for names only).

    Returns
    -------
    ids : ndarray of int of shape (n_features,)
        Group of each column; ``-1`` for a column in no group (not penalised).
    n_groups : int
    """
    if not named_groups(groups):
        return check_groups(groups, n_features)
    if feature_names is None:
        raise ValueError(
            "groups names columns, but X has no feature names. Fit on a pandas "
            "DataFrame; in a Pipeline, make the encoded columns carry names with "
            "set_output(transform='pandas') on the pipeline or its "
            "ColumnTransformer (OneHotEncoder(sparse_output=False)), or "
            "sklearn.set_config(transform_output='pandas')."
        )
    if len(feature_names) != n_features:
        raise ValueError(
            f"{len(feature_names)} feature names for {n_features} features."
        )
    return _resolve_names(list(groups), np.asarray(feature_names, dtype=object))


def _indicator(ids, n_groups):
    rows = np.flatnonzero(ids >= 0)
    return sparse.csr_matrix(
        (np.ones(rows.size), (rows, ids[rows])), shape=(ids.size, n_groups)
    )


def _dense(a):
    return np.asarray(a.toarray() if sparse.issparse(a) else a, dtype=np.float64)


#: Elements per block of rows when the moments of dense X are summed: the
#: temporaries stay a few hundred KiB, whatever the size of X (a fit must not
#: hold copies of its data; benchmarks/bench_mlp.py measures the peak).
_BLOCK_ELEMENTS = 2**16


def _dense_row_sums(X, w, ids, n_groups):
    """Weighted column sums and sums of squares of dense ``X``, and per row the
    non-zeros of each group of several columns, block of rows by block."""
    n, d = X.shape
    sums, squares = np.zeros(d), np.zeros(d)
    indicator = _indicator(ids, n_groups)
    several = np.bincount(ids[ids >= 0], minlength=n_groups) > 1
    nonzeros = np.zeros((1, n_groups))
    rows = max(1, _BLOCK_ELEMENTS // max(d, 1))
    for start in range(0, n, rows):
        block = np.asarray(X[start : start + rows], dtype=np.float64)
        wb = w[start : start + rows]
        sums += block.T @ wb
        squares += np.einsum("ij,ij,i->j", block, block, wb)
        if np.any(several):
            counts = _dense((block != 0).astype(np.float64) @ indicator)
            nonzeros = np.maximum(nonzeros, counts.max(axis=0, keepdims=True))
    return sums, squares, nonzeros


def input_moments(X, ids, n_groups, sample_weight=None):
    """What :func:`group_importances` needs to know of the training inputs.

    Weighted sums over the rows of ``X`` (dense or sparse; a pass over its
    stored values): the total weight, each column's sum and sum of squares,
    whether each group's columns are *exclusive* (never two non-zeros in one
    row, as one-hot columns: their second moments are then the squares), and
    for the other groups of several columns the block of ``X^T X``. A dict of
    arrays (pickle and skops friendly); :func:`merge_moments` adds batches.
    """
    w = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight)
    w = w.astype(np.float64)
    if sparse.issparse(X):
        sums = _dense(X.T @ w).ravel()
        squares = _dense(X.multiply(X).T @ w).ravel()
        nonzeros = np.zeros((1, n_groups))
        if np.any(np.bincount(ids[ids >= 0], minlength=n_groups) > 1):
            indicator = _indicator(ids, n_groups)
            nonzeros = _dense((X != 0).astype(np.float64) @ indicator)
    else:
        sums, squares, nonzeros = _dense_row_sums(X, w, ids, n_groups)
    sizes = np.bincount(ids[ids >= 0], minlength=n_groups)
    exclusive = (nonzeros.max(axis=0, initial=0.0) <= 1) | (sizes <= 1)
    blocks = []
    for g in range(n_groups):
        if exclusive[g]:
            blocks.append(np.zeros((0, 0)))
            continue
        Xg = X[:, np.flatnonzero(ids == g)]
        weighted = Xg.multiply(w[:, None]) if sparse.issparse(Xg) else Xg * w[:, None]
        blocks.append(_dense(Xg.T @ weighted))
    return {
        "weight": float(w.sum()),
        "sums": sums,
        "squares": squares,
        "exclusive": exclusive,
        "blocks": blocks,
    }


def _block(moments, ids, g):
    """``sum w x x^T`` over group ``g``'s columns (diagonal when exclusive)."""
    if moments["blocks"][g].size:
        return moments["blocks"][g]
    return np.diag(moments["squares"][ids == g])


def merge_moments(a, b, ids):
    """The moments of two batches together (``partial_fit``)."""
    exclusive = a["exclusive"] & b["exclusive"]
    blocks = [
        np.zeros((0, 0)) if exclusive[g] else _block(a, ids, g) + _block(b, ids, g)
        for g in range(exclusive.size)
    ]
    return {
        "weight": a["weight"] + b["weight"],
        "sums": a["sums"] + b["sums"],
        "squares": a["squares"] + b["squares"],
        "exclusive": exclusive,
        "blocks": blocks,
    }


def group_importances(W, ids, n_groups, moments=None):
    """How much each group moves the first layer, normalised to sum to 1.

    The importance of group ``g`` is the standard deviation over the
    training rows of its contribution ``x[g] @ W[g]`` to the first layer's
    pre-activations (the root of ``trace(W[g]^T Cov(x[g]) W[g])``),
    normalised to sum to 1 unless all are zero. A constant part of that
    contribution is a shift of the first biases and counts for nothing: a
    constant column scores 0, and adding one vector to every row of a
    one-hot group changes nothing. For standardised columns, each its own
    group, this is the row norm of ``W``. Without ``moments`` (a model
    fitted before they were recorded): the Frobenius norm of each group's
    rows.
    """
    W = np.asarray(W, dtype=np.float64)
    keep = ids >= 0
    if moments is None:
        squares = np.sum(W[keep] ** 2, axis=1)
        variances = np.bincount(ids[keep], weights=squares, minlength=n_groups)
    else:
        total = moments["weight"]
        mean = moments["sums"] / total
        second = moments["squares"] / total
        variances = np.zeros(n_groups)
        for g in range(n_groups):
            rows = np.flatnonzero(ids == g)
            Wg = W[rows]
            shift = mean[rows] @ Wg  # the mean contribution: a bias shift
            if moments["exclusive"][g]:
                raw = second[rows] @ np.sum(Wg**2, axis=1)
            else:
                raw = np.sum(Wg * (moments["blocks"][g] / total @ Wg))
            variance = raw - shift @ shift
            # Below round-off of the two terms: a constant contribution.
            variances[g] = variance if variance > 1e-10 * raw else 0.0
    norms = np.sqrt(np.maximum(variances, 0.0))
    total = norms.sum()
    return norms / total if total > 0 else norms
