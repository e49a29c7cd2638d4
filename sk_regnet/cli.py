"""The ``sk-regnet`` command: parse arguments, run an experiment, print and save.

Everything the command computes comes from :mod:`sk_regnet.experiments`;
this module only turns arguments into a call, the returned rows into a table
and files, and bad input into one line on stderr with exit code 2.
"""

import argparse
import os
import sys
from pathlib import Path

from . import __version__, experiments
from ._compare_output import (
    CSV_HASH_DIGITS,
    CSV_STEM_CHARS,
    format_table,
    output_stem,
    write_json,
)

__all__ = [
    "CSV_HASH_DIGITS",
    "CSV_STEM_CHARS",
    "build_parser",
    "format_table",
    "main",
    "output_stem",
    "parse_alphas",
]

EXIT_OK = 0
EXIT_USAGE = 2
#: Largest ``--alphas`` count: a path of more steps is not a comparison.
MAX_ALPHAS = 1000


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
        description="Regularized MLP regression and classification: reproduce "
        "and extend the comparison of no / L1 / L2 regularization.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    cmp = sub.add_parser(
        "compare",
        help="compare penalties, cross-validated alphas and linear baselines",
        description="Fit the blog article's models (article data), networks "
        "with alpha chosen by cross-validation and linear baselines (RidgeCV "
        "and LassoCV, or LogisticRegressionCV for class labels) on one "
        "train/test split; print a table, save a JSON file and a figure.",
    )
    data = cmp.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=experiments.DATASETS,
        default=None,
        help="bundled data (default: article, 100 noisy samples of sin(pi x)); "
        "breast_cancer is a classification problem",
    )
    data.add_argument(
        "--csv",
        metavar="PATH",
        help="your own CSV file; columns with non-numeric values are "
        "categorical (one-hot encoded, one group per column)",
    )
    data.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    data.add_argument(
        "--task",
        choices=experiments.TASK_CHOICES,
        default="auto",
        help="predict the CSV target as a number (regression) or as class "
        "labels (classification); auto (default): class labels when its values "
        "are text or whole numbers, as scikit-learn's type_of_target decides",
    )
    data.add_argument(
        "--test-size",
        type=_fraction,
        default=None,
        help="test share (default 0.25 for breast_cancer, else 0.2; "
        "stratified for classification)",
    )
    model = cmp.add_argument_group("models")
    model.add_argument(
        "--penalties",
        type=_penalties,
        default=None,
        help="comma-separated penalties of the cross-validated networks "
        "(default none,l1,l2 for regression, l2,l1,group_lasso for "
        "classification)",
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
    """Draw the figure (unless ``--no-plot``) and write the JSON file."""
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
    json_path = args.out / f"{stem}.json"
    saved.append(write_json(comparison, json_path, csv=args.csv, figure=figure))
    return saved


def _load(args):
    """The data of the run, the stem of its output names, its test share."""
    if args.csv is not None:
        if args.dataset is not None:
            raise _UsageError("give either --dataset or --csv, not both")
        if args.target is None:
            raise _UsageError("--csv needs --target COLUMN")
        test_size = args.test_size or experiments.DEFAULT_TEST_SIZE
        dataset = experiments.load_csv(
            args.csv, args.target, task=args.task, test_size=test_size, seed=args.seed
        )
        return dataset, output_stem(csv=args.csv, target=args.target), test_size
    if args.target is not None:
        raise _UsageError("--target is only used with --csv")
    name = args.dataset or "article"
    task = (
        experiments.CLASSIFICATION
        if name in experiments.CLASSIFICATION_DATASETS
        else experiments.REGRESSION
    )
    if args.task not in ("auto", task):
        raise _UsageError(
            f"--task {args.task} does not fit --dataset {name}, a {task} dataset; "
            "--task is for --csv targets"
        )
    test_size = args.test_size or experiments.default_test_size(name)
    dataset = experiments.load_dataset(name, test_size=test_size, seed=args.seed)
    return dataset, output_stem(name), test_size


def _compare(args):
    dataset, stem, test_size = _load(args)
    experiments.check_folds(dataset, args.cv)
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
        test_size=test_size,
        progress=_progress_bar(not args.quiet and sys.stderr.isatty()),
    )
    # Saved first: the results are kept even if stdout goes away (a pipe).
    saved = _save(comparison, args, stem)
    data = comparison.dataset
    table = format_table(
        comparison.rows,
        task=data.task,
        n_features=data.n_features,
        informative=data.informative,
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
