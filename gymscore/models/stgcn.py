"""ST-GCN-style skeleton classifier over the 17-joint graph of :mod:`gymscore.skeleton`.

Input: (N, C=5, T, V=17) per-joint channels from :func:`gymscore.features.posefeat.features_to_joint_channels`
(normalised x, y, their velocities and visibility).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from gymscore.models.heads import ClassifierBase
from gymscore.models.registry import register_model
from gymscore.skeleton import BONES, NUM_JOINTS


def skeleton_adjacency(num_joints: int = NUM_JOINTS) -> np.ndarray:
    """Spatial-partition adjacency (3, V, V): self links, inward (to parent), outward (to child)."""
    eye = np.eye(num_joints)
    inward = np.zeros((num_joints, num_joints))
    outward = np.zeros((num_joints, num_joints))
    for parent, child in BONES:
        inward[child, parent] = 1.0
        outward[parent, child] = 1.0

    def norm(a: np.ndarray) -> np.ndarray:
        deg = a.sum(axis=0)
        inv = np.where(deg > 0, 1.0 / np.maximum(deg, 1e-9), 0.0)
        return a * inv[None, :]

    return np.stack([eye, norm(inward), norm(outward)]).astype(np.float32)


class GraphConv(nn.Module):
    def __init__(self, c_in: int, c_out: int, num_subsets: int) -> None:
        super().__init__()
        self.num_subsets = num_subsets
        self.conv = nn.Conv2d(c_in, c_out * num_subsets, kernel_size=1)

    def forward(self, x: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
        n, _, t, v = x.shape
        y = self.conv(x).view(n, self.num_subsets, -1, t, v)
        return torch.einsum("nkctv,kvw->nctw", y, adj)


class STGCNBlock(nn.Module):
    def __init__(
        self, c_in: int, c_out: int, stride: int, num_subsets: int, kernel_t: int = 9, dropout: float = 0.1
    ) -> None:
        super().__init__()
        self.gcn = GraphConv(c_in, c_out, num_subsets)
        pad = (kernel_t - 1) // 2
        self.tcn = nn.Sequential(
            nn.BatchNorm2d(c_out),
            nn.ReLU(inplace=True),
            nn.Conv2d(c_out, c_out, (kernel_t, 1), (stride, 1), (pad, 0)),
            nn.BatchNorm2d(c_out),
            nn.Dropout(dropout),
        )
        if c_in == c_out and stride == 1:
            self.residual: nn.Module = nn.Identity()
        else:
            self.residual = nn.Sequential(nn.Conv2d(c_in, c_out, 1, (stride, 1)), nn.BatchNorm2d(c_out))
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor, adj: torch.Tensor) -> torch.Tensor:
        return self.relu(self.tcn(self.gcn(x, adj)) + self.residual(x))


class _GraphBase(ClassifierBase):
    """Shared front end: data batch-norm and graph-temporal blocks with learnable edge weights."""

    def _init_graph(self, in_channels: int, channels: tuple[int, ...], strides: tuple[int, ...],
                    kernel_t: int, dropout: float) -> int:
        """Build the front end; returns its output channels."""
        adj = torch.from_numpy(skeleton_adjacency())
        self.register_buffer("adj", adj)
        self.data_bn = nn.BatchNorm1d(in_channels * NUM_JOINTS)
        blocks = []
        c_prev = in_channels
        for c, s in zip(channels, strides, strict=True):
            blocks.append(STGCNBlock(c_prev, c, s, adj.shape[0], kernel_t=kernel_t, dropout=dropout))
            c_prev = c
        self.blocks = nn.ModuleList(blocks)
        self.edge_importance = nn.ParameterList([nn.Parameter(torch.ones_like(adj)) for _ in blocks])
        return c_prev

    def _graph_forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, T, V) input -> (N, C', T', V) front-end features."""
        n, c, t, v = x.shape
        x = self.data_bn(x.permute(0, 1, 3, 2).reshape(n, c * v, t)).view(n, c, v, t).permute(0, 1, 3, 2)
        for block, imp in zip(self.blocks, self.edge_importance, strict=True):
            x = block(x, self.adj * imp)
        return x


