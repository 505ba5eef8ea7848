"""A TFLite network run by torch: the graph read from the ``.tflite`` file (``tflite``'s flatbuffer
bindings), its weights read out by LiteRT's interpreter (which undoes their float16 storage and
sparsity), and the operators replayed with torch so that frames can go through in batches on a GPU.

Only the operators and options BlazePose's two networks use are supported; anything else raises
:class:`UnsupportedGraph` naming the operator, so a new model file fails loudly rather than silently.
4-D tensors are kept channels-first inside (torch's layout) and turned back to TFLite's channels-last
order at the outputs; the axes of the operators that name one are mapped accordingly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

TFLITE_INSTALL = "pip install tflite==2.18.0"
_NHWC_TO_NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1}


class UnsupportedGraph(ValueError):
    """The model file uses an operator or option this replay does not implement."""


@dataclass
class Op:
    """One operator: its name, tensor indices and the options that matter here."""

    name: str
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Graph:
    """A TFLite model's single subgraph: operators in order, constant tensors, inputs and outputs."""

    ops: list[Op]
    constants: dict[int, np.ndarray]
    inputs: list[int]
    outputs: list[int]
    shapes: dict[int, tuple[int, ...]]


_ACTIVATIONS = {0: "none", 1: "relu", 3: "relu6"}


_SUPPORTED = ("CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "CONCATENATION", "MAX_POOL_2D", "RESIZE_BILINEAR",
              "DEPTH_TO_SPACE", "PAD", "RESHAPE", "LOGISTIC", "DEQUANTIZE", "DENSIFY")


def _options(op: Any, name: str) -> dict[str, Any]:
    import tflite  # noqa: PLC0415

    if name not in _SUPPORTED:
        raise UnsupportedGraph(f"operator {name}")
    table = op.BuiltinOptions()

    def read(cls: Any) -> Any:
        o = cls()
        o.Init(table.Bytes, table.Pos)
        return o

    if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):  # (a depth multiplier is the weights' shape: groups)
        o = read(tflite.Conv2DOptions if name == "CONV_2D" else tflite.DepthwiseConv2DOptions)
        out = {"same": o.Padding() == 0, "stride": (o.StrideH(), o.StrideW()),
               "dilation": (o.DilationHFactor(), o.DilationWFactor()), "act": o.FusedActivationFunction()}
    elif name == "ADD":
        out = {"act": read(tflite.AddOptions).FusedActivationFunction()}
    elif name == "CONCATENATION":
        o = read(tflite.ConcatenationOptions)
        out = {"axis": o.Axis(), "act": o.FusedActivationFunction()}
    elif name == "MAX_POOL_2D":
        o = read(tflite.Pool2DOptions)
        out = {"same": o.Padding() == 0, "stride": (o.StrideH(), o.StrideW()),
               "size": (o.FilterHeight(), o.FilterWidth()), "act": o.FusedActivationFunction()}
    elif name == "RESIZE_BILINEAR":
        o = read(tflite.ResizeBilinearOptions)
        if o.AlignCorners() or not o.HalfPixelCenters():
            raise UnsupportedGraph("RESIZE_BILINEAR without half-pixel centres")
        out = {}
    elif name == "DEPTH_TO_SPACE":
        out = {"block": read(tflite.DepthToSpaceOptions).BlockSize()}
    else:
        out = {}
    if out.get("act", 0) not in _ACTIVATIONS:
        raise UnsupportedGraph(f"{name} with fused activation {out['act']}")
    return out


