"""A real-world corpus of MindSpore source code, built from pinned PyPI releases.

The plugin's rules are judged on code people actually ship, so this script downloads
exact releases of MindSpore and of the model/training libraries built on it, and keeps
only their ``.py`` files:

    python bench/corpus.py fetch [--cache DIR]   # download and extract (idempotent)
    python bench/corpus.py fetch --slice         # only CI_SLICE and CI_PAIRS: about 12 MB, what .ci/run fetches
    python bench/corpus.py stats [--cache DIR]   # files, lines, clipping call sites
    python bench/corpus.py pins  [--cache DIR]   # what the corpus is: each pinned release, fetched or not
    python bench/corpus.py list  [--cache DIR]   # one source root a line (after fetch):
    flake8 $(python bench/corpus.py list)
    python bench/corpus.py pair [NAME]           # the pinned pairs; NAME's two folders: ORIGINAL PORT
    torch2ms check --original $(python bench/corpus.py pair timm-mindcv)

``fetch`` also gets the releases of PAIRS: public ports next to the PyTorch code they came from,
which port-pair mode (TMS4xx) is measured on (tests/corpus/pair_lint.py, docs/reliability.md
section 8). Their releases are not linted as corpus packages (``source_roots()`` leaves them out).

Tests and benchmarks can ``import corpus`` and call ``fetch()``, ``source_roots()`` and
``package_stats()``.

The cache lives outside the repository (``$TORCH2MS_CORPUS``, else
``~/.cache/flake8-torch2ms/corpus``) so that third-party code is never committed:

    CACHE/wheels/          the downloaded wheels (or sdists)
    CACHE/src/NAME-VER/    the .py files of one release

Standard library only; needs ``pip`` in the running interpreter for ``fetch``.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

# Held out (issue 20): code bases no rule was tuned on, every finding triaged by hand in
# docs/reliability.md ("Precision where nobody tuned it"). Small wheels, all in CI_SLICE.
HELD_OUT_PACKAGES = (
    "mindvision==0.1.0",  # vision models (LeNet, ResNet, I3D...), an early model zoo
    "mindchemistry-ascend==0.2.0",  # chemistry models
    "msadapter==0.1.0",  # the torch API on MindSpore, before mindtorch
    "mindspore-xai==1.8.1",  # explainability
    "denoising-diffusion-mindspore==0.0.1a0",  # a port of denoising-diffusion-pytorch
    "read-mindspore==0.1.0",  # anomaly localization
    "silero-vad-mindspore==0.0.1",  # a port of Silero VAD
    "mindspore-quaternion==0.7.1",  # quaternion layers
    "hebo-mindspore==0.2.1",  # Bayesian optimisation
    "mindsporetrainer==0.2.0",  # a training wrapper with BERT/DeBERTa layers
    "troubleshooter==1.0.18",  # debugging tools, torch/MindSpore comparison
    "mindconverter==1.7.0",  # the PyTorch/TensorFlow to MindSpore converter
    "vllm-mindspore==0.5.1",  # LLM serving
    "mmonitor-mindspore==7.0.0",  # training monitors
    "ms2vec==0.0.2",  # text embeddings
    "torch-ms-adapter==0.1.4",  # a torch adapter
)

# Exact releases, so that every run (and every benchmark number) sees the same code.
# PyPI never replaces the files of a release, so a pin is enough to reproduce the corpus.
PINNED_PACKAGES = (
    "mindspore==2.10.0",  # the framework itself; only its Python sources are kept
    "mindformers==2.1.0",  # large language models
    "mindnlp==0.5.1",  # NLP models, a transformers-style port
    "mindcv==0.3.0",  # vision models and training scripts
    "mindyolo==0.5.0",  # YOLO detectors
    "mindocr==0.5.0",  # OCR models
    "mindaudio==0.3.0",  # speech models
    "mindone==0.5.0",  # diffusion / generative models, many ported from torch
    "mindpet==1.0.4",  # parameter-efficient fine-tuning
    "mindspore-gs==1.4.1",  # model compression (quantization, pruning)
    "mindspore-rl==0.7.0",  # reinforcement learning
    "mindspore-rec==0.3.0",  # recommender models
    "mindarmour==2.0.0",  # adversarial robustness and differential privacy
    "mindsponge-gpu==1.0.0rc1",  # molecular modelling
    "mindflow-gpu==0.2.0",  # fluid-dynamics models
    "mindearth-gpu==0.2.0",  # weather models
    "tinyms==0.3.2",  # high-level training API
    "mindtorch==0.4.0",  # the torch API re-implemented on MindSpore
    *HELD_OUT_PACKAGES,
)

# What CI lints on every run (.ci/run fetches it before the tests): small wheels (about 9.6 MB
# together, not mindspore's 800 MB) that hold the corpus's true findings (mindtorch) and most of
# its real gradient clip call sites (the recall mutants of tests/corpus), plus mindformers and
# mindnlp, 1,100 files of model code on which any finding would be a false alarm.
CI_SLICE = (
    "mindformers==2.1.0",
    "mindnlp==0.5.1",
    "mindtorch==0.4.0",
    "mindaudio==0.3.0",
    "tinyms==0.3.2",
    "mindocr==0.5.0",
    "mindcv==0.3.0",
    "mindyolo==0.5.0",
    *HELD_OUT_PACKAGES,  # about 3.3 MB together
)


@dataclass(frozen=True)
class Pair:
    """A port next to its PyTorch original, each the models folder of a pinned release."""

    name: str
    original: str  # pin of the PyTorch release
    original_folder: str  # inside its extracted root
    port: str  # pin of the MindSpore port
    port_folder: str


# Port-pair mode's real pairs (issue 21). mindnlp 0.3.x builds its models on mindspore.nn (from
# mid-2024 on, on a torch-like layer of its own, which port-pair mode does not read as MindSpore).
PAIRS = (
    Pair("timm-mindcv", "timm==0.9.16", "timm/models", "mindcv==0.3.0", "mindcv/models"),
    Pair("torchvision-mindcv", "torchvision==0.16.0", "torchvision/models", "mindcv==0.3.0", "mindcv/models"),
    Pair("transformers-mindnlp", "transformers==4.38.2", "transformers/models",
         "mindnlp==0.3.1", "mindnlp/transformers/models"),
)

# The pairs CI checks (their wheels join CI_SLICE's fetch): timm's is 2.2 MB, mindcv is in the slice.
CI_PAIRS = ("timm-mindcv",)


def pair_pins(pairs: tuple[Pair, ...] = PAIRS) -> tuple[str, ...]:
    """The releases ``pairs`` need, each once, in order."""
    return tuple(dict.fromkeys(pin for pair in pairs for pin in (pair.original, pair.port)))


def _unique(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(pin for group in groups for pin in group))


# What `fetch` gets: the corpus, and the releases of the pairs.
ALL_PINS = _unique(PINNED_PACKAGES, pair_pins())
SLICE_PINS = _unique(CI_SLICE, pair_pins(tuple(pair for pair in PAIRS if pair.name in CI_PAIRS)))

# A call counts when the last segment of its callee has one of these names, whatever the
# module in front of it (ops.clip_by_value, C.clip_by_value, x.clip, clip_grad_norm_, ...).
CLIPPING_FUNCTIONS = (
    "clip_by_value",
    "clamp",
    "clip",
    "clip_by_norm",
    "clip_by_global_norm",
    "ClipByNorm",
    "clip_grad_value_",
    "clip_grad_norm_",
    "clip_grad_norm",
)

REPO_ROOT = Path(__file__).resolve().parent.parent


class CorpusError(Exception):
    """A failure to report to the user as a message, not as a traceback."""


class NetworkError(CorpusError):
    """The package index is out of reach: no use trying the other packages."""


# --- where things live -----------------------------------------------------------------


def cache_dir(cache: str | os.PathLike | None = None) -> Path:
    """The corpus cache: ``cache`` if given, else $TORCH2MS_CORPUS, else ~/.cache/..."""
    chosen = cache or os.environ.get("TORCH2MS_CORPUS") or "~/.cache/flake8-torch2ms/corpus"
    path = Path(chosen).expanduser().resolve()
    # Third-party code inside the work tree would end up in a commit sooner or later.
    if path.is_relative_to(REPO_ROOT):
        raise CorpusError(f"the corpus cache {path} is inside the repository {REPO_ROOT}; "
                          "choose a directory outside it")
    return path


def split_pin(pin: str) -> tuple[str, str]:
    name, version = pin.split("==")
    return name, version


def source_root(cache: Path, pin: str) -> Path:
    name, version = split_pin(pin)
    return cache / "src" / f"{name}-{version}"


def source_roots(cache: str | os.PathLike | None = None) -> list[Path]:
    """The extracted source roots of the pinned packages, in pinned order.

    Only packages that were fetched completely are listed; call ``fetch()`` first.
    """
    root = cache_dir(cache)
    return [path for pin in PINNED_PACKAGES if (path := source_root(root, pin)).is_dir()]


def pair_folders(pair: Pair, cache: str | os.PathLike | None = None) -> tuple[Path, Path] | None:
    """(original folder, port folder) of ``pair``, or None unless both releases are fetched."""
    root = cache_dir(cache)
    original = source_root(root, pair.original) / pair.original_folder
    port = source_root(root, pair.port) / pair.port_folder
    return (original, port) if original.is_dir() and port.is_dir() else None


def find_pair(name: str) -> Pair:
    for pair in PAIRS:
        if pair.name == name:
            return pair
    raise CorpusError(f"no pinned pair {name!r}; the pairs are: " + ", ".join(pair.name for pair in PAIRS))


# --- fetch -----------------------------------------------------------------------------


def _canonical(name: str) -> str:
    """PEP 503 name normalisation: 'mindspore_gs' and 'MindSpore-GS' are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def find_download(wheels: Path, pin: str) -> Path | None:
    """The wheel or sdist of ``pin`` already in ``wheels``, if any."""
    name, version = split_pin(pin)
    for archive in sorted(wheels.glob("*")):
        if archive.name.endswith(".whl"):
            dist, dist_version = archive.name.split("-")[:2]
        elif archive.name.endswith((".tar.gz", ".zip")):
            stem = archive.name.removesuffix(".tar.gz").removesuffix(".zip")
            dist, _, dist_version = stem.rpartition("-")
        else:
            continue
        if _canonical(dist) == _canonical(name) and dist_version == version:
            return archive
    return None


