"""Alignment by layer: files, classes, attributes, container positions, call order with gaps."""

import itertools

import pytest
from pair_helpers import compatible, port_index, torch_index

from flake8_torch2ms.families.pairs import alignment
from flake8_torch2ms.families.pairs.alignment import align, align_classes, align_file, common_subsequence

TORCH_BLOCK = """
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3)
            self.bn = nn.BatchNorm2d(c)
            self.body = nn.Sequential(nn.Conv2d(c, c, 1), nn.LeakyReLU(), nn.BatchNorm2d(c))

        def forward(self, x):
            return self.body(self.bn(self.conv(x)))
"""
PORT_BLOCK = """
    from mindspore import nn

    class Block(nn.Cell):
        def __init__(self, c):
            super().__init__()
            self.bn = nn.BatchNorm2d(c)
            self.conv = nn.Conv2d(c, c, 3)
            self.body = nn.SequentialCell([nn.Conv2d(c, c, 1), nn.LeakyReLU(), nn.BatchNorm2d(c)])

        def construct(self, x):
            return self.body(self.bn(self.conv(x)))
"""


def definitions(originals):
    """What align_file reads of each original file: its top-level names."""
    return {relative: index.definitions for relative, index in originals.items()}


def aligned(port_source, torch_source, class_map=None, port_path="port/model.py"):
    port, original = port_index(port_source), torch_index(torch_source)
    found = align(port_path, port, {"model.py": original}, class_map or {}, compatible)
    return {(port.calls[mine].line, port.calls[mine].name.rsplit(".", 1)[-1]): (original.calls[theirs].line, how)
            for mine, (theirs, how) in found.calls.items()}


# ---- files

def test_the_longest_path_suffix_wins():
    empty = torch_index("x = 1\n")
    originals = {"proj/models/resnet.py": empty, "proj/resnet.py": empty, "proj/models/vit.py": empty}
    chosen, _ = align_file("proj-ms/src/models/resnet.py", empty.definitions, definitions(originals), {})
    assert chosen == "proj/models/resnet.py"


def test_without_a_path_match_the_file_defining_the_classes_pairs():
    port = port_index("from mindspore import nn\nclass Encoder(nn.Cell):\n    pass\n"
                      "class Decoder(nn.Cell):\n    pass\n")
    originals = {"a.py": torch_index("class Encoder:\n    pass\nclass Decoder:\n    pass\n"),
                 "b.py": torch_index("class Encoder:\n    pass\n")}
    assert align_file("layers/coder.py", port.definitions, definitions(originals), {})[0] == "a.py"


def test_a_tie_pairs_no_file():
    port = port_index("class Encoder:\n    pass\n")
    originals = {"a.py": torch_index("class Encoder:\n    pass\n"), "b.py": torch_index("class Encoder:\n    pass\n")}
    relative, reason = align_file("other.py", port.definitions, definitions(originals), {})
    assert relative is None and "ambiguous" in reason
    originals = {"x/model.py": torch_index("y = 1\n"), "y/model.py": torch_index("y = 1\n")}
    # equal suffixes, no classes
    assert align_file("model.py", port_index("y = 1\n").definitions, definitions(originals), {})[0] is None


# ---- classes

def test_classes_pair_by_name_case_and_class_map():
    original = torch_index("class GCN:\n    pass\nclass Conv:\n    pass\nclass Head:\n    pass\n")
    port = port_index("class gcn:\n    pass\nclass ConvNormAct:\n    pass\nclass Head:\n    pass\nclass Extra:\n"
                      "    pass\n")
    chosen = align_classes(port, original, {"Conv": "ConvNormAct"})
    assert {name: torch for name, (torch, _) in chosen.items()} == {
        "gcn": "GCN", "ConvNormAct": "Conv", "Head": "Head", "Extra": None}


def test_a_class_two_port_classes_claim_pairs_with_neither():
    original = torch_index("class GCN:\n    pass\n")
    port = port_index("class GCN:\n    pass\nclass gcn:\n    pass\n")
    assert {torch for torch, _ in align_classes(port, original, {}).values()} == {None}