def read_graph(path: Path) -> Graph:
    """The operators of ``path`` and its constants (float32, dense): a ValueError subclass names
    what cannot be replayed; ImportError when ``tflite`` or LiteRT is missing."""
    import tflite  # noqa: PLC0415
    from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: PLC0415

    model = tflite.Model.GetRootAsModel(Path(path).read_bytes(), 0)
    sub = model.Subgraphs(0)
    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    ops: list[Op] = []
    for i in range(sub.OperatorsLength()):
        raw = sub.Operators(i)
        code = model.OperatorCodes(raw.OpcodeIndex())
        name = names.get(max(code.BuiltinCode(), code.DeprecatedBuiltinCode()), "CUSTOM")
        ops.append(Op(name, [int(t) for t in raw.InputsAsNumpy()], [int(t) for t in raw.OutputsAsNumpy()],
                      _options(raw, name)))
    shapes = {i: tuple(int(s) for s in sub.Tensors(i).ShapeAsNumpy()) for i in range(sub.TensorsLength())
              if sub.Tensors(i).ShapeLength()}
    produced = {t for op in ops for t in op.outputs}
    # constants as the interpreter sees them once its DEQUANTIZE/DENSIFY ops have run (no delegate,
    # every tensor kept): plain constants, and what those operators make of the stored ones
    interp = Interpreter(model_path=str(path), experimental_preserve_all_tensors=True,
                         experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interp.allocate_tensors()
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
    interp.invoke()
    inputs = [int(t) for t in sub.InputsAsNumpy()]
    made = {t for op in ops if op.name in ("DEQUANTIZE", "DENSIFY") for t in op.outputs}
    constants: dict[int, np.ndarray] = {}
    for op in ops:
        for t in op.inputs:
            if t >= 0 and t not in inputs and (t not in produced or t in made) and t not in constants:
                value = interp.get_tensor(t)
                constants[t] = value.astype(np.float32) if value.dtype == np.float16 else value.copy()
    ops = [op for op in ops if op.name not in ("DEQUANTIZE", "DENSIFY")]
    return Graph(ops, constants, inputs, [int(t) for t in sub.OutputsAsNumpy()], shapes)


def _same_pad(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's SAME padding (before, after) along one axis: the extra pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def prune(graph: Graph, keep: list[int]) -> Graph:
    """``graph`` with only the outputs at positions ``keep`` and the operators they need."""
    outputs = [graph.outputs[k] for k in keep]
    needed, ops = set(outputs), []
    for op in reversed(graph.ops):
        if any(t in needed for t in op.outputs):
            ops.append(op)
            needed.update(t for t in op.inputs if t >= 0)
    ops.reverse()
    constants = {t: v for t, v in graph.constants.items() if t in needed}
    return Graph(ops, constants, graph.inputs, outputs, graph.shapes)


def build_module(graph: Graph) -> Any:
    """A ``torch.nn.Module`` replaying ``graph``: NHWC float input(s) in, the model's outputs out (in
    TFLite's shapes, the batch size free)."""
    import torch  # noqa: PLC0415
    import torch.nn.functional as F  # noqa: N812, PLC0415

    def act(x: torch.Tensor, code: int) -> torch.Tensor:
        """A fused activation, in place (``x`` is always a fresh result here)."""
        if code == 1:
            return x.clamp_(min=0.0)
        if code == 3:
            return x.clamp_(0.0, 6.0)
        return x

    def pad_same(x: torch.Tensor, kernel: tuple[int, int], stride: tuple[int, int],
                 dilation: tuple[int, int], value: float = 0.0) -> tuple[torch.Tensor, tuple[int, int]]:
        """``x`` padded for TensorFlow's SAME, and the symmetric padding left for the operator itself
        (cheaper than a padded copy)."""
        top, bottom = _same_pad(x.shape[2], kernel[0], stride[0], dilation[0])
        left, right = _same_pad(x.shape[3], kernel[1], stride[1], dilation[1])
        if top == bottom and left == right:
            return x, (top, left)
        return F.pad(x, (left, right, top, bottom), value=value), (0, 0)

    class Replay(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ops = graph.ops
            self.inputs, self.outputs = graph.inputs, graph.outputs
            self.static: dict[int, np.ndarray] = {}  # shapes, paddings: read on the host
            for op in graph.ops:
                for pos, t in enumerate(op.inputs):
                    if t not in graph.constants:
                        continue
                    value = graph.constants[t]
                    if op.name in ("PAD", "RESHAPE", "RESIZE_BILINEAR") and pos > 0:
                        self.static[t] = value
                        continue
                    if op.name == "CONV_2D" and pos == 1:  # OHWI -> OIHW
                        value = value.transpose(0, 3, 1, 2)
                    elif op.name == "DEPTHWISE_CONV_2D" and pos == 1:  # 1HWC -> C1HW
                        value = value.transpose(3, 0, 1, 2)
                    elif value.ndim == 4:
                        value = value.transpose(0, 3, 1, 2)
                    self.register_buffer(f"c{t}", torch.from_numpy(np.ascontiguousarray(value)))

        def forward(self, *xs: torch.Tensor) -> list[torch.Tensor]:
            env: dict[int, torch.Tensor] = {}
            for t, x in zip(self.inputs, xs, strict=True):
                env[t] = x.permute(0, 3, 1, 2) if x.dim() == 4 else x

            def get(t: int) -> torch.Tensor:
                return env[t] if t in env else getattr(self, f"c{t}")

            for op in self.ops:
                o = op.options
                if op.name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
                    x, w = get(op.inputs[0]), get(op.inputs[1])
                    bias = get(op.inputs[2]) if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
                    pad = (0, 0)
                    if o["same"]:
                        x, pad = pad_same(x, tuple(w.shape[2:]), o["stride"], o["dilation"])
                    groups = x.shape[1] if op.name == "DEPTHWISE_CONV_2D" else 1
                    y = act(F.conv2d(x, w, bias, o["stride"], pad, o["dilation"], groups), o["act"])
                elif op.name == "ADD":
                    y = act(get(op.inputs[0]) + get(op.inputs[1]), o["act"])
                elif op.name == "PAD":
                    p = self.static[op.inputs[1]]
                    x = get(op.inputs[0])
                    if x.dim() != 4:
                        raise UnsupportedGraph("PAD of a tensor that is not 4-D")
                    y = F.pad(x, (int(p[2, 0]), int(p[2, 1]), int(p[1, 0]), int(p[1, 1]),
                                  int(p[3, 0]), int(p[3, 1]), int(p[0, 0]), int(p[0, 1])))
                elif op.name == "RESHAPE":
                    x = get(op.inputs[0])
                    if x.dim() == 4:
                        x = x.permute(0, 2, 3, 1)
                    shape = [int(s) for s in self.static[op.inputs[1]]] if len(op.inputs) > 1 \
                        else list(graph.shapes[op.outputs[0]])
                    y = x.reshape([x.shape[0], *shape[1:]])
                    if y.dim() == 4:
                        y = y.permute(0, 3, 1, 2)
                elif op.name == "RESIZE_BILINEAR":
                    size = [int(s) for s in self.static[op.inputs[1]]]
                    y = F.interpolate(get(op.inputs[0]), size=size, mode="bilinear", align_corners=False)
                elif op.name == "CONCATENATION":
                    parts = [get(t) for t in op.inputs]
                    axis = o["axis"] % parts[0].dim()
                    if parts[0].dim() == 4:
                        axis = _NHWC_TO_NCHW_AXIS[axis]
                    y = act(torch.cat(parts, dim=axis), o["act"])
                elif op.name == "MAX_POOL_2D":
                    x = get(op.inputs[0])
                    pad = (0, 0)
                    if o["same"]:
                        x, pad = pad_same(x, o["size"], o["stride"], (1, 1), value=float("-inf"))
                    y = act(F.max_pool2d(x, o["size"], o["stride"], pad), o["act"])
                elif op.name == "DEPTH_TO_SPACE":
                    x = get(op.inputs[0])
                    b, c, h, w = x.shape
                    r = o["block"]
                    y = (x.reshape(b, r, r, c // (r * r), h, w).permute(0, 3, 4, 1, 5, 2)
                         .reshape(b, c // (r * r), h * r, w * r))
                elif op.name == "LOGISTIC":
                    y = torch.sigmoid(get(op.inputs[0]))
                else:  # read_graph refuses the rest
                    raise UnsupportedGraph(f"operator {op.name}")
                env[op.outputs[0]] = y
            return [env[t].permute(0, 2, 3, 1) if env[t].dim() == 4 else env[t] for t in self.outputs]

    return Replay()