def _pip_download(pin: str, wheels: Path, *, binary: bool) -> subprocess.CompletedProcess:
    only = ["--only-binary=:all:"] if binary else ["--no-binary=:all:"]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", *only,
               "--progress-bar", "off", pin, "-d", str(wheels)]
    return subprocess.run(command, capture_output=True, text=True)


def _pip_errors(result: subprocess.CompletedProcess) -> str:
    """pip's ERROR lines (enough to tell a typo from a missing release), else its tail."""
    lines = result.stderr.strip().splitlines()
    errors = [line for line in lines if line.startswith("ERROR")] or lines[-5:]
    if any(line.startswith("ERROR: Exception") for line in errors):
        errors.append(lines[-1])  # pip printed a traceback: its last line names the cause
    return "\n".join("    " + line for line in errors) or "    (pip printed nothing)"


# pip says "no matching distribution" both for a wrong pin and for an unreachable index;
# only its retry warnings and tracebacks tell the two apart.
NETWORK_SIGNS = ("connection broken", "Could not fetch URL", "ConnectTimeout", "ReadTimeout",
                 "Connection aborted", "Connection reset", "name resolution")


def _network_failure(result: subprocess.CompletedProcess) -> str | None:
    """The first line of pip's output that shows a network failure, if any."""
    for line in result.stderr.splitlines():
        if any(sign in line for sign in NETWORK_SIGNS):
            return line.strip()
    return None


