"""The Examples sections of the public docstrings run and print what they show.

The doctests run against the installed package (a non-editable install has no
source tree for ``--doctest-modules`` to collect without an import mismatch).
"""

import doctest
import importlib
import pkgutil

import pytest

import sk_regnet

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(sk_regnet.__path__, "sk_regnet.")
    if not name.endswith("__main__")
)

# The modules of the public API, whose docstrings carry runnable examples.
WITH_EXAMPLES = {
    "sk_regnet._cv",
    "sk_regnet._mlp",
    "sk_regnet._path",
    "sk_regnet._plotting",
}


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0
    # The public modules' examples run (a module without any is not tested
    # here: it then has none to break).
    if module_name in WITH_EXAMPLES:
        assert result.attempted > 0, module_name


def test_public_names_have_examples():
    for name in sk_regnet.__all__:
        obj = getattr(sk_regnet, name)
        if callable(obj):
            assert "Examples" in (obj.__doc__ or ""), name
            assert ">>>" in obj.__doc__, name
