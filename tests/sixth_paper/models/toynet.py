"""ToyNet (the toy sixth paper): one 3×3 convolution, ReLU, a 3×3 convolution to 3·s² channels, pixel shuffle."""
import torch.nn as nn

from . import register_model


class ToyNet(nn.Module):
    def __init__(self, scale: int = 2, n_feats: int = 8):
        super().__init__()
        self.scale, self.scales = scale, (scale,)
        self.body = nn.Sequential(nn.Conv2d(3, n_feats, 3, padding=1), nn.ReLU(inplace=True),
                                  nn.Conv2d(n_feats, 3 * scale ** 2, 3, padding=1), nn.PixelShuffle(scale))

    def forward(self, x, scale=None):
        if scale is not None and scale != self.scale:
            raise ValueError(f"ToyNet was built for ×{self.scale}, not ×{scale}")
        return self.body(x)


@register_model
def toynet(scale: int = 2, n_feats: int = 8) -> ToyNet:
    return ToyNet(scale, n_feats)
