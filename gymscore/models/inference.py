"""Inference runners for the segmenter and the element classifier.

Device choice: CUDA, then Apple MPS, then CPU. On CUDA the forward pass runs under autocast (float16);
on ``torch.cuda.OutOfMemoryError`` a runner moves to the CPU, warns, and carries on. All
preprocessing constants (fps, clip length, normalisation) come from the model's manifest.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import numpy as np
import torch

from gymscore.features.posefeat import CLIP_CHANNELS_V1, pose_features, resample_pose, skeleton_clip
from gymscore.models.manifest import ModelManifest, find_model, selected_models, verify_weights
from gymscore.models.registry import create_model

DEVICES = ("auto", "cpu", "cuda", "mps")


def pick_device(preference: str = "auto") -> torch.device:
    """A torch device: ``auto`` picks CUDA, then MPS, then CPU; a named one must be available."""
    if preference not in DEVICES:
        raise ValueError(f"unknown device {preference!r}; use one of {', '.join(DEVICES)}")
    mps_ok = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if preference == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if mps_ok else torch.device("cpu")
    if preference == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for but no CUDA GPU is available; use --device auto or cpu")
    if preference == "mps" and not mps_ok:
        raise ValueError(
            "device 'mps' was asked for but Apple MPS is not available; use --device auto or cpu"
        )
    return torch.device(preference)


def load_weights(manifest: ModelManifest, device: torch.device) -> torch.nn.Module:
    """Build the manifest's architecture and load its (sha256-checked) weights."""
    verify_weights(manifest)
    kwargs = dict(manifest.model_kwargs)
    if manifest.task == "classifier":
        kwargs["label_space"] = manifest.label_space
    model = create_model(manifest.architecture, **kwargs)
    state = torch.load(manifest.weights_path, map_location="cpu", weights_only=True)
    if isinstance(state, dict) and "model" in state:
        state = state["model"]
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.to(device).eval()


class _Runner:
    def __init__(self, model: torch.nn.Module, manifest: ModelManifest, device: torch.device) -> None:
        self.model, self.manifest, self.device = model, manifest, device

    def _run(self, fn: Callable[[torch.device], Any]) -> Any:
        """Call ``fn(device)`` under no_grad (+ autocast on CUDA); retry on the CPU after CUDA OOM."""
        try:
            with torch.no_grad(), self._autocast():
                return fn(self.device)
        except torch.cuda.OutOfMemoryError:
            warnings.warn(
                f"model {self.manifest.name!r}: the GPU ran out of memory; continuing on the CPU (slower)",
                RuntimeWarning,
                stacklevel=3,
            )
            torch.cuda.empty_cache()
            self.device = torch.device("cpu")
            self.model.to(self.device)
            with torch.no_grad():
                return fn(self.device)

    def _autocast(self) -> Any:
        if self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.float16)
        return nullcontext()


class SegmenterRunner(_Runner):
    """Per-frame set/background probabilities and sub-action segments from per-frame pose features."""

    def __init__(self, model: torch.nn.Module, manifest: ModelManifest, device: torch.device) -> None:
        super().__init__(model, manifest, device)
        self.label_space: list[Any] = list(manifest.label_space["labels"])
        self.fps = float(manifest.input.get("fps", 25.0))
        self._last: tuple[np.ndarray, np.ndarray] | None = None

    def predict_full(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(probs (T, C), boundary probability (T,)) for features (T, F) sampled at ``self.fps``."""
        f = np.asarray(features, dtype=np.float32)
        expect = int(self.manifest.input.get("feature_dim", f.shape[-1]))
        if f.ndim != 2 or f.shape[1] != expect:
            raise ValueError(
                f"segmenter {self.manifest.name!r} expects features (T, {expect}), got {f.shape}"
            )
        if len(f) == 0:
            return np.zeros((0, len(self.label_space)), np.float32), np.zeros(0, np.float32)

        def fwd(dev: torch.device) -> torch.Tensor:
            x = torch.from_numpy(f.T.copy())[None].to(dev)
            return self.model(x)[-1][0].float().cpu()

        out = self._run(fwd)
        probs = torch.softmax(out[:-1], dim=0).T.numpy()
        boundary = torch.sigmoid(out[-1]).numpy()
        self._last = (probs, boundary)
        return probs, boundary

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Probabilities (T, C) over :attr:`label_space` (the boundary output is kept for :meth:`decode`)."""
        return self.predict_full(features)[0]

    def decode(
        self,
        probs: np.ndarray,
        min_len: int = 5,
        boundary: np.ndarray | None = None,
        boundary_threshold: float = 0.5,
    ) -> list[tuple[int, int, int, float]]:
        """Segments ``(start, end_excl, set_id, confidence)``; uses the boundary output of the last
        :meth:`predict` on these probabilities to split consecutive elements of the same set."""
        if boundary is None and self._last is not None and self._last[0] is probs:
            boundary = self._last[1]
        return decode_segments(probs, self.label_space, min_len, boundary, boundary_threshold)

    def segment(
        self,
        joints2d: np.ndarray,
        visibility: np.ndarray,
        frame_size: tuple[int, int],
        fps: float,
        min_len: int | None = None,
        apparatus: str | None = None,
    ) -> list[tuple[int, int, int, float]]:
        """Convenience: resample a pose track to the model's fps, predict, decode, map frames back.

        ``apparatus`` (VT/FX/BB/UB, or ``"auto"``: the one whose sets carry the most probability) keeps
        only that apparatus' sets before decoding, as the pipeline does; None keeps every set.
        """
        T = len(joints2d)
        n = max(1, int(round(T * self.fps / fps))) if T else 0
        if n == 0:
            return []
        j, v = resample_pose(joints2d, visibility, n) if n != T else (joints2d, visibility)
        probs, bnd = self.predict_full(pose_features(j, v, frame_size))
        if apparatus is not None:
            probs = restrict_probs(probs, self.label_space, apparatus)
        ml = int(min_len if min_len is not None else self.manifest.input.get("min_segment_frames", 5))
        segs = decode_segments(probs, self.label_space, ml, bnd)
        ratio = T / n
        out = []
        for s, e, sid, conf in segs:
            a, b = int(round(s * ratio)), min(T, int(round(e * ratio)))
            if b > a:
                out.append((a, b, sid, conf))
        return out


def restrict_probs(probs: np.ndarray, label_space: list[Any], apparatus: str) -> np.ndarray:
    """Zero the sets of other apparatus and renormalise (``"auto"``: the apparatus of most mass)."""
    from gymscore.models.labels import event_of_set

    events = [None if lab == "background" else event_of_set(int(lab)) for lab in label_space]
    if apparatus == "auto":
        mass: dict[str, float] = {}
        for k, ev in enumerate(events):
            if ev is not None:
                mass[ev] = mass.get(ev, 0.0) + float(probs[:, k].sum())
        apparatus = max(mass, key=mass.get) if mass else "FX"
    keep = np.array([ev is None or ev == apparatus for ev in events])
    out = probs * keep[None, :]
    return out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    if len(labels) == 0:
        return []
    change = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(labels)]])
    return [(int(s), int(e), int(labels[s])) for s, e in zip(starts, ends, strict=True)]


