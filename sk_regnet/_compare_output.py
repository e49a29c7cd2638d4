"""What ``sk-regnet compare`` writes: the table, the output names, the JSON file.

One table, one JSON file and one figure for both tasks: the columns of test
and training scores come from the run's
:class:`~sk_regnet._comparison.TaskSpec` (MSE, or log-loss and accuracy).
"""

import hashlib
import json
import math
from pathlib import Path

from ._comparison import REGRESSION_SPEC, SPECS
from ._datasets import DATASETS

#: Hex digits of the SHA-256 that tell apart CSV runs whose files share a stem.
CSV_HASH_DIGITS = 10
#: Characters of a CSV file's stem kept in the output names: with the prefix,
#: the hash and the suffix, a name stays under the usual 255-byte limit even
#: in 4-byte UTF-8 characters.
CSV_STEM_CHARS = 48


def output_stem(dataset=None, *, csv=None, target=None):
    """The name, without suffix, of the files a ``compare`` run writes.

    Bundled data give ``compare_<dataset>``. A CSV file gives
    ``compare_csv-<stem>-<hash>``: the file's stem (its first
    :data:`CSV_STEM_CHARS` characters) to recognise it, and the first
    :data:`CSV_HASH_DIGITS` hex digits of the SHA-256 of its resolved absolute
    path and the target column. The ``csv-`` prefix, which no bundled name
    has, keeps a file named ``article.csv`` off the bundled run's results; the
    hash keeps apart files of the same stem in different folders and two
    targets of one file. Re-running the same file and target overwrites its
    own earlier results, as re-running a bundled dataset does.

    Parameters
    ----------
    dataset : str, default=None
        A bundled dataset name (see :data:`sk_regnet.experiments.DATASETS`).
    csv : path-like, default=None
        A CSV file, instead of ``dataset``.
    target : str, default=None
        The CSV target column; required with ``csv``.

    Returns
    -------
    stem : str
        E.g. ``'compare_article'`` or ``'compare_csv-houses-3f2a9c01be'``.

    Raises
    ------
    ValueError
        If not exactly one of ``dataset`` and ``csv`` is given, if ``csv``
        comes without ``target``, or if ``dataset`` is not bundled.
    """
    if (dataset is None) == (csv is None):
        raise ValueError("give exactly one of dataset and csv")
    if csv is None:
        if dataset not in DATASETS:
            raise ValueError(
                f"unknown dataset {dataset!r}; choose one of " + ", ".join(DATASETS)
            )
        return f"compare_{dataset}"
    if not isinstance(target, str):
        raise ValueError(f"a CSV run needs its target column name, got {target!r}")
    path = Path(csv).resolve()
    # A NUL cannot occur in a path, so (path, target) pairs hash distinctly.
    key = f"{path}\0{target}".encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(key).hexdigest()[:CSV_HASH_DIGITS]
    return f"compare_csv-{path.stem[:CSV_STEM_CHARS]}-{digest}"


def _error_format(values):
    """One format for a column of errors, readable whatever the target's scale.

    Four decimals for errors of order one (the article's 0.0401), one decimal
    from 1000 (raw-scale targets such as diabetes), more decimals for small
    errors, and scientific notation at the extremes.
    """
    sizes = [abs(v) for v in values if math.isfinite(v) and v != 0]
    if not sizes:
        return "{:.4f}"
    largest, smallest = max(sizes), min(sizes)
    if largest >= 1e7 or smallest < 1e-6:
        return "{:.4g}"
    # At least three significant digits for the smallest error.
    decimals = max(1 if largest >= 1e3 else 4, 2 - math.floor(math.log10(smallest)))
    return f"{{:.{decimals}f}}"


def _grid_cell(row):
    """``k/n`` of a cross-validated row's alpha in its grid (1-based), ``-`` else.

    ``low end`` or ``high end`` follows when alpha is at an end of the grid.
    """
    if row.get("alpha_index") is None:
        return "-"
    cell = f"{row['alpha_index'] + 1}/{row['n_alphas']}"
    end = {"smallest": "low end", "largest": "high end"}.get(row.get("grid_end"))
    return f"{cell} {end}" if end else cell


