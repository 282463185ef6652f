"""A small image classifier and its decoding, ported from PyTorch to MindSpore 2.x.

The PyTorch model used ``nn.Dropout(0.2)``, ``nn.BatchNorm2d(c, momentum=0.1)``,
``nn.MaxPool2d(2)`` and ``torch.max(logits, 1)``. Each line kept as it was means something else
in MindSpore (TMS301, TMS302, TMS303, TMS306), and so do the decoding helpers (TMS304, TMS305)
and a hand-converted BatchNorm (TMS307). Nothing here raises: the model trains, only worse. The
port still reads the PyTorch checkpoint, a torch habit that tells TMS303 which stride was meant.
"""
from mindspore import nn, ops

DROP_RATE = 0.2


class ConvBlock(nn.Cell):
    def __init__(self, in_channels, out_channels, bn_momentum=0.1):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, pad_mode="pad", padding=1)
        # ruleid: TMS302
        self.bn = nn.BatchNorm2d(out_channels, momentum=bn_momentum)
        self.relu = nn.ReLU()
        # ruleid: TMS303
        self.pool = nn.MaxPool2d(2)

    def construct(self, x):
        return self.pool(self.relu(self.bn(self.conv(x))))


class Classifier(nn.Cell):
    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.SequentialCell([ConvBlock(3, 32), ConvBlock(32, 64)])
        self.flatten = nn.Flatten()
        # ruleid: TMS301
        self.dropout = nn.Dropout(DROP_RATE)
        self.fc = nn.Dense(64 * 8 * 8, num_classes)
        # Converted by hand, but passed in the wrong order: eps=0.9, momentum=1e-5.
        # ruleid: TMS307
        self.head_bn = nn.BatchNorm1d(num_classes, 0.9, 1e-5)
        self.argmax = ops.ArgMaxWithValue(axis=1)

    def construct(self, images):
        logits = self.head_bn(self.fc(self.dropout(self.flatten(self.features(images)))))
        # torch.max(logits, 1) returns (values, indices); ArgMaxWithValue returns (index, value).
        # ruleid: TMS306
        score, predicted = self.argmax(logits)
        return logits, score, predicted


def top_scores(logits):
    probs = ops.softmax(logits, axis=-1)
    # ruleid: TMS304
    return probs.max(axis=-1)[0]


def sample_candidates(logits, num_candidates=4):
    probs = ops.softmax(logits, axis=-1)
    # ruleid: TMS305
    return ops.multinomial(probs, num_candidates)


def load_torch_checkpoint(path):
    import torch  # the weights trained with the PyTorch model

    return torch.load(path, map_location="cpu")
