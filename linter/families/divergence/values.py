"""The divergence conditions' vocabulary: a rule's ``conditions:`` may ask only for these enums'
values, and each view property returns one of their members."""

from __future__ import annotations

from enum import Enum


class Dropout(Enum):
    """What the first argument of a keep-probability dropout is."""

    RATE_AS_KEEP_PROB = "rate-as-keep-prob"  # known to be below 0.5: torch's rate, read as keep_prob
    GUARDED_RATE = "guarded-rate"  # unknown, but a guard around it proves a rate: `if p > 0:`
    KEEP_PROB = "keep-prob"  # 0.5 or more (the same in both conventions at 0.5), or 1 - rate
    NOT_POSITIONAL = "not-positional"  # keep_prob= or p= by keyword, or nothing
    UNKNOWN = "unknown"
    OTHER = "other"  # not a keep-probability dropout


class Momentum(Enum):
    """Which convention a BatchNorm's momentum is in."""

    TORCH_CONVENTION = "torch-convention"  # known to be below 0.5
    SWAPPED_WITH_EPS = "swapped-with-eps"  # (c, 0.9, 1e-5): eps and momentum passed the wrong way round
    MINDSPORE_CONVENTION = "mindspore-convention"  # 0.5 or more, or the default
    FROZEN = "frozen"  # use_batch_statistics=False: the statistics are never updated
    # Below 0.5, but a test around it weights the batch statistic by 1 - momentum, MindSpore's
    # convention: the value is what the test checks, not a port's mistake.
    ASSERTED_BY_TEST = "asserted-by-test"
    UNKNOWN = "unknown"
    OTHER = "other"  # not a BatchNorm of MindSpore's convention


class Stride(Enum):
    """Whether a pooling call strides by 1 where torch would stride by the kernel."""

    DEFAULTS_TO_ONE = "defaults-to-one"  # a known kernel > 1 and no stride
    GIVEN = "given"
    SAME_PADDING = "same-padding"  # pad_mode="same" and no stride: a stride-1 pool on purpose
    KERNEL_ONE = "kernel-one"  # a kernel of 1 strides by 1 in both
    UNKNOWN = "unknown"  # the kernel is unknown (a global pool's comes from the input's shape)
    OTHER = "other"  # not a pool whose stride defaults to 1


class StrideEvidence(Enum):
    """What the file says about the stride a pool without one was written for."""

    TORCH_STRIDE = "torch-stride"  # the Dense after it fits only torch's stride (the kernel)
    TORCH_HABITS = "torch-habits"  # no shape says; the file shows torch habits (facts: torch-habits)
    NONE = "none"  # no shape says, no torch habit either
    GLOBAL = "global"  # the size reaching it is its kernel: the stride cannot matter
    STRIDE_ONE_FITS = "stride-one-fits"  # the Dense after it fits only stride 1
    STRIDE_ONE_WRITTEN = "stride-one-written"  # a pool of the file writes stride=1: the author knows the default
    OTHER = "other"  # not a pool without a stride


class Replacement(Enum):
    """Whether a sampler draws with replacement only because of MindSpore's default."""

    DEFAULTED = "defaulted"  # a known number of samples > 1, replacement not given
    GIVEN = "given"
    ONE_SAMPLE = "one-sample"
    UNKNOWN = "unknown"
    OTHER = "other"


class Reduction(Enum):
    """What a subscript of ``x.max(axis=...)`` takes."""

    VALUES_INDEXED = "values-indexed"  # [0] or [1] of the values-only overload, on a MindSpore tensor
    WITH_INDICES = "with-indices"  # return_indices=True: (values, indices), as torch
    UNKNOWN = "unknown"  # the receiver is not known to be a MindSpore tensor, or another subscript
    OTHER = "other"


class Order(Enum):
    """How the (index, value) output of ArgMaxWithValue is unpacked."""

    VALUE_INDEX_SWAPPED = "value-index-swapped"  # the names say value first, or index second
    INDEX_VALUE = "index-value"
    UNKNOWN = "unknown"  # the names say nothing, or the call is not known to be the primitive