def _kept_line(row, n_features=None, informative=None):
    """``kept by <model> (k/n): a, b`` and how that compares with the truth."""
    kept = row["kept"]
    count = f"{len(kept)}" if n_features is None else f"{len(kept)}/{n_features}"
    line = f"kept by {row['model']} ({count}): {', '.join(kept) or 'none'}"
    if informative is None:
        return line
    missed = [name for name in informative if name not in kept]
    others = [name for name in kept if name not in informative]
    if not missed and not others:
        return f"{line}; exactly the informative features"
    if missed:
        line += f"; informative not kept: {', '.join(missed)}"
    if others:
        line += f"; uninformative kept: {', '.join(others)}"
    return line


def format_table(rows, *, task="regression", n_features=None, informative=None):
    """The rows of :func:`sk_regnet.experiments.compare` as a text table.

    The ``in grid`` column tells where a cross-validated alpha lies in its
    grid (``k/n``, ``low end`` or ``high end`` when at an end). Under the
    table, a line per row that selects features lists the features it kept,
    then each row's note, if any.

    Parameters
    ----------
    rows : list of dict
    task : {'regression', 'classification'}, default='regression'
        Which scores the rows carry: test and train MSE, or test log-loss,
        test accuracy and train log-loss.
    n_features : int, default=None
        The number of features, to say how many were kept out of it.
    informative : list of str, default=None
        The features the target depends on, when known: the kept lines say
        which of them a row dropped and which others it kept.

    Returns
    -------
    table : str
    """
    scores = [
        (metric.title, metric.key, ">", None if metric.kind == "error" else "{:.4f}")
        for metric in SPECS.get(task, REGRESSION_SPEC).metrics
    ]
    columns = (
        ("model", "model", "<", str),
        ("penalty", "penalty", "<", str),
        ("alpha", "alpha", ">", "{:.3g}".format),
        ("in grid", None, "<", _grid_cell),  # key None: the whole row
        ("how chosen", "selection", "<", str),
        *((title, key, align, fmt and fmt.format) for title, key, align, fmt in scores),
        ("fit s", "fit_time", ">", "{:.2f}".format),
        ("non-zero", "nonzero_weights", ">", str),
    )
    formats = [
        fmt or _error_format([row[key] for row in rows]).format
        for _, key, _, fmt in columns
    ]
    cells = [
        [
            fmt(row if key is None else row[key])
            for (_, key, _, _), fmt in zip(columns, formats)
        ]
        for row in rows
    ]
    widths = [
        max([len(title)] + [len(line[k]) for line in cells])
        for k, (title, *_) in enumerate(columns)
    ]

    def line(values):
        return " ".join(
            f"{value:{align}{width}}"
            for value, width, (_, _, align, _) in zip(values, widths, columns)
        )

    header = line([title for title, *_ in columns])
    lines = [header, "-" * len(header)]
    lines.extend(line(values) for values in cells)
    below = [
        _kept_line(row, n_features, informative)
        for row in rows
        if row.get("kept") is not None
    ]
    below += [f"note: {row['note']}" for row in rows if row.get("note")]
    if below:
        lines.append("")
        lines.extend(below)
    return "\n".join(lines)


def write_json(comparison, path, *, csv=None, figure=None):
    """Write every number of ``comparison`` into the JSON file ``path``.

    Parameters
    ----------
    comparison : Comparison
    path : pathlib.Path
    csv : path-like, default=None
        The CSV file of the run, recorded (resolved) as ``dataset.csv``.
    figure : pathlib.Path, default=None
        The figure drawn beside it, recorded by name as ``figure``.

    Returns
    -------
    path : pathlib.Path
    """
    results = comparison.to_dict()
    if csv is not None:
        # Which file the hash in the name stands for.
        results["dataset"]["csv"] = str(Path(csv).resolve())
    results["figure"] = None if figure is None else Path(figure).name
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return path