def test_a_same_named_class_in_another_role_is_not_paired():
    """A thin wrapper kept the original's name while its layers moved to another class."""
    original = TORCH_BLOCK
    port = """
        from mindspore import nn

        class BlockBody(nn.Cell):
            def __init__(self, c):
                super().__init__()
                self.conv = nn.Conv2d(c, c, 3)
                self.bn = nn.BatchNorm2d(c)

        class Block(nn.Cell):
            def __init__(self, c):
                super().__init__()
                self.inner = BlockBody(c)
                self.extra = nn.LeakyReLU()
    """
    chosen = align_classes(port_index(port), torch_index(original), {})
    assert chosen["Block"][0] is None and "another role" in chosen["Block"][1]
    assert aligned(port, original) == {}


# ---- inside a class

def test_attributes_pair_by_name_and_container_items_by_position():
    found = aligned(PORT_BLOCK, TORCH_BLOCK)
    assert found == {
        (7, "BatchNorm2d"): (8, "attribute bn"),
        (8, "Conv2d"): (7, "attribute conv"),
        (9, "Conv2d"): (9, "body[0]"),
        (9, "LeakyReLU"): (9, "body[1]"),
        (9, "BatchNorm2d"): (9, "body[2]"),
    }


def test_calls_in_forward_and_construct_pair_by_order_with_gaps():
    torch_source = """
        import torch.nn.functional as F
        from torch import nn

        class Net(nn.Module):
            def forward(self, x):
                x = F.max_pool2d(x, 2)
                x = F.gelu(x)
                return F.max_pool2d(x, 3)
    """
    port_source = """
        from mindspore import nn, ops

        class Net(nn.Cell):
            def construct(self, x):
                x = ops.reshape(x, (1, -1))
                x = ops.max_pool2d(x, 2)
                y = ops.std(x)
                x = ops.gelu(x)
                return ops.max_pool2d(x, 3)
    """
    assert aligned(port_source, torch_source) == {
        (7, "max_pool2d"): (7, "order in construct"),
        (9, "gelu"): (8, "order in construct"),
        (10, "max_pool2d"): (9, "order in construct"),
    }


def test_an_order_that_could_pair_either_of_two_calls_pairs_neither():
    torch_source = "import torch.nn.functional as F\ndef f(x):\n    return F.gelu(F.gelu(x))\n"
    port_source = "from mindspore import ops\ndef f(x):\n    return ops.gelu(x)\n"
    assert aligned(port_source, torch_source) == {}


def test_same_named_helpers_and_module_code_pair_by_order():
    torch_source = "from torch import nn\ndef conv3x3(a, b):\n    return nn.Conv2d(a, b, 3, padding=1)\n" \
                   "act = nn.LeakyReLU()\n"
    port_source = "from mindspore import nn\ndef conv3x3(a, b):\n    return nn.Conv2d(a, b, 3)\nact = nn.LeakyReLU()\n"
    assert aligned(port_source, torch_source) == {(3, "Conv2d"): (3, "order in conv3x3"),
                                                  (4, "LeakyReLU"): (4, "order in the module's code")}


def test_calls_of_other_apis_never_pair():
    torch_source = "from torch import nn\nclass A:\n    def __init__(self):\n        self.x = nn.LeakyReLU()\n"
    port_source = "from mindspore import nn\nclass A:\n    def __init__(self):\n        self.x = nn.GELU()\n"
    assert aligned(port_source, torch_source) == {}


def test_common_subsequence_keeps_only_pairs_every_alignment_makes():
    same = lambda a, b: a == b  # noqa: E731
    assert common_subsequence(list("abc"), list("axbc"), same) == [("a", "a"), ("b", "b"), ("c", "c")]
    assert common_subsequence(list("a"), list("aa"), same) == []
    assert common_subsequence(list("ab"), list("aab"), same) == [("b", "b")]
    assert common_subsequence([], list("a"), same) == []


def longest_alignments(left: str, right: str) -> list[frozenset]:
    """Every longest common subsequence of two strings as its set of (i, j) index pairs, by brute force."""
    found = []

    def extend(i: int, j: int, pairs: tuple) -> None:
        found.append(frozenset(pairs))
        for a in range(i, len(left)):
            for b in range(j, len(right)):
                if left[a] == right[b]:
                    extend(a + 1, b + 1, pairs + ((a, b),))

    extend(0, 0, ())
    longest = max(len(pairs) for pairs in found)
    return list({pairs for pairs in found if len(pairs) == longest})


def short_strings(alphabet: str, longest: int) -> list[str]:
    return ["".join(letters) for length in range(longest + 1) for letters in itertools.product(alphabet, repeat=length)]


