"""The ``sk-regnet`` command: parse arguments, run an experiment, print the rows."""

import argparse
import sys

from . import experiments


def _format_table(rows):
    header = f"{'penalty':<8} {'alpha':>8} {'test MSE':>10} {'train MSE':>10} {'fit s':>7} {'nonzero':>8}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['penalty']:<8} {r['alpha']:>8.3g} {r['test_mse']:>10.4f} "
            f"{r['train_mse']:>10.4f} {r['fit_time']:>7.2f} {r['nonzero_weights']:>8d}"
        )
    return "\n".join(lines)


def build_parser():
    """The argument parser of ``sk-regnet``."""
    parser = argparse.ArgumentParser(
        prog="sk-regnet", description="Regularized MLP regression experiments."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("compare", help="compare no / L1 / L2 regularization")
    return parser


def main(argv=None):
    """Entry point of the ``sk-regnet`` console script."""
    args = build_parser().parse_args(argv)
    if args.command == "compare":
        print(_format_table(experiments.compare_article()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
