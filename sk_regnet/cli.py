"""The ``sk-regnet`` command: parse arguments, run an experiment, print and save.

Everything the command computes comes from :mod:`sk_regnet.experiments`;
this module only turns arguments into a call, the returned rows into a table
and files, and bad input into one line on stderr with exit code 2.
"""

import argparse
import hashlib
import json
import math
import os
import sys
from pathlib import Path

from . import __version__, experiments

EXIT_OK = 0
EXIT_USAGE = 2
#: Largest ``--alphas`` count: a path of more steps is not a comparison.
MAX_ALPHAS = 1000
#: Hex digits of the SHA-256 that tell apart CSV runs whose files share a stem.
CSV_HASH_DIGITS = 10
#: Characters of a CSV file's stem kept in the output names: with the prefix,
#: the hash and the suffix, a name stays under the usual 255-byte limit even
#: in 4-byte UTF-8 characters.
CSV_STEM_CHARS = 48


class _UsageError(Exception):
    """Bad command-line input; reported as one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, exit code 2."""

    def error(self, message):
        raise _UsageError(message)


# ------------------------------------------------------ argument types
def _integer(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None


def _positive_int(text):
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _cv_folds(text):
    value = _positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 folds, got {text!r}")
    return value


def _seed(text):
    value = _integer(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected 0 <= seed < 2**32, got {text!r}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}")
    return value


def _hidden(text):
    try:
        sizes = tuple(int(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated layer sizes such as 10 or 20,10, got {text!r}"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def parse_alphas(text):
    """``--alphas``: a count for a log grid (``8``) or a list (``1e-4,1e-3``).

    A single token of digits only is a count; write ``1.0`` for alpha one.
    """
    text = text.strip()
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= MAX_ALPHAS:
            raise argparse.ArgumentTypeError(
                f"the number of alphas must be between 1 and {MAX_ALPHAS}, got {count}"
            )
        return count
    try:
        values = [float(t) for t in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a count or comma-separated numbers, got {text!r}"
        ) from None
    if not all(0 <= v < float("inf") for v in values):
        raise argparse.ArgumentTypeError(
            f"alphas must be finite and non-negative, got {text!r}"
        )
    return values


def _penalties(text):
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected at least one penalty")
    for name in names:
        try:
            experiments.check_penalty(name)
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(
                f"unknown penalty {name!r}; choose from "
                + ", ".join(experiments.available_penalties())
            ) from None
    return names


def build_parser():
    """The argument parser of ``sk-regnet``.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = _Parser(
        prog="sk-regnet",
        description="Regularized MLP regression: reproduce and extend the "
        "comparison of no / L1 / L2 regularization.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmp = sub.add_parser(
        "compare",
        help="compare penalties, cross-validated alphas and linear baselines",
        description="Fit the blog article's models (article data), networks "
        "with alpha chosen by cross-validation, RidgeCV and LassoCV on one "
        "train/test split; print a table, save a JSON file and a figure.",
    )
    data = cmp.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=experiments.DATASETS,
        default=None,
        help="bundled data (default: article, 100 noisy samples of sin(pi x))",
    )
    data.add_argument(
        "--csv",
        metavar="PATH",
        help="your own CSV file; columns with non-numeric values are "
        "categorical (one-hot encoded, one group per column)",
    )
    data.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    data.add_argument(
        "--test-size", type=_fraction, default=0.2, help="test share (default 0.2)"
    )
    model = cmp.add_argument_group("models")
    model.add_argument(
        "--penalties",
        type=_penalties,
        default=["none", "l1", "l2"],
        help="comma-separated penalties of the cross-validated networks "
        "(default none,l1,l2)",
    )
    model.add_argument(
        "--alphas",
        type=parse_alphas,
        default=None,
        help="the alpha grid of the cross-validated networks: a count for a "
        "log grid from 1e-4 to 1, or comma-separated values (default: each "
        f"network's automatic grid of {experiments.DEFAULT_N_ALPHAS} values, "
        "from where its penalty makes the network constant down to 1e-3 "
        "times that)",
    )
    model.add_argument(
        "--cv", type=_cv_folds, default=5, help="cross-validation folds (default 5)"
    )
    model.add_argument(
        "--hidden",
        type=_hidden,
        default=(10,),
        help="hidden layer sizes, e.g. 10 or 20,10 (default 10)",
    )
    model.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    out = cmp.add_argument_group("output")
    out.add_argument(
        "--out",
        type=Path,
        default=Path("sk-regnet-out"),
        help="output directory (default ./sk-regnet-out/); a run writes "
        "compare_<dataset>.json/.png for bundled data and "
        "compare_csv-<file stem>-<hash>.json/.png for --csv, the hash taken "
        "from the file's absolute path and the target, so that no run "
        "overwrites another's results",
    )
    out.add_argument("--no-plot", action="store_true", help="do not draw the figure")
    out.add_argument(
        "--quiet", action="store_true", help="no progress bar and no file messages"
    )
    return parser


# ------------------------------------------------------------- output
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
        if dataset not in experiments.DATASETS:
            raise ValueError(
                f"unknown dataset {dataset!r}; choose one of "
                + ", ".join(experiments.DATASETS)
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


def format_table(rows, *, n_features=None, informative=None):
    """The rows of :func:`sk_regnet.experiments.compare` as a text table.

    The ``in grid`` column tells where a cross-validated alpha lies in its
    grid (``k/n``, ``low end`` or ``high end`` when at an end). Under the
    table, a line per group-lasso row lists the features it kept, then each
    row's note, if any.

    Parameters
    ----------
    rows : list of dict
    n_features : int, default=None
        The number of features, to say how many were kept out of it.
    informative : list of str, default=None
        The features the target depends on, when known: the kept lines say
        which of them a row dropped and which others it kept.

    Returns
    -------
    table : str
    """
    columns = (
        ("model", "model", "<", str),
        ("penalty", "penalty", "<", str),
        ("alpha", "alpha", ">", "{:.3g}".format),
        ("in grid", None, "<", _grid_cell),  # key None: the whole row
        ("how chosen", "selection", "<", str),
        ("test MSE", "test_mse", ">", None),
        ("train MSE", "train_mse", ">", None),
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


def _progress_bar(enabled):
    """A ``progress(done, total, label)`` callback drawing on stderr, or None."""
    if not enabled:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    state = {}

    def progress(done, total, label):
        if tqdm is not None:
            bar = state.get("bar")
            if bar is None:
                bar = state["bar"] = tqdm(total=total, file=sys.stderr, unit="model")
            bar.n = done
            bar.set_description(label or "done")
            if label is None:
                bar.close()
            return
        width = 24
        filled = width * done // max(total, 1)
        text = f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
        sys.stderr.write(f"{text}{label or 'done':<20}")
        if label is None:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return progress


def _save(comparison, args, stem):
    saved = []
    figure = None
    if not args.no_plot:
        try:
            figure = experiments.plot_comparison(comparison, args.out / f"{stem}.png")
        except ImportError:
            print(
                "sk-regnet: matplotlib is not installed, no figure drawn "
                "(pip install 'sk-regnet[plot]')",
                file=sys.stderr,
            )
        else:
            saved.append(figure)
    results = comparison.to_dict()
    if args.csv is not None:
        # Which file the hash in the name stands for.
        results["dataset"]["csv"] = str(Path(args.csv).resolve())
    results["figure"] = None if figure is None else figure.name
    json_path = args.out / f"{stem}.json"
    json_path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    saved.append(json_path)
    return saved


def _compare(args):
    if args.csv is not None:
        if args.dataset is not None:
            raise _UsageError("give either --dataset or --csv, not both")
        if args.target is None:
            raise _UsageError("--csv needs --target COLUMN")
        dataset = experiments.load_csv(
            args.csv, args.target, test_size=args.test_size, seed=args.seed
        )
        stem = output_stem(csv=args.csv, target=args.target)
    elif args.target is not None:
        raise _UsageError("--target is only used with --csv")
    else:
        name = args.dataset or "article"
        dataset = experiments.load_dataset(
            name, test_size=args.test_size, seed=args.seed
        )
        stem = output_stem(name)
    # Fail on an unusable output directory before the fits, not after.
    if args.out.exists() and not args.out.is_dir():
        raise _UsageError(f"--out {args.out} exists and is not a directory")
    try:
        args.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _UsageError(
            f"cannot create the --out directory {args.out}: {exc.strerror}"
        ) from None
    comparison = experiments.compare(
        dataset,
        penalties=args.penalties,
        alphas=args.alphas,
        cv=args.cv,
        hidden=args.hidden,
        seed=args.seed,
        test_size=args.test_size,
        progress=_progress_bar(not args.quiet and sys.stderr.isatty()),
    )
    # Saved first: the results are kept even if stdout goes away (a pipe).
    saved = _save(comparison, args, stem)
    data = comparison.dataset
    table = format_table(
        comparison.rows, n_features=data.n_features, informative=data.informative
    )
    lines = [f"dataset: {data.describe()}", table]
    if not args.quiet:
        lines += [f"wrote {path}" for path in saved]
    try:
        print("\n".join(lines), flush=True)
    except BrokenPipeError:
        # The reader left (e.g. `| head`): the files are written, nothing is
        # wrong. Point stdout at devnull so the interpreter's last flush of
        # the unread text is quiet too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    return EXIT_OK


def main(argv=None):
    """Entry point of the ``sk-regnet`` console script.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; ``sys.argv[1:]`` when None.

    Returns
    -------
    code : int
        0 on success, 2 on bad input (reported as one line on stderr).
    """
    try:
        args = build_parser().parse_args(argv)
        return _compare(args)
    except MemoryError:
        print(
            "sk-regnet: error: out of memory; use a smaller --hidden, --alphas "
            "or data set",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except (_UsageError, experiments.DataError, OSError) as exc:
        message = str(exc) or type(exc).__name__
        if isinstance(exc, OSError) and exc.filename is not None:
            message = f"{exc.strerror}: {exc.filename}"
        print(f"sk-regnet: error: {' '.join(message.split())}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("sk-regnet: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