def download(pin: str, wheels: Path) -> Path:
    """Download ``pin`` into ``wheels`` unless already there; a wheel, else the sdist."""
    if archive := find_download(wheels, pin):
        return archive
    print(f"  downloading {pin} ...", flush=True)
    wheels.mkdir(parents=True, exist_ok=True)
    result = _pip_download(pin, wheels, binary=True)
    if result.returncode != 0 and (cause := _network_failure(result)):
        raise NetworkError(f"could not reach the package index to download {pin}:\n"
                           f"    {cause}")
    if result.returncode != 0:
        # Some releases only ship an sdist; it holds the same Python sources.
        sdist_result = _pip_download(pin, wheels, binary=False)
        if sdist_result.returncode != 0:
            raise CorpusError(f"pip could not download {pin}\n  as a wheel:\n{_pip_errors(result)}"
                              f"\n  as an sdist:\n{_pip_errors(sdist_result)}")
    if archive := find_download(wheels, pin):
        return archive
    raise CorpusError(f"pip reported success for {pin} but no matching file is in {wheels}")


def python_files(archive: Path) -> Iterator[tuple[PurePosixPath, bytes]]:
    """Yield (path, content) of every .py file in a wheel or sdist.

    An sdist wraps everything in a NAME-VER/ folder; it is dropped so that both kinds of
    archive lay out the same way.
    """
    if archive.name.endswith((".whl", ".zip")):
        strip_top = not archive.name.endswith(".whl")
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir() and info.filename.endswith(".py"):
                    path = PurePosixPath(info.filename)
                    yield PurePosixPath(*path.parts[strip_top:]), zf.read(info)
    else:
        with tarfile.open(archive) as tf:
            for member in tf:
                if member.isfile() and member.name.endswith(".py"):
                    path = PurePosixPath(member.name)
                    yield PurePosixPath(*path.parts[1:]), tf.extractfile(member).read()