class STGCN(_GraphBase):
    """A small ST-GCN: the graph front end, then mean pooling over time and joints."""

    def __init__(
        self,
        label_space: Any,
        in_channels: int = 5,
        channels: tuple[int, ...] = (32, 32, 64, 64),
        strides: tuple[int, ...] = (1, 1, 2, 1),
        dropout: float = 0.1,
        head_dropout: float = 0.2,
        kernel_t: int = 9,
    ) -> None:
        super().__init__()
        self.feature_dim = self._init_graph(in_channels, channels, strides, kernel_t, dropout)
        self.head_dropout = head_dropout
        self.init_head(label_space)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self._graph_forward(x).mean(dim=(2, 3))


def _strides(n: int, pattern: tuple[int, ...]) -> tuple[int, ...]:
    """``pattern`` cut or padded with stride 1 to ``n`` blocks."""
    return tuple(pattern[:n]) + (1,) * max(0, n - len(pattern))


@register_model
def stgcn_small(label_space: Any, **kw: Any) -> STGCN:
    """CPU-friendly ST-GCN: channels 16-32-64, temporal strides 1-2-2, temporal kernel 5 (~40 k
    parameters); the shipped default classifier."""
    kw.setdefault("channels", (16, 32, 64))
    kw.setdefault("strides", _strides(len(kw["channels"]), (1, 2, 2)))
    kw.setdefault("kernel_t", 5)
    return STGCN(label_space, **kw)


@register_model
def stgcn_base(label_space: Any, **kw: Any) -> STGCN:
    """ST-GCN with channels 64-64-128-128-256 and temporal kernel 9 (for GPU training)."""
    kw.setdefault("channels", (64, 64, 128, 128, 256))
    kw.setdefault("strides", _strides(len(kw["channels"]), (1, 1, 2, 1, 2)))
    return STGCN(label_space, **kw)


class TemporalBlock(nn.Module):
    """Residual dilated 1D convolution over time."""

    def __init__(self, channels: int, dilation: int, dropout: float) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation),
            nn.BatchNorm1d(channels),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Conv1d(channels, channels, 1),
            nn.BatchNorm1d(channels),
        )
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(x + self.body(x))


class STGCNTemporal(_GraphBase):
    """ST-GCN graph blocks over the joints, then a dilated temporal network over the whole clip.

    The graph blocks see each joint's neighbourhood at full temporal resolution; their output is
    flattened over joints and squeezed to ``temporal_channels``; dilated residual convolutions
    (receptive field over the whole clip) follow, and mean and max pooling over time feed the heads.
    Counting rotations (saltos, twists, turns) needs the whole clip in view, which the plain
    ST-GCN's local pooling does not give.
    """

    def __init__(
        self,
        label_space: Any,
        in_channels: int = 8,
        channels: tuple[int, ...] = (32, 64),
        kernel_t: int = 5,
        temporal_channels: int = 192,
        dilations: tuple[int, ...] = (1, 2, 4, 8),
        dropout: float = 0.1,
        head_dropout: float = 0.3,
    ) -> None:
        super().__init__()
        c_prev = self._init_graph(in_channels, channels, (1,) * len(channels), kernel_t, dropout)
        self.squeeze = nn.Sequential(
            nn.Conv1d(c_prev * NUM_JOINTS, temporal_channels, 1),
            nn.BatchNorm1d(temporal_channels),
            nn.ReLU(inplace=True),
        )
        self.temporal = nn.Sequential(*[TemporalBlock(temporal_channels, d, dropout) for d in dilations])
        self.feature_dim = 2 * temporal_channels
        self.head_dropout = head_dropout
        self.init_head(label_space)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = self._graph_forward(x)
        n, _, t, _ = x.shape
        x = x.permute(0, 1, 3, 2).reshape(n, -1, t)  # (n, C*V, T)
        x = self.temporal(self.squeeze(x))
        return torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1)


@register_model
def stgcn_temporal(label_space: Any, **kw: Any) -> STGCNTemporal:
    """ST-GCN front end (32-64, full temporal resolution) + dilated temporal convolutions (192) with
    mean and max pooling (~0.6 M parameters); takes the 8-channel v2 clips by default."""
    kw["channels"] = tuple(kw.get("channels", (32, 64)))
    kw["dilations"] = tuple(kw.get("dilations", (1, 2, 4, 8)))
    return STGCNTemporal(label_space, **kw)
