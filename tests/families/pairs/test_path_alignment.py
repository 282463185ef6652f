"""Alignment by path (alignment.align_by_path): the port file pairs with the one original file
sharing the longest relative-path suffix. The engine compares only the files its name index
(``files_by_name``) gives; that must choose exactly what comparing every original file chooses."""

import random

import pytest

from flake8_torch2ms.families.pairs.alignment import align_by_path, files_by_name

FOLDERS = ["models", "bert", "gpt2", "utils", "layers", "nn", "m", "models.bert"]
NAMES = ["__init__.py", "utils.py", "modeling_bert.py", "layers.py", "m"]


def random_path(generator, depth):
    return "/".join([*(generator.choice(FOLDERS) for _ in range(depth)), generator.choice(NAMES)])


def test_the_name_index_chooses_what_comparing_every_file_chooses():
    generator = random.Random(20261207)
    chosen = 0
    for _ in range(400):
        originals = {random_path(generator, generator.randint(0, 3)): frozenset()
                     for _ in range(generator.randint(1, 30))}
        index = files_by_name(originals)
        for _ in range(10):
            port = random_path(generator, generator.randint(0, 4))
            port = generator.choice([port, "src/" + port, "./" + port, port.replace("/", "\\")])
            expected = align_by_path(port, originals)
            assert align_by_path(port, originals, index) == expected, (port, sorted(originals))
            chosen += expected is not None
    assert chosen > 500  # the ports do pair, and not always


@pytest.mark.parametrize("port, expected", [
    ("ms/models/bert/__init__.py", "models/bert/__init__.py"),  # three parts shared
    ("ms/gpt2/__init__.py", None),  # one part shared with both: ambiguous
    ("ms/gpt2/utils.py", "utils.py"),  # the only utils.py: one part is enough
    ("utils.py", "utils.py"),
])
def test_the_longest_shared_suffix_wins(port, expected):
    originals = {"models/bert/__init__.py": frozenset(), "models/gpt/__init__.py": frozenset(),
                 "utils.py": frozenset()}
    found = align_by_path(port, originals, files_by_name(originals))
    assert (found[0] if found else None) == expected
