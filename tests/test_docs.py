"""The documentation builds with warnings as errors, runs the gallery, and
every ``>>>`` example of ``docs/*.rst`` prints what the page shows.

The pages quote figures (errors, counts, ratios) only as the output of their
examples, so a change in the code that moves a figure fails here. To take the
new figures, run ``SK_REGNET_UPDATE_DOCS=1 pytest tests/test_docs.py -k
page_examples``: it writes what the code prints now into the failing
examples; read the diff (and the prose around it) before committing.
"""

import doctest
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sk_regnet

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATED = (
    "_build",
    "generated",
    "auto_examples",
    "api.rst",
    "sg_execution_times.rst",
)


def test_sphinx_build_with_warnings_as_errors(tmp_path):
    # Build from a copy so the source tree is left as it was.
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "docs", src / "docs", ignore=shutil.ignore_patterns(*GENERATED)
    )
    shutil.copytree(ROOT / "examples", src / "examples")
    pages = sorted(page.stem for page in (src / "docs").glob("*.rst"))
    out = tmp_path / "html"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), env.get("PYTHONPATH")) if p
    )
    env["MPLBACKEND"] = "Agg"
    env["OPENBLAS_NUM_THREADS"] = "1"
    env["SK_REGNET_DOCS_OFFLINE"] = "1"  # tests never touch the network
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(src / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    for page in ("index", "user_guide", "cli", "api", "auto_examples/index"):
        assert (out / f"{page}.html").is_file(), page
    api = (out / "api.html").read_text(encoding="utf-8")
    for name in sk_regnet.__all__:
        if not name.startswith("_"):
            assert f"sk_regnet.{name}" in api, name
            assert (out / "generated" / f"sk_regnet.{name}.html").is_file(), name

    # Every example ran (abort_on_example_error) and has its page; ours
    # draw figures, which are in the built site.
    examples = sorted((ROOT / "examples").glob("plot_*.py"))
    for example in examples:
        assert (out / "auto_examples" / f"{example.stem}.html").is_file(), example
    for stem in ("plot_article", "plot_gridsearch"):
        images = sorted((out / "_images").glob(f"sphx_glr_{stem}_0*.png"))
        assert images, f"no figure from {stem}"
        for image in images:
            assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    article = (out / "auto_examples" / "plot_article.html").read_text(encoding="utf-8")
    for mse in ("0.0401", "0.1054", "0.0939"):
        assert mse in article
    # Every page is reachable from the index, and the user guide links the
    # performance page.
    index = (out / "index.html").read_text(encoding="utf-8")
    for page in pages:
        assert f"{page}.html" in index, page
    guide = (out / "user_guide.html").read_text(encoding="utf-8")
    assert 'href="performance.html"' in guide


def test_readme_python_example_runs_cleanly():
    # The README's example is what a new user pastes first: it must run, and
    # without a convergence warning.
    import re
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks, "README.md has no python example"
    for block in blocks:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            namespace = {}
            exec(compile(block, "README.md", "exec"), namespace)
    assert namespace["search"].best_score_ > 0.3  # R^2 of the tuned network


# ------------------------------------------------ the pages' own examples
#: Pages with ``>>>`` examples (cli.rst and others may have none).
PAGES_WITH_EXAMPLES = sorted(
    page.name for page in DOCS.glob("*.rst") if ">>> " in page.read_text("utf-8")
)
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


class _Recorder(doctest.DocTestRunner):
    """A doctest runner that keeps what each mismatching example printed.

    ``exact``: whitespace counts too, so that rewritten outputs keep the
    columns of a table aligned (checks normalise whitespace).
    """

    def __init__(self, exact=False):
        flags = doctest.ELLIPSIS if exact else DOCTEST_FLAGS
        super().__init__(optionflags=flags, verbose=False)
        self.mismatches = []

    def report_failure(self, out, test, example, got):
        self.mismatches.append((example, got))
        super().report_failure(out, test, example, got)


def _with_outputs(text, mismatches):
    """``text`` with the expected output of each mismatching example replaced."""
    lines = text.splitlines(keepends=True)
    for example, got in sorted(mismatches, key=lambda m: -m[0].lineno):
        start = example.lineno + example.source.count("\n")
        stop = start + example.want.count("\n")
        pad = " " * example.indent
        lines[start:stop] = [
            pad + (line.rstrip() or "<BLANKLINE>") + "\n" for line in got.splitlines()
        ]
    return "".join(lines)


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_page_examples(page):
    # Each page's examples run in order in one namespace, as a reader would
    # type them (as doctest.testfile does, with the output recorded).
    path = DOCS / page
    text = path.read_text(encoding="utf-8")
    test = doctest.DocTestParser().get_doctest(
        text, {"__name__": f"docs.{path.stem}"}, page, str(path), 0
    )
    assert test.examples, page
    update = os.environ.get("SK_REGNET_UPDATE_DOCS") == "1"
    runner = _Recorder(exact=update)
    report = []
    runner.run(test, out=report.append)
    if runner.mismatches and update:
        path.write_text(_with_outputs(text, runner.mismatches), encoding="utf-8")
        pytest.fail(f"{page}: {len(runner.mismatches)} outputs rewritten; review")
    assert runner.failures == 0, "".join(report)


def test_sources_read_correctly_raw():
    # No placeholder that only a build hook would fill in: a code host shows
    # the .rst files as they are.
    for page in DOCS.glob("*.rst"):
        text = page.read_text(encoding="utf-8")
        for placeholder in ("PERFORMANCE_LINK", "MEASURED_TABLE", ".. optional pages"):
            assert placeholder not in text, (page.name, placeholder)
    conf = (DOCS / "conf.py").read_text(encoding="utf-8")
    assert "source-read" not in conf


def test_every_page_is_in_the_index_toctree():
    # The toctree lists the pages by name (no hook adds them at build time).
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    toctree = index.split(".. toctree::", 1)[1]
    entries = {line.strip() for line in toctree.splitlines() if line.startswith("   ")}
    assert {"api", "auto_examples/index"} <= entries
    # conf.py writes api.rst and the gallery sg_execution_times.rst at build.
    pages = {page.stem for page in DOCS.glob("*.rst")}
    pages -= {"index", "api", "sg_execution_times"}
    assert pages <= entries, pages - entries


# ------------------------------------------------ the developer guide
def _module_imports(path):
    """Modules of the package that ``path`` imports at module level."""
    import ast

    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module is None:  # from . import a, b
                names.update(alias.name for alias in node.names)
            else:
                names.add(node.module.split(".")[0])
    return names


def test_developer_guide_maps_every_module_and_its_import_layers():
    # docs/development.rst lists every module of sk_regnet/ and the layers of
    # the import order; each module imports (at module level) only from the
    # layers below its own.
    import re

    guide = (DOCS / "development.rst").read_text(encoding="utf-8")
    package = ROOT / "sk_regnet"
    modules = {path.stem for path in package.glob("*.py")}
    for module in modules:
        assert f"``{module}.py``" in guide, f"{module}.py is not in the module map"
    # The numbered list right after the section's first paragraph.
    section = guide.split("Direction of imports", 1)[1].split("\n\n")[2]
    layers = [
        set(re.findall(r"``(\w+)``", line))
        for line in section.splitlines()
        if re.match(r"\d+\. ", line)
    ]
    assert len(layers) > 3, section
    assert set().union(*layers) == modules
    for depth, layer in enumerate(layers):
        below = set().union(*layers[depth + 1 :])
        for module in layer:
            imported = _module_imports(package / f"{module}.py") - {"__init__"}
            if module in ("cli", "__main__"):
                imported.discard("__version__")
            assert imported <= below, (module, imported - below)
