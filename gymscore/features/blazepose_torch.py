"""BlazePose on a GPU: the same two networks as :mod:`gymscore.features.blazepose`, replayed by torch
(:mod:`gymscore.features.tflite_torch`), with the calls of several tracking threads run together.

LiteRT runs one frame at a time on one core; a GPU wants many frames at once. So the video's ranges
are tracked by threads of one process (:mod:`gymscore.features.threaded`), each with its own
:class:`TorchBlazePose` (its own tracking state, the same steps around the networks as LiteRT's
backend), and all of them hand their network inputs to one :class:`BatchServer`, which runs the calls
that queued while the last batch ran as the next one and hands each thread its rows back. The outputs
equal LiteRT's within float rounding (tests/test_blazepose_torch.py).

Device: ``$GYMSCORE_POSE_DEVICE`` (``cuda``, ``cpu``...) or CUDA when there is one. On a GPU
out-of-memory error the networks move to the CPU, with a warning, and the analysis goes on.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gymscore.features.blazepose import (
    DETECTOR_FILE,
    LANDMARK_FILE,
    LiteBlazePose,
    backend_version,
    mediapipe_model_dir,
)
from gymscore.features.pose import PoseBackendError

DEVICE_ENV = "GYMSCORE_POSE_DEVICE"
CONVERTER_VERSION = "1"  # bump when tflite_torch's reading of a file changes (cache key)
_DETECTOR_OUTPUTS = [0, 1]  # boxes, score logits
_LANDMARK_OUTPUTS = [0, 1, 3]  # landmarks, presence, heatmap (not the segmentation mask)


def pose_device() -> str:
    """The torch device the networks run on: ``$GYMSCORE_POSE_DEVICE``, else CUDA when available."""
    import torch  # noqa: PLC0415

    chosen = os.environ.get(DEVICE_ENV, "").strip()
    if chosen:
        return chosen
    return "cuda" if torch.cuda.is_available() else "cpu"


def _graph(path: Path, keep: list[int]) -> Any:
    """The pruned graph of ``path``, read once and then kept in the cache folder (reading takes
    about a second; the cached copy a few milliseconds)."""
    from gymscore.features import tflite_torch  # noqa: PLC0415
    from gymscore.paths import cache_dir  # noqa: PLC0415
    from gymscore.util.atomic import atomic_write_bytes  # noqa: PLC0415

    data = path.read_bytes()
    key = hashlib.sha256(data + f"{CONVERTER_VERSION}{keep}".encode()).hexdigest()[:24]
    cached = cache_dir() / "tflite_torch" / f"{path.stem}-{key}.pkl"
    if cached.is_file():
        try:
            return pickle.loads(cached.read_bytes())
        except Exception:  # noqa: BLE001 - a damaged cache entry is rebuilt
            pass
    try:
        graph = tflite_torch.prune(tflite_torch.read_graph(path), keep)
    except ImportError as exc:
        raise PoseBackendError(f"the torch pose backend reads {path.name} with the tflite package ({exc}); "
                               f"install it with: {tflite_torch.TFLITE_INSTALL}") from exc
    except ValueError as exc:
        raise PoseBackendError(f"{path}: {exc}") from exc
    try:
        atomic_write_bytes(cached, pickle.dumps(graph))
    except OSError:  # a read-only or full cache: convert again next time
        pass
    return graph


_SHAPES = {"det": (224, 224, 3), "lm": (256, 256, 3)}


class TorchNets:
    """Both networks as torch modules on one device, run on batches (numpy in, numpy out). With
    ``fast`` they run as TorchScript on the CPU and as CUDA graphs on a GPU
    (:mod:`gymscore.features.torch_runtime`) where that works; ``mode`` says what each runs as."""

    def __init__(self, device: str, fast: bool = True, batch: int = 4) -> None:
        """``batch``: the batch size calls will mostly have (on a GPU its CUDA graphs are made first)."""
        import torch  # noqa: PLC0415

        from gymscore.features import tflite_torch  # noqa: PLC0415

        folder = mediapipe_model_dir()
        self.modules = {
            "det": tflite_torch.build_module(_graph(folder / DETECTOR_FILE, _DETECTOR_OUTPUTS)).eval(),
            "lm": tflite_torch.build_module(_graph(folder / LANDMARK_FILE, _LANDMARK_OUTPUTS)).eval(),
        }
        self.lock = threading.Lock()
        self.batch = batch
        self._move(torch.device(device), fast)

    def _move(self, device: Any, fast: bool) -> None:
        from gymscore.features import torch_runtime  # noqa: PLC0415

        self.device = device
        self.runners: dict[str, Any] = {}
        self.mode: dict[str, str] = {}
        for kind, module in self.modules.items():
            module.to(device)
            runner, how = module, "eager"
            if fast and device.type == "cuda" and torch_runtime.graphs_enabled():
                runner, ok = torch_runtime.graphed(module, _SHAPES[kind], device, self.batch)
                how = "cuda graphs" if ok else how
            if fast and how == "eager":  # the CPU, or a GPU without graphs: no Python between operators
                runner, ok = torch_runtime.traced(module, _SHAPES[kind], device)
                how = "torchscript" if ok else how
            self.runners[kind], self.mode[kind] = runner, how

    def prepare(self, batch: int) -> None:
        """Make ready for batches of ``batch`` rows ahead of the first call (the CUDA graphs of that
        size; nothing on the CPU)."""
        with self.lock:
            for runner in self.runners.values():
                if hasattr(runner, "prepare"):
                    runner.prepare(batch)

    def run(self, kind: str, batch: np.ndarray, rows: int | None = None) -> list[np.ndarray]:
        """Outputs of the detector (``kind`` "det": boxes (B, 2254, 12), logits (B, 2254)) or the
        landmark network ("lm": landmarks (B, 195), presence (B,), heatmaps (B, 64, 64, 39)) for a
        batch of uint8 RGB images (B, 224 or 256, same, 3). ``rows``: only the first ``rows`` rows'
        outputs are wanted (the rest pads the batch); the others never leave the device."""
        import torch  # noqa: PLC0415

        with self.lock:
            try:
                return self._forward(kind, batch, rows)
            except torch.cuda.OutOfMemoryError:
                if self.device.type != "cuda":
                    raise
                if torch.cuda.is_available():
                    torch.cuda.empty_cache()
                warnings.warn(f"the GPU ran out of memory for the pose networks (batch of {len(batch)}); "
                              "they go on on the CPU", RuntimeWarning, stacklevel=2)
                self._move(torch.device("cpu"), fast=False)
                return self._forward(kind, batch, rows)

    def _forward(self, kind: str, batch: np.ndarray, rows: int | None = None) -> list[np.ndarray]:
        import torch  # noqa: PLC0415

        from gymscore.features.torch_runtime import float32_math  # noqa: PLC0415

        with torch.no_grad(), float32_math():
            x = torch.from_numpy(batch).to(self.device).float()  # uint8 over the bus: a quarter of float32
            x = x / 127.5 - 1.0 if kind == "det" else x / 255.0  # as LiteRunner scales them
            # (a landmark row's heatmap is 640 KB: padding rows are cut on the device, not after the copy)
            outs = [o[:rows].float().cpu().numpy() for o in self.runners[kind](x)]
        if kind == "det":
            return [outs[0], outs[1][..., 0]]
        return [outs[0], outs[1].reshape(-1), outs[2]]


_NETS: dict[str, TorchNets] = {}
_NETS_LOCK = threading.Lock()


def shared_nets(device: str | None = None, batch: int = 4) -> TorchNets:
    """The process' networks on ``device`` (default :func:`pose_device`), loaded on first use, then
    ready for batches of ``batch`` rows (see :class:`TorchNets`)."""
    device = device or pose_device()
    with _NETS_LOCK:
        if device not in _NETS:
            _NETS[device] = TorchNets(device, batch=batch)
        return _NETS[device]


@dataclass(eq=False)  # compared by identity
class _Request:
    kind: str
    array: np.ndarray
    wake: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    result: Any = None
    error: BaseException | None = None


class BatchServer:
    """Runs the network calls of the threads that use it, together as batches, without waiting.

    A call that finds the networks idle runs at once. Calls that arrive while a batch runs queue up;
    when it ends, the owner of the oldest queued call is woken to run all queued calls as the next
    batch (per network, at most ``max_batch`` at a time). So the device is never kept waiting for
    stragglers, and batches grow by themselves when calls come faster than one batch takes.

    Batches are padded with blank images to ``pad_to`` rows (the number of threads): a network's
    rounding can depend on the batch size, and the tracking carries such differences on, so a batch
    size that varied with timing would make two analyses of one video differ. Rows do not depend on
    each other, so with the size fixed the result is the same however the calls were grouped.
    """

    def __init__(self, nets: TorchNets | None = None, max_batch: int = 32, pad_to: int = 1) -> None:
        """``nets``: None loads :func:`shared_nets` at the first call (an analysis whose features
        come from the cache never loads them)."""
        self.nets, self.max_batch, self.pad_to = nets, max_batch, max(1, min(pad_to, max_batch))
        if nets is not None and hasattr(nets, "prepare"):
            nets.prepare(self.pad_to)  # every batch has this size: its CUDA graphs now, not mid-run
        self.lock = threading.Lock()
        self.pending: list[_Request] = []
        self.busy = False
        self.batches = 0
        self.items = 0

    def run(self, kind: str, array: np.ndarray) -> list[np.ndarray]:
        """The outputs (one row each) of network ``kind`` for one input."""
        req = _Request(kind, array)
        with self.lock:
            self.pending.append(req)
            lead = not self.busy
            self.busy = True
        if not lead:
            req.wake.wait()  # a result, or the turn to run the queue
        if not req.finished:
            self._lead()
        if req.error is not None:
            raise req.error
        return req.result

    def _lead(self) -> None:
        with self.lock:
            batch, self.pending = self.pending, []
        self._execute(batch)
        with self.lock:
            nxt = self.pending[0] if self.pending else None
            self.busy = nxt is not None
        if nxt is not None:
            nxt.wake.set()  # its owner runs the queue (its request not finished: it leads)

    def _execute(self, batch: list[_Request]) -> None:
        for kind in ("det", "lm"):
            group = [r for r in batch if r.kind == kind]
            for i in range(0, len(group), self.max_batch):
                part = group[i:i + self.max_batch]
                try:
                    rows = [r.array for r in part]
                    rows += [np.zeros_like(rows[0])] * (self.pad_to - len(rows))
                    if self.nets is None:
                        self.nets = shared_nets()
                    outs = self.nets.run(kind, np.stack(rows), rows=len(part))
                    for k, r in enumerate(part):
                        r.result = [o[k] for o in outs]
                except BaseException as exc:  # noqa: BLE001 - handed to every caller in the batch
                    for r in part:
                        r.error = exc
                with self.lock:
                    self.batches += 1
                    self.items += len(part)
                for r in part:
                    r.finished = True
                    r.wake.set()


def server_for(nets: Any, clients: int) -> BatchServer:
    """The :class:`BatchServer` of ``clients`` trackers (threads or served processes): on a GPU their
    calls batched and padded to ``clients`` rows; on the CPU one call at a time (a CPU gains little
    from batches)."""
    on_gpu = nets.device.type != "cpu"
    return BatchServer(nets, max_batch=32 if on_gpu else 1, pad_to=clients if on_gpu else 1)


class BatchedRunner:
    """The runner interface of :class:`gymscore.features.blazepose.LiteRunner`, through a server."""

    def __init__(self, server: BatchServer) -> None:
        self.server = server

    def detector_outputs(self, canvas: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raw, logits = self.server.run("det", canvas)
        return raw, logits

    def landmark_outputs(self, tensor: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        points, presence, heat = self.server.run("lm", tensor)
        return float(presence), points, heat


def check_available() -> None:
    """:class:`PoseBackendError` naming what is missing when the backend cannot load (the model
    files, or the packages that read them), without loading anything."""
    import importlib.util  # noqa: PLC0415

    from gymscore.features import tflite_torch  # noqa: PLC0415
    from gymscore.features.blazepose import LITERT_INSTALL  # noqa: PLC0415

    mediapipe_model_dir()
    for module, install in (("tflite", tflite_torch.TFLITE_INSTALL), ("ai_edge_litert", LITERT_INSTALL)):
        if importlib.util.find_spec(module) is None:
            raise PoseBackendError(f"the torch pose backend reads BlazePose's model files with {module}, "
                                   f"which is not installed; install it with: {install}")


class TorchBlazePose(LiteBlazePose):
    """:class:`LiteBlazePose` with the networks run by torch through a :class:`BatchServer` (its
    own, one client, when none is given)."""

    name = "torch-blazepose-full"

    def __init__(self, server: BatchServer | None = None, **kwargs: Any) -> None:
        check_available()
        self.server = server if server is not None else BatchServer()  # (networks loaded when used)
        super().__init__(runner=BatchedRunner(self.server), **kwargs)


def estimator_id() -> str:
    """``name/version`` of :class:`TorchBlazePose` without loading it."""
    return f"{TorchBlazePose.name}/{backend_version()}"
