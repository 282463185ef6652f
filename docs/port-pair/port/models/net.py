from mindspore import nn


class ConvBlock(nn.Cell):
    def __init__(self, in_channels, out_channels, momentum=0.1):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, pad_mode="pad", padding=1)
        self.bn = nn.BatchNorm2d(out_channels, momentum=1 - momentum)
        self.act = nn.LeakyReLU()

    def construct(self, x):
        return self.act(self.bn(self.conv(x)))


def build_optimizer(model):
    return nn.AdamWeightDecay(model.trainable_params(), learning_rate=1e-3, weight_decay=0.05)
