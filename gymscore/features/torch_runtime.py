"""Running a replayed network with less Python per call (:mod:`gymscore.features.blazepose_torch`).

Replayed operator by operator, a network costs some Python for each of its ~140 operators, and that
Python holds the interpreter lock the decoding threads also need. Two ways around it, each checked
against the plain module when made, and given up (the plain module is returned) when it fails or
disagrees:

* :func:`traced`: TorchScript (``torch.jit.trace``): the operators run one after another in C++.
  Used on the CPU.
* :class:`CudaGraphs`: one CUDA graph per batch size in :data:`GRAPH_SIZES` (a batch is padded up to
  the next size), each captured when first needed: a call is one copy in, one replay, one copy out.
  Used on a CUDA GPU (``$GYMSCORE_POSE_CUDA_GRAPHS=0`` turns it off).
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

GRAPH_SIZES = (1, 2, 4, 8, 16, 32)
GRAPHS_ENV = "GYMSCORE_POSE_CUDA_GRAPHS"
CUDNN_ENV = "GYMSCORE_POSE_CUDNN"


def cudnn_wanted() -> bool:
    """Whether the pose networks' convolutions use cuDNN (``$GYMSCORE_POSE_CUDNN=1``; default off).
    Off, torch's own CUDA kernels run them: cuDNN makes a plan for each convolution shape the first
    time it meets it, and BlazePose's ~100 small convolutions made that 10 s of an analysis' start on
    an H200 (26.2 s end to end with it, 8.4 s without, warm calls as fast;
    bench/results/pose_startup_cuda.md)."""
    return os.environ.get(CUDNN_ENV, "0").strip() == "1"


_F32 = {"depth": 0, "before": True, "enabled": True}  # float32_math's state, shared by its threads
_F32_LOCK = threading.Lock()


@contextmanager
def float32_math() -> Iterator[None]:
    """Convolutions in full float32 inside (cuDNN's TF32 off; restored when the last thread inside
    leaves). On an H200, with TF32 on (the default there), CUDA graphs of the replayed networks at a
    padded batch size differed from the plain modules by up to 1.4 % of the outputs' scale
    (bench/results/pose_networks_cuda.md), most likely from TF32's rounding; the tracker would carry
    such differences on, and these networks are small: full precision costs little. cuDNN is off
    inside too, unless ``$GYMSCORE_POSE_CUDNN=1`` (:func:`cudnn_wanted`)."""
    import torch  # noqa: PLC0415

    cudnn = torch.backends.cudnn
    with _F32_LOCK:
        if _F32["depth"] == 0:
            _F32["before"], _F32["enabled"] = cudnn.allow_tf32, cudnn.enabled
            cudnn.allow_tf32 = False
            cudnn.enabled = cudnn.enabled and cudnn_wanted()
        _F32["depth"] += 1
    try:
        yield
    finally:
        with _F32_LOCK:
            _F32["depth"] -= 1
            if _F32["depth"] == 0:
                cudnn.allow_tf32, cudnn.enabled = _F32["before"], _F32["enabled"]


TOLERANCE = 1e-3  # largest difference allowed, relative to each output's largest magnitude (at least 1)


def difference(module: Any, fast: Any, shape: tuple[int, ...], device: Any, batch: int) -> float:
    """The largest difference between ``module``'s and ``fast``'s outputs on a random batch, relative to
    each output's largest magnitude (at least 1): float32 arithmetic in another order (another
    convolution algorithm, TF32 on a recent GPU) differs by about 1e-4 of that."""
    import torch  # noqa: PLC0415

    example = torch.rand(batch, *shape, generator=torch.Generator().manual_seed(0)).to(device)
    with torch.no_grad(), float32_math():
        pairs = [(a.float(), b.float()) for a, b in zip(module(example), fast(example), strict=True)]
    return max(float((a - b).abs().max()) / max(1.0, float(a.abs().max())) for a, b in pairs)


def _agrees(module: Any, fast: Any, shape: tuple[int, ...], device: Any, batch: int) -> bool:
    return difference(module, fast, shape, device, batch) <= TOLERANCE


def traced(module: Any, shape: tuple[int, ...], device: Any) -> tuple[Any, bool]:
    """``module`` traced into TorchScript, checked on a batch of three; (module, False) when tracing
    fails or the trace disagrees."""
    import torch  # noqa: PLC0415

    try:
        with warnings.catch_warnings(), torch.no_grad(), float32_math():
            warnings.simplefilter("ignore")  # deprecation and tracer notes: the check decides
            example = torch.rand(1, *shape).to(device)
            fast = torch.jit.trace(module, (example,), check_trace=False)
            ok = _agrees(module, fast, shape, device, 3)
    except Exception:  # noqa: BLE001 - TorchScript missing or refusing: the plain module works
        return module, False
    return (fast, True) if ok else (module, False)


def graphs_enabled() -> bool:
    """CUDA graphs unless ``$GYMSCORE_POSE_CUDA_GRAPHS`` is 0."""
    return os.environ.get(GRAPHS_ENV, "1").strip() != "0"


class CudaGraphs:
    """``module``'s forward captured as CUDA graphs, one per size in :data:`GRAPH_SIZES` (a batch is
    padded up to the next), each captured when first needed (:meth:`prepare` captures one ahead: the
    batch server knows its only size, so the others cost nothing). Calls must not overlap (the caller
    holds a lock) and each call's outputs are only valid until the next call. Bigger batches, and a
    size whose capture failed, run the module itself."""

    def __init__(self, module: Any, shape: tuple[int, ...], device: Any) -> None:
        self.module, self.shape, self.device = module, shape, device
        self.graphs: dict[int, tuple[Any, Any, list] | None] = {}  # None: capture failed, run the module

    def prepare(self, batch: int) -> bool:
        """Capture the graph that batches of ``batch`` rows use, unless done; False if it failed."""
        size = next((s for s in GRAPH_SIZES if s >= batch), None)
        if size is None:
            return False
        if size not in self.graphs:
            try:
                self.graphs[size] = self._capture(size)
            except Exception as exc:  # noqa: BLE001 - that size runs the plain module
                warnings.warn(f"CUDA graph capture failed for batches of {size} ({exc}); they run without",
                              RuntimeWarning, stacklevel=2)
                self.graphs[size] = None
        return self.graphs[size] is not None

    def _capture(self, size: int) -> tuple[Any, Any, list]:
        import torch  # noqa: PLC0415

        static = torch.zeros(size, *self.shape, device=self.device)
        side = torch.cuda.Stream(device=self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side), torch.no_grad(), float32_math():
            for _ in range(2):  # warm-up outside capture (cuDNN picks its algorithms)
                self.module(static)
        torch.cuda.current_stream(self.device).wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.no_grad(), float32_math(), torch.cuda.graph(graph):
            outs = list(self.module(static))
        return graph, static, outs

    def __call__(self, x: Any) -> list:
        n = int(x.shape[0])
        size = next((s for s in GRAPH_SIZES if s >= n), None)
        if size is None or not self.prepare(n):
            with float32_math():
                return list(self.module(x))
        graph, static, outs = self.graphs[size]  # type: ignore[misc]
        static[:n].copy_(x)
        if n < size:
            static[n:].zero_()
        graph.replay()
        return [o[:n] for o in outs]


def graphed(module: Any, shape: tuple[int, ...], device: Any, batch: int = 4) -> tuple[Any, bool]:
    """``module`` as :class:`CudaGraphs` with the graph for batches of ``batch`` rows captured and
    checked on a full batch of that size (the one shape the caller will use: each new shape costs the
    GPU libraries time at its first call); (module, False) when capture fails or the graphs disagree."""
    size = next((s for s in GRAPH_SIZES if s >= batch), GRAPH_SIZES[-1])
    try:
        fast = CudaGraphs(module, shape, device)
        fast.graphs[size] = fast._capture(size)  # (raises when this GPU or torch cannot capture)
        diff = difference(module, fast, shape, device, size)
    except Exception as exc:  # noqa: BLE001 - no graphs on this GPU or torch: the plain module works
        warnings.warn(f"CUDA graphs not used for a pose network: capture failed ({type(exc).__name__}: "
                      f"{exc})", RuntimeWarning, stacklevel=2)
        return module, False
    if diff > TOLERANCE:
        warnings.warn(f"CUDA graphs not used for a pose network: they differ from the module by {diff:.2g} "
                      f"(more than {TOLERANCE})", RuntimeWarning, stacklevel=2)
        return module, False
    return fast, True