@pytest.mark.parametrize("alphabet, longest", [("ab", 5), ("abc", 3)])
def test_common_subsequence_is_what_every_longest_alignment_makes(alphabet, longest):
    """On every pair of short strings, against a brute-force enumeration: exactly the pairs that all
    longest alignments make, in order (ambiguity on either side pairs nothing)."""
    for left, right in itertools.product(short_strings(alphabet, longest), repeat=2):
        # Items are (letter, index): the result says which positions paired.
        kept = common_subsequence(list(zip(left, range(len(left)))), list(zip(right, range(len(right)))),
                                  lambda a, b: a[0] == b[0])
        pairs = [(a[1], b[1]) for a, b in kept]
        assert pairs == sorted(frozenset.intersection(*longest_alignments(left, right))), (left, right)


def test_an_ambiguous_item_on_either_side_pairs_with_neither():
    same = lambda a, b: a[0] == b[0]  # noqa: E731
    # Either 'a' of the left could be the right's 'a', and either 'a' of the right the left's.
    assert common_subsequence([("a", 0), ("a", 1)], [("b", 0), ("a", 1)], same) == []
    assert common_subsequence([("a", 0), ("a", 1)], [("a", 0), ("b", 1)], same) == []
    assert common_subsequence([("b", 0), ("a", 1)], [("a", 0), ("a", 1)], same) == []
    assert common_subsequence([("a", 0), ("b", 1)], [("a", 0), ("a", 1)], same) == []


def test_a_table_larger_than_the_limit_is_left_unaligned(monkeypatch):
    monkeypatch.setattr(alignment, "LARGEST_TABLE", 6)
    same = lambda a, b: a == b  # noqa: E731
    assert common_subsequence(list("abc"), list("ab"), same) == [("a", "a"), ("b", "b")]  # 6 cells: aligned
    assert common_subsequence(list("abc"), list("abx"), same) == []  # 9 cells: too large
    assert common_subsequence(list("abcdef"), list("a"), same) == [("a", "a")]
    assert common_subsequence(list("abcdefg"), list("a"), same) == []


def test_a_minority_of_shared_definitions_pairs_no_file():
    port = port_index("class A:\n    pass\nclass B:\n    pass\nclass C:\n    pass\n")
    originals = {"a.py": torch_index("class A:\n    pass\n"), "b.py": torch_index("class X:\n    pass\n")}
    relative, reason = align_file("other.py", port.definitions, definitions(originals), {})
    assert relative is None and "at best 1 of 3" in reason


def test_an_attribute_assigned_in_branches_pairs_branch_by_branch():
    torch_source = """
        from torch import nn

        class Embed(nn.Module):
            def __init__(self, small):
                super().__init__()
                if small:
                    self.proj = nn.Sequential(nn.Conv2d(3, 8, 3), nn.LeakyReLU())
                else:
                    self.proj = nn.Sequential(nn.Conv2d(3, 8, 7), nn.LeakyReLU(0.1))
                self.act = nn.LeakyReLU() if small else nn.GELU()
    """
    port_source = """
        from mindspore import nn

        class Embed(nn.Cell):
            def __init__(self, small):
                super().__init__()
                if small:
                    self.proj = nn.SequentialCell([nn.Conv2d(3, 8, 3), nn.LeakyReLU()])
                else:
                    self.proj = nn.SequentialCell([nn.Conv2d(3, 8, 7), nn.LeakyReLU(0.1)])
                self.act = nn.LeakyReLU()
    """
    found = aligned(port_source, torch_source)
    assert found == {(8, "Conv2d"): (8, "proj[0]"), (8, "LeakyReLU"): (8, "proj[1]"),
                     (10, "Conv2d"): (10, "proj[0]"), (10, "LeakyReLU"): (10, "proj[1]")}


def scored_by_file(wanted, definitions, class_map):
    """align_file's scores as its rule reads, file by file: how many of the port's names a file
    defines, in any case or as the class map renames them."""
    renamed = {port: torch for torch, port in class_map.items()}
    return {relative: sum(1 for name in wanted if name.lower() in {theirs.lower() for theirs in names}
                          or renamed.get(name) in names)
            for relative, names in definitions.items()}


