"""The divergence conditions' vocabulary: a rule's ``conditions:`` may ask only for these
vocabularies' values, and each view property returns one of their terms."""

from __future__ import annotations

from ...records import Term, Vocabulary

HALF = 0.5  # a keep probability and a drop rate of 0.5 are the same; a momentum of 0.5 is too


class Dropout(Vocabulary):
    """What the first argument of a keep-probability dropout is."""

    RATE_AS_KEEP_PROB = Term("rate-as-keep-prob")  # known to be below 0.5: torch's rate, read as keep_prob
    GUARDED_RATE = Term("guarded-rate")  # unknown, but a guard around it proves a rate: `if p > 0:`
    KEEP_PROB = Term("keep-prob")  # 0.5 or more (the same in both conventions at 0.5), or 1 - rate
    NOT_POSITIONAL = Term("not-positional")  # keep_prob= or p= by keyword, or nothing
    UNKNOWN = Term("unknown")
    OTHER = Term("other")  # not a keep-probability dropout


class Momentum(Vocabulary):
    """Which convention a BatchNorm's momentum is in."""

    TORCH_CONVENTION = Term("torch-convention")  # known to be below 0.5
    SWAPPED_WITH_EPS = Term("swapped-with-eps")  # (c, 0.9, 1e-5): eps and momentum passed the wrong way round
    MINDSPORE_CONVENTION = Term("mindspore-convention")  # 0.5 or more, or the default
    FROZEN = Term("frozen")  # use_batch_statistics=False: the statistics are never updated
    # Below 0.5, but a test around it weights the batch statistic by 1 - momentum, MindSpore's
    # convention: the value is what the test checks, not a port's mistake.
    ASSERTED_BY_TEST = Term("asserted-by-test")
    UNKNOWN = Term("unknown")
    OTHER = Term("other")  # not a BatchNorm of MindSpore's convention


class Stride(Vocabulary):
    """Whether a pooling call strides by 1 where torch would stride by the kernel."""

    DEFAULTS_TO_ONE = Term("defaults-to-one")  # a known kernel > 1 and no stride
    GIVEN = Term("given")
    SAME_PADDING = Term("same-padding")  # pad_mode="same" and no stride: a stride-1 pool on purpose
    KERNEL_ONE = Term("kernel-one")  # a kernel of 1 strides by 1 in both
    UNKNOWN = Term("unknown")  # the kernel is unknown (a global pool's comes from the input's shape)
    OTHER = Term("other")  # not a pool whose stride defaults to 1


class StrideEvidence(Vocabulary):
    """What the file says about the stride a pool without one was written for."""

    TORCH_STRIDE = Term("torch-stride")  # the Dense after it fits only torch's stride (the kernel)
    TORCH_HABITS = Term("torch-habits")  # no shape says; the file shows torch habits (facts: torch-habits)
    NONE = Term("none")  # no shape says, no torch habit either
    GLOBAL = Term("global")  # the size reaching it is its kernel: the stride cannot matter
    STRIDE_ONE_FITS = Term("stride-one-fits")  # the Dense after it fits only stride 1
    STRIDE_ONE_WRITTEN = Term("stride-one-written")  # a pool of the file writes stride=1: the author knows the default
    OTHER = Term("other")  # not a pool without a stride


class Replacement(Vocabulary):
    """Whether a sampler draws with replacement only because of MindSpore's default."""

    DEFAULTED = Term("defaulted")  # a known number of samples > 1, replacement not given
    GIVEN = Term("given")
    ONE_SAMPLE = Term("one-sample")
    UNKNOWN = Term("unknown")
    OTHER = Term("other")


class Reduction(Vocabulary):
    """What a subscript of ``x.max(axis=...)`` takes."""

    VALUES_INDEXED = Term("values-indexed")  # [0] or [1] of the values-only overload, on a MindSpore tensor
    WITH_INDICES = Term("with-indices")  # return_indices=True: (values, indices), as torch
    UNKNOWN = Term("unknown")  # the receiver is not known to be a MindSpore tensor, or another subscript
    OTHER = Term("other")


class Order(Vocabulary):
    """How the (index, value) output of ArgMaxWithValue is unpacked."""

    VALUE_INDEX_SWAPPED = Term("value-index-swapped")  # the names say value first, or index second
    INDEX_VALUE = Term("index-value")
    UNKNOWN = Term("unknown")  # the names say nothing, or the call is not known to be the primitive