def extract(archive: Path, destination: Path) -> int:
    """Write the .py files of ``archive`` under ``destination``; returns how many.

    Files go to a scratch folder that is renamed at the end, so an interrupted run never
    leaves a half-extracted root that a later run would take as complete.
    """
    scratch = destination.with_name(f".{destination.name}.partial")
    shutil.rmtree(scratch, ignore_errors=True)
    count = 0
    for path, content in python_files(archive):
        # Never write outside the scratch folder, whatever the archive says.
        if path.is_absolute() or ".." in path.parts or not path.parts:
            continue
        target = scratch.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        count += 1
    scratch.mkdir(parents=True, exist_ok=True)  # a release without .py files stays empty
    scratch.rename(destination)
    return count


def fetch(cache: str | os.PathLike | None = None, pins: tuple[str, ...] = ALL_PINS) -> list[Path]:
    """Download and extract every pinned package (of ``pins``) that is not yet in the cache.

    Returns the source roots. Tries every package, then raises ``CorpusError`` naming
    those that failed; stops at once with ``NetworkError`` when the index is out of reach.
    """
    root = cache_dir(cache)
    wheels = root / "wheels"
    failures = []
    for pin in pins:
        destination = source_root(root, pin)
        if destination.is_dir():
            print(f"  {pin}: present")
            continue
        try:
            archive = download(pin, wheels)
            destination.parent.mkdir(parents=True, exist_ok=True)
            count = extract(archive, destination)
        except NetworkError:
            raise
        except CorpusError as error:
            failures.append(pin)
            print(f"  {pin}: FAILED\n{error}", file=sys.stderr)
        except (OSError, zipfile.BadZipFile, tarfile.TarError) as error:
            failures.append(pin)
            print(f"  {pin}: FAILED to extract: {error}\n"
                  f"    (delete the archive from {wheels} to download it again)", file=sys.stderr)
        else:
            size = archive.stat().st_size / 2**20
            print(f"  {pin}: {count} .py files from {archive.name} ({size:.1f} MiB)")
    if failures:
        raise CorpusError(f"{len(failures)} of {len(pins)} packages failed: "
                          + ", ".join(failures))
    return source_roots(root)


# --- stats -----------------------------------------------------------------------------


@dataclass
class PackageStats:
    """What one source root holds; ``calls`` maps a CLIPPING_FUNCTIONS name to its count."""

    files: int = 0
    lines: int = 0
    calls: Counter = field(default_factory=Counter)
    unparsable: list[tuple[Path, str]] = field(default_factory=list)


