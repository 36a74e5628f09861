"""Building blocks shared by several families (kept tiny on purpose: each family file reads on its own)."""
from __future__ import annotations

import torch
import torch.nn as nn

# DIV2K RGB mean, subtracted by every official implementation (CARN, PCARN, OverNet, EDSR, s-LWSR).
DIV2K_MEAN = (0.4488, 0.4371, 0.4040)


class MeanShift(nn.Module):
    """Frozen 1×1 conv that adds ``sign·rgb_range·mean`` per channel.

    The official repos store this conv's weight and bias in their state_dicts, so it is a real (frozen)
    ``nn.Conv2d`` here too: strict loading then checks those keys as well. ``key_style="shifter"`` gives
    CARN/OverNet keys (``sub_mean.shifter.weight``), ``"plain"`` gives EDSR keys (``sub_mean.weight``).
    """

    def __init__(self, sign: int, rgb_range: float = 1.0, mean=DIV2K_MEAN, key_style: str = "shifter"):
        super().__init__()
        conv = nn.Conv2d(3, 3, 1)
        with torch.no_grad():
            conv.weight.copy_(torch.eye(3, device="cpu").view(3, 3, 1, 1))
            conv.bias.copy_(sign * rgb_range * torch.tensor(mean, device="cpu"))
        for p in conv.parameters():
            p.requires_grad = False
        self.key_style = key_style
        if key_style == "shifter":
            self.shifter = conv
        elif key_style == "plain":
            self.weight, self.bias = conv.weight, conv.bias
        else:
            raise ValueError(f"key_style must be 'shifter' or 'plain', not {key_style!r}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.key_style == "shifter":
            return self.shifter(x)
        return nn.functional.conv2d(x, self.weight, self.bias)


def check_scale(scale, supported) -> int:
    """Validate ``scale`` for a model built for the integer scales in ``supported``."""
    if supported is not None and scale not in supported:
        raise ValueError(f"scale {scale} not supported by this model (built for {tuple(supported)})")
    return int(scale)