def test_the_file_chosen_by_names_is_the_one_scoring_most_file_by_file():
    """align_file counts from an index of names; checked against the rule applied file by file
    on seeded random trees (ties, case, class-map renames, names defined twice)."""
    import random

    names = ["Encoder", "encoder", "ENCODER", "Decoder", "Block", "block_fn", "Head", "Stem", "Mlp", "MLP", "build"]
    generator = random.Random(7)
    chosen = 0
    for _ in range(2000):
        definitions = {f"pkg/m{number}.py": set(generator.sample(names, generator.randint(0, 4)))
                       for number in range(generator.randint(1, 6))}
        wanted = set(generator.sample(names, generator.randint(0, 5)))
        class_map = {generator.choice(names): generator.choice(names)} if generator.random() < 0.3 else {}
        scores = scored_by_file(wanted, definitions, class_map)
        top = max(scores.values())
        winners = [relative for relative, score in scores.items() if score == top]
        expected = winners[0] if wanted and top and 2 * top > len(wanted) and len(winners) == 1 else None
        for by_name in (None, alignment.defining_files(definitions)):
            assert align_file("port/x.py", wanted, definitions, class_map, by_name)[0] == expected, \
                (wanted, definitions, class_map)
        chosen += expected is not None
    assert 200 < chosen < 1800  # both outcomes were exercised


# ---- the port's index of what align() reads (alignment.Reach)

REACH_TORCH = """
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3)
            self.body = nn.Sequential(nn.Conv2d(c, c, 1), nn.LeakyReLU())

        def forward(self, x):
            return nn.functional.gelu(self.conv(x))

    class Head(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.fc = nn.Linear(c, c)

    def make(c):
        return nn.Conv2d(c, c, 1), nn.LeakyReLU()

    LAYER = nn.LeakyReLU(0.2)
"""
REACH_PORT = """
    import mindspore
    from mindspore import nn, ops

    class Block(nn.Cell):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3)
            self.body = nn.SequentialCell([nn.Conv2d(c, c, 1), nn.LeakyReLU()])

        def construct(self, x):
            return ops.gelu(self.conv(x))

        def extra(self, c):  # the original class has no such method
            return nn.Conv2d(c, c, 5)

    class HEAD(nn.Cell):  # the one original class of that name in another case
        def __init__(self, c):
            super().__init__()
            self.fc = nn.Dense(c, c)

    class Renamed(nn.Cell):
        def __init__(self, c):
            super().__init__()
            self.fc = nn.Dense(c, c)

    class PortOnly(nn.Cell):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3)

    def make(c):
        return nn.Conv2d(c, c, 1), nn.LeakyReLU()

    def port_only(c):
        return nn.LeakyReLU()

    LAYER = nn.LeakyReLU(0.2)
"""


def _aligned_by_start(port, original, class_map):
    found = align("port/model.py", port, {"model.py": original}, class_map, compatible)
    return found.classes, {port.calls[mine].start: theirs for mine, (theirs, _) in found.calls.items()}


@pytest.mark.parametrize("class_map", [{}, {"Head": "Renamed"}])
@pytest.mark.parametrize("module_code", [True, False])
def test_the_ports_index_of_what_align_reads_aligns_as_the_whole_index(class_map, module_code):
    torch_source = REACH_TORCH if module_code else REACH_TORCH.replace("LAYER = nn.LeakyReLU(0.2)", "")
    original = torch_index(torch_source)
    whole, read = port_index(REACH_PORT), port_index(REACH_PORT, alignment.Reach(original, class_map))
    assert _aligned_by_start(read, original, class_map) == _aligned_by_start(whole, original, class_map)
    assert read.definitions == whole.definitions and read.reassigned == whole.reassigned
    by_start = {call.start: call for call in whole.calls}
    assert all(by_start[call.start] == call for call in read.calls)  # the same calls, read alike
    # What align() never reads has no calls: a class no original class stands for, a method the
    # original class lacks, a function the original lacks, module code when the original has none.
    assert read.classes["PortOnly"].attributes == {} and read.functions["port_only"] == []
    assert read.classes["Block"].methods["extra"] == [] and read.classes["Block"].methods["construct"] != []
    assert (read.classes["Renamed"].attributes != {}) is bool(class_map)
    assert read.classes["HEAD"].attributes != {}  # with the map, two ports for one Head: align_classes drops both
    assert ("<module>" in read.functions) is module_code
    assert whole.classes["PortOnly"].attributes and whole.functions["port_only"] and "<module>" in whole.functions
