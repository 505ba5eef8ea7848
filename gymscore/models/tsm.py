"""Small RGB classifiers: TSM (temporal shift module, Lin et al. ICCV 2019) and TSN (no shift).

Input: (N, T, 3, H, W) float frames scaled to [0, 1] and normalised by the manifest's mean/std.
Trained from scratch, or from a user-given checkpoint (``pretrained=PATH``, loaded non-strictly).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from gymscore.models.heads import ClassifierBase
from gymscore.models.registry import register_model


def temporal_shift(x: torch.Tensor, num_frames: int, fold_div: int = 8) -> torch.Tensor:
    """Shift 1/fold_div of the channels one frame back and 1/fold_div forward (x: (N*T, C, H, W))."""
    nt, c, h, w = x.shape
    x = x.view(nt // num_frames, num_frames, c, h, w)
    fold = c // fold_div
    out = torch.zeros_like(x)
    out[:, :-1, :fold] = x[:, 1:, :fold]
    out[:, 1:, fold : 2 * fold] = x[:, :-1, fold : 2 * fold]
    out[:, :, 2 * fold :] = x[:, :, 2 * fold :]
    return out.view(nt, c, h, w)


class ShiftBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, stride: int, shift: bool) -> None:
        super().__init__()
        self.shift = shift
        self.num_frames = 1
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.down = (
            nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False), nn.BatchNorm2d(c_out))
            if stride != 1 or c_in != c_out
            else nn.Identity()
        )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = temporal_shift(x, self.num_frames) if self.shift and self.num_frames > 1 else x
        y = self.relu(self.bn1(self.conv1(y)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + self.down(x))


class TSM(ClassifierBase):
    """A small residual 2D CNN applied per frame, temporal shift in each block, average consensus."""

    def __init__(
        self,
        label_space: Any,
        channels: tuple[int, ...] = (16, 32, 64, 128),
        shift: bool = True,
        pretrained: str | None = None,
        head_dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, channels[0], 5, 2, 2, bias=False), nn.BatchNorm2d(channels[0]), nn.ReLU(inplace=True)
        )
        blocks, c_prev = [], channels[0]
        for i, c in enumerate(channels):
            blocks.append(ShiftBlock(c_prev, c, 1 if i == 0 else 2, shift))
            c_prev = c
        self.blocks = nn.ModuleList(blocks)
        self.feature_dim = c_prev
        self.head_dropout = head_dropout
        self.init_head(label_space)
        if pretrained:
            load_backbone(self, pretrained)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        n, t = x.shape[:2]
        y = self.stem(x.flatten(0, 1))
        for b in self.blocks:
            b.num_frames = t
            y = b(y)
        return y.mean(dim=(2, 3)).view(n, t, -1).mean(dim=1)


def load_backbone(model: nn.Module, path: str | Path, heads: bool = False) -> list[str]:
    """Load matching weights from a checkpoint file (the heads too when ``heads``, else they stay
    freshly initialised); returns the keys that were loaded."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"pretrained checkpoint {p} does not exist")
    state = torch.load(p, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "model" in state:
        state = state["model"]
    own = model.state_dict()
    keep = {
        k: v
        for k, v in state.items()
        if k in own and (heads or not k.startswith("head.")) and own[k].shape == v.shape
    }
    if not keep:
        raise ValueError(f"pretrained checkpoint {p} has no weights matching {type(model).__name__}")
    model.load_state_dict(keep, strict=False)
    return sorted(keep)


@register_model
def tsm_small(label_space: Any, **kw: Any) -> TSM:
    """TSM with a 4-stage residual CNN (16-32-64-128 channels) for 64-112 px frames."""
    return TSM(label_space, **{"shift": True, **kw})


@register_model
def tsn_small(label_space: Any, **kw: Any) -> TSM:
    """The same CNN without temporal shift (TSN-style average consensus)."""
    return TSM(label_space, **{"shift": False, **kw})