def mirror_pose(joints2d: np.ndarray, visibility: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same pose track seen in a mirror: x negated, left and right joints swapped."""
    from gymscore.data.augment import mirror

    j = np.asarray(joints2d, dtype=np.float32)
    return mirror(j, np.asarray(visibility, dtype=np.float32), 0.0)


def decode_segments(
    probs: np.ndarray,
    label_space: list[Any],
    min_len: int = 5,
    boundary: np.ndarray | None = None,
    boundary_threshold: float = 0.5,
) -> list[tuple[int, int, int, float]]:
    """Frame-wise argmax -> runs; runs shorter than ``min_len`` join their longer neighbour; set runs are
    split at boundary peaks above ``boundary_threshold``; background runs are dropped."""
    p = np.asarray(probs, dtype=np.float64)
    labels = p.argmax(axis=1) if len(p) else np.zeros(0, int)
    runs = _runs(labels)
    changed = True
    while changed and len(runs) > 1:
        changed = False
        i = min(range(len(runs)), key=lambda k: runs[k][1] - runs[k][0])
        s, e, _ = runs[i]
        if e - s >= min_len:
            break
        left = runs[i - 1] if i > 0 else None
        right = runs[i + 1] if i + 1 < len(runs) else None
        if left is None or (right is not None and right[1] - right[0] > left[1] - left[0]):
            labels[s:e] = right[2]  # type: ignore[index]
        else:
            labels[s:e] = left[2]
        runs = _runs(labels)
        changed = True
    out = []
    for s, e, lab in runs:
        if label_space[lab] == "background":
            continue
        cuts = [s]
        if boundary is not None:
            b = np.asarray(boundary)
            for t in range(s + min_len, e - min_len + 1):
                lo, hi = max(s, t - 2), min(e, t + 3)
                if b[t] >= boundary_threshold and b[t] == b[lo:hi].max() and t - cuts[-1] >= min_len:
                    cuts.append(t)
        cuts.append(e)
        for a, z in zip(cuts, cuts[1:], strict=False):
            out.append((a, z, int(label_space[lab]), float(p[a:z, lab].mean())))
    return out


class ClassifierRunner(_Runner):
    """Element, set, event and attribute probabilities for segments (skeleton or RGB models)."""

    def __init__(self, model: torch.nn.Module, manifest: ModelManifest, device: torch.device) -> None:
        super().__init__(model, manifest, device)
        ls = manifest.label_space
        self.element_ids: list[str] = list(ls["element_ids"])
        self.set_ids: list[int] = [int(s) for s in ls["set_ids"]]
        self.events: list[str] = list(ls["events"])
        self.attributes: dict[str, list[str]] = {k: list(v) for k, v in ls.get("attributes", {}).items()}
        self.modality = manifest.input.get("modality", "skeleton")
        self.clip_len = int(manifest.input.get("clip_len", 32))
        self.fps = float(manifest.input.get("fps", 25.0))
        self.batch_size = int(manifest.input.get("batch_size", 64))
        self.channels = tuple(manifest.input.get("channels", CLIP_CHANNELS_V1))
        # average with the mirrored clip (trained with mirroring; elements are the same in a mirror)
        self.mirror_tta = bool(manifest.input.get("mirror_tta", self.channels != CLIP_CHANNELS_V1))

    def _skeleton_tensor(self, joints2d: np.ndarray, visibility: np.ndarray, fps: float | None) -> np.ndarray:
        if len(joints2d) == 0:
            raise ValueError("classifier: a clip has no frames")
        return skeleton_clip(joints2d, visibility, self.clip_len, fps or 25.0, self.channels)

    def _frames_tensor(self, frames: np.ndarray) -> np.ndarray:
        from gymscore.data.rgb import preprocess_frames

        return preprocess_frames(frames, self.manifest.input)

    def _decode(
        self, logits: dict[str, torch.Tensor], mirrored: dict[str, torch.Tensor] | None = None
    ) -> list[dict[str, Any]]:
        probs = {k: torch.softmax(v.float(), dim=1).cpu().numpy() for k, v in logits.items()}
        if mirrored is not None:  # test-time mirroring: elements do not change in a mirror
            for k, v in mirrored.items():
                probs[k] = 0.5 * (probs[k] + torch.softmax(v.float(), dim=1).cpu().numpy())
        out = []
        for i in range(len(probs["element"])):
            out.append(
                {
                    "element_probs": dict(zip(self.element_ids, probs["element"][i].tolist(), strict=True)),
                    "set_probs": dict(zip(self.set_ids, probs["set"][i].tolist(), strict=True)),
                    "event_probs": dict(zip(self.events, probs["event"][i].tolist(), strict=True)),
                    "attribute_probs": {
                        a: dict(zip(vals, probs[f"attr:{a}"][i].tolist(), strict=True))
                        for a, vals in self.attributes.items()
                    },
                }
            )
        return out

    def _predict_arrays(
        self, arrays: list[np.ndarray], mirrored: list[np.ndarray] | None = None
    ) -> list[dict[str, Any]]:
        def logits(items: list[np.ndarray]) -> dict[str, torch.Tensor]:
            batch = np.stack(items).astype(np.float32)
            return self._run(lambda dev: self.model(torch.from_numpy(batch).to(dev)))

        results: list[dict[str, Any]] = []
        for k in range(0, len(arrays), self.batch_size):
            flipped = logits(mirrored[k : k + self.batch_size]) if mirrored is not None else None
            results.extend(self._decode(logits(arrays[k : k + self.batch_size]), flipped))
        return results

    def predict(
        self, clips: list[tuple[np.ndarray, np.ndarray]], fps: float | None = None
    ) -> list[dict[str, Any]]:
        """One dict per clip of (joints2d (t, 17, 2) pixels, visibility (t, 17)); see the module doc.

        Clips are resampled to the manifest's clip length; ``fps`` (the clips' frame rate, default 25)
        sets the duration and velocity scale of the v2 input channels.
        """
        if self.modality != "skeleton":
            raise ValueError(f"classifier {self.manifest.name!r} takes RGB frames: use predict_frames()")
        arrays = [self._skeleton_tensor(j, v, fps) for j, v in clips]
        mirrored = None
        if self.mirror_tta:
            mirrored = [self._skeleton_tensor(*mirror_pose(j, v), fps) for j, v in clips]
        return self._predict_arrays(arrays, mirrored)

    def predict_frames(self, clips: list[np.ndarray]) -> list[dict[str, Any]]:
        """One dict per clip of RGB frames (t, H, W, 3) uint8 (RGB models only)."""
        if self.modality != "rgb":
            raise ValueError(f"classifier {self.manifest.name!r} takes skeleton clips: use predict()")
        return self._predict_arrays([self._frames_tensor(f) for f in clips])


def _load(task: str, device: str, name: str | None) -> tuple[torch.nn.Module, ModelManifest, torch.device]:
    """The model, its manifest and device; a name ``a+b[+...]`` averages those installed models
    (:mod:`gymscore.models.ensemble`), which must share their input and labels."""
    dev = pick_device(device)
    if name is None:
        name = selected_models().get(task)
    if name is None or "+" not in name:
        m = find_model(task, name)
        return load_weights(m, dev), m, dev
    from gymscore.models.ensemble import MeanEnsemble, ensemble_manifest  # noqa: PLC0415

    ms = [find_model(task, n.strip()) for n in name.split("+")]
    manifest = ensemble_manifest(ms, name)
    model = MeanEnsemble([load_weights(m, dev) for m in ms], task).to(dev).eval()
    return model, manifest, dev


def load_segmenter(device: str = "auto", name: str | None = None) -> SegmenterRunner:
    """The selected (or named, or shipped default) segmenter, ready on ``device``."""
    return SegmenterRunner(*_load("segmenter", device, name))


def load_classifier(device: str = "auto", name: str | None = None) -> ClassifierRunner:
    """The selected (or named, or shipped default) element classifier, ready on ``device``."""
    return ClassifierRunner(*_load("classifier", device, name))
