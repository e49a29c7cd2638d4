"""The classifier's labels: binarized, checked against the classes, weighed.

Functions of the labels and the classes alone, with MLPClassifier's
semantics: the label binarizer of a first pass (``fit_labels``), the check of
a later pass's labels against the classes fitted before
(``check_known_labels``), each sample's ``class_weight``
(``class_weight_factor``) and hard labels from the network's probabilities
(``indicator_labels``). :class:`~sk_regnet.RegularizedMLPClassifier` calls
them, and keeps what they return.
"""

import numpy as np
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import type_of_target, unique_labels


def fit_labels(y, classes):
    """The label binarizer of a first pass: from ``y``, or from ``classes``.

    ``classes`` (the first ``partial_fit``) must hold every label of
    ``y``. For a multilabel indicator ``y`` the labels are its columns,
    as in MLPClassifier: ``classes`` must then be ``0 .. n_labels - 1``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels, or a multilabel indicator matrix.
    classes : array-like of shape (n_classes,) or None
        All the classes, or None to take them from ``y``.

    Returns
    -------
    binarizer : LabelBinarizer
        Fitted on ``classes``, or on ``y``.
    """
    binarizer = LabelBinarizer()
    if classes is None:
        return binarizer.fit(y)
    if type_of_target(y) == "multilabel-indicator":
        if not np.array_equal(unique_labels(classes), np.arange(y.shape[1])):
            raise ValueError(
                f"y is a multilabel indicator matrix of {y.shape[1]} labels; "
                f"classes must be their column indices 0 .. {y.shape[1] - 1}, "
                f"got classes={np.asarray(classes).tolist()}."
            )
        return binarizer.fit(y)
    binarizer.fit(classes)
    unknown = np.setdiff1d(unique_labels(y), binarizer.classes_)
    if len(unknown):
        raise ValueError(
            f"y has labels {unknown.tolist()} that are not in "
            f"classes={np.asarray(classes).tolist()}."
        )
    return binarizer


def check_known_labels(y, classes, same_classes):
    """Refuse the labels of a later pass that the classes do not allow.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        The labels of this pass.
    classes : ndarray of shape (n_classes,)
        The classes fitted at the first pass (``classes_``).
    same_classes : bool
        True for a warm start of ``fit``: ``y`` must hold exactly
        ``classes``. False for ``partial_fit``: ``y`` may hold any of them,
        and no other.

    Raises
    ------
    ValueError
        When ``y`` breaks that rule.
    """
    labels = unique_labels(y)
    if same_classes:
        if set(labels) != set(classes):
            raise ValueError(
                "warm_start can only be used where `y` has the same "
                "classes as in the previous call to fit. Previously "
                f"got {classes}, `y` has {labels}"
            )
    elif len(np.setdiff1d(labels, classes, assume_unique=True)):
        raise ValueError(
            "`y` has classes not in `self.classes_`. "
            f"`self.classes_` has {classes}. 'y' has {labels}."
        )


def class_weight_factor(class_weight, classes, y, multilabel, incremental):
    """Each sample's class weight, or None without ``class_weight``.

    Parameters
    ----------
    class_weight : dict, 'balanced' or None
        The estimator's ``class_weight``.
    classes : ndarray of shape (n_classes,)
        The classes (``classes_``), sorted.
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        The labels of the samples.
    multilabel : bool
        Whether ``y`` is a multilabel indicator matrix (no class weights).
    incremental : bool
        Whether this is ``partial_fit`` (no ``'balanced'``: the counts of a
        stream are not known).

    Returns
    -------
    factor : ndarray of shape (n_samples,) or None
        The weight of each sample's class.
    """
    if class_weight is None:
        return None
    if multilabel:
        raise ValueError("class_weight is not supported for multilabel y.")
    if isinstance(class_weight, dict):
        known = set(classes)
        unknown = [c for c in class_weight if c not in known]
        if unknown:
            raise ValueError(
                f"class_weight names {unknown}, not among the classes "
                f"{classes.tolist()}."
            )
        weights = np.array([class_weight.get(c, 1.0) for c in classes])
    elif incremental:
        raise ValueError(
            "class_weight='balanced' is not available in partial_fit: the "
            "class counts of the whole data are unknown; pass a dict."
        )
    else:
        present = np.isin(classes, y)
        weights = np.ones(len(classes))
        weights[present] = compute_class_weight(
            "balanced", classes=classes[present], y=y
        )
    return weights[np.searchsorted(classes, y)]


def indicator_labels(y_type, output):
    """Hard labels from an output: class indices, or a 0/1 matrix.

    Parameters
    ----------
    y_type : str
        The label binarizer's ``y_type_``: ``'multiclass'`` takes the
        largest output of each row; otherwise each output above 0.5 is a 1.
    output : ndarray of shape (n_samples, n_outputs)
        Probabilities, or an indicator matrix of labels.

    Returns
    -------
    labels : ndarray of shape (n_samples,) or (n_samples, n_labels)
    """
    if y_type == "multiclass":
        return np.argmax(output, axis=1)
    labels = (output > 0.5).astype(int)
    return labels[:, 0] if labels.shape[1] == 1 else labels