def callee_name(call: ast.Call) -> str | None:
    """The last name segment of what is called: 'clip' for ``ops.clip(...)``."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def package_stats(root: Path) -> PackageStats:
    """Files, lines and clipping call sites under ``root``; unparsable files are listed."""
    stats = PackageStats()
    wanted = set(CLIPPING_FUNCTIONS)
    for path in sorted(root.rglob("*.py")):
        source = path.read_bytes()
        stats.files += 1
        stats.lines += len(source.splitlines())
        try:
            # Bytes, so that ast honours the file's own coding declaration.
            tree = ast.parse(source, filename=str(path))
        except (SyntaxError, ValueError, RecursionError) as error:
            stats.unparsable.append((path, f"{type(error).__name__}: {error}"))
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := callee_name(node)) in wanted:
                stats.calls[name] += 1
    return stats


def print_stats(cache: str | os.PathLike | None = None) -> None:
    roots = source_roots(cache)
    if not roots:
        raise CorpusError("the corpus is empty: run `python bench/corpus.py fetch` first")
    header = ["package", "files", "lines", "unparsable", *CLIPPING_FUNCTIONS]
    rows, total, unparsable = [], PackageStats(), []
    for root in roots:
        stats = package_stats(root)
        rows.append([root.name, stats.files, stats.lines, len(stats.unparsable),
                     *(stats.calls[name] for name in CLIPPING_FUNCTIONS)])
        total.files += stats.files
        total.lines += stats.lines
        total.calls += stats.calls
        unparsable += [(root, *failure) for failure in stats.unparsable]
    rows.append(["TOTAL", total.files, total.lines, len(unparsable),
                 *(total.calls[name] for name in CLIPPING_FUNCTIONS)])
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = [str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        print("  ".join(cells))
    if unparsable:
        print(f"\n{len(unparsable)} files could not be parsed by Python "
              f"{sys.version_info.major}.{sys.version_info.minor} and were not scanned:")
        for root, path, reason in unparsable:
            print(f"  {root.name}/{path.relative_to(root)}: {reason}")


# --- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["fetch", "stats", "list", "pins", "pair"])
    parser.add_argument("name", nargs="?",
                        help="pair: the pair whose folders to print (" + ", ".join(p.name for p in PAIRS) + ")")
    parser.add_argument("--cache", help="corpus directory (default: $TORCH2MS_CORPUS or "
                                        "~/.cache/flake8-torch2ms/corpus)")
    parser.add_argument("--slice", action="store_true", help="fetch: only the small CI slice (CI_SLICE and CI_PAIRS)")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            started = time.monotonic()
            print(f"corpus cache: {cache_dir(args.cache)}")
            fetch(args.cache, SLICE_PINS if args.slice else ALL_PINS)
            print(f"done in {time.monotonic() - started:.0f} s")
        elif args.command == "stats":
            print_stats(args.cache)
        elif args.command == "pins":
            # Works on a fresh clone: the corpus as pinned, and which releases the cache holds.
            root = cache_dir(args.cache)
            for pin in PINNED_PACKAGES:
                print(pin if source_root(root, pin).is_dir() else f"{pin}  (not fetched)")
            print(f"{len(PINNED_PACKAGES)} packages; cache: {root}")
        elif args.command == "pair" and not args.name:
            for pair in PAIRS:  # what each pair is, fetched or not
                state = "" if pair_folders(pair, args.cache) else "  (not fetched)"
                print(f"{pair.name}: {pair.original} {pair.original_folder} -> "
                      f"{pair.port} {pair.port_folder}{state}")
        elif args.command == "pair":
            folders = pair_folders(find_pair(args.name), args.cache)
            if folders is None:
                raise CorpusError(f"the pair {args.name} is not fetched: run `python bench/corpus.py fetch`")
            print(*folders)
        else:
            roots = source_roots(args.cache)
            if not roots:
                # An empty list would make `flake8 $(... list)` lint the current folder.
                raise CorpusError("the corpus is empty: run `python bench/corpus.py fetch` first")
            if len(roots) < len(PINNED_PACKAGES):
                print(f"warning: {len(PINNED_PACKAGES) - len(roots)} pinned packages are "
                      "not fetched; run `python bench/corpus.py fetch`", file=sys.stderr)
            print("\n".join(str(root) for root in roots))
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
