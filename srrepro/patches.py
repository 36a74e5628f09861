"""Training patches: aligned random LR/HR crops, a pure function of (seed, iteration).

``PatchSampler(images, ...)[step]`` returns the *global* batch of iteration ``step`` (or one rank's shard of
it): ``(lr, hr, scale)`` with ``lr`` ``N×3×p×p`` and ``hr`` ``N×3×P×P`` uint8 tensors (channels-last views:
``.contiguous()`` gives the NCHW layout) and the scale the model must be called with. Nothing is drawn from a
global RNG: every choice comes from ``numpy.random.default_rng([seed, step])``, so a resumed run (or a DDP rank, or a DataLoader worker) sees
exactly the batches an uninterrupted single-process run would.

Per iteration (one scale per batch, as EDSR/MDSR §"Train", PCARN §3.5 and ASDN do):

1. the scale: uniform among ``scales``, or uniform in ``scale_range`` for arbitrary-scale models;
2. for each of the N samples: an image (uniform among those large enough), a position, and one of the 8
   flip/rotation augmentations (horizontal flip × vertical flip × transpose = flips and 90° rotations).

How LR patches are made
    * integer scale s: the LR image is made ONCE per (image, s) from the mod-cropped HR image with the
      MATLAB-exact ``srrepro.degrade.degrade(hr, s, kind)`` (BI, BD or DN; DN noise seeded by the image index,
      so every run sees the same noisy LR): read from :class:`srrepro.cache.TrainingCache` (memory-mapped,
      made once per data root) when training from a data root, else made at start and kept in memory. An LR
      patch at (y, x) of size p pairs with the HR patch at (s·y, s·x) of size s·p.
    * non-integer scale r (OverNet, ASDN, CARN-OSM): an HR crop of size P = round(p·r) is drawn and its LR patch
      is ``imresize(hr_crop, output_shape=(p, p))`` — MATLAB bicubic of that crop alone (borders of the crop
      are replicated, unlike a crop of a whole-image resize). The scale actually used is P/p (r snapped to the
      1/p grid) and that is the scale passed to the model, so its output is exactly P×P. BI only.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from .cache import ImageStack, as_rgb, make_lr


def _augment(img: np.ndarray, k: int) -> np.ndarray:
    """One of the 8 dihedral transforms: bit 0 = horizontal flip, bit 1 = vertical flip, bit 2 = transpose."""
    if k & 1:
        img = img[:, ::-1]
    if k & 2:
        img = img[::-1]
    if k & 4:
        img = img.transpose(1, 0, 2)
    return img


def _all_mapped(images, lr_images: dict, int_scales) -> bool:
    return isinstance(images, ImageStack) and all(isinstance(lr_images.get(s), ImageStack) for s in int_scales)


def is_integer_scale(scale: float) -> bool:
    return float(scale) == int(scale)


def _batch(patches: list[np.ndarray]) -> torch.Tensor:
    """``N×3×h×w`` uint8 view of the patches stacked once, channels last (N×h×w×3 in memory). The consumer
    makes it contiguous where it is cheap (``srrepro.train._to_device``: on the GPU after the copy). In a
    DataLoader worker the stack is written straight into shared memory, so handing it to the main process copies
    nothing more (as ``default_collate`` does): each batch is written once, not three times (stack, NCHW
    transpose, shared-memory copy)."""
    shape = (len(patches), *patches[0].shape)
    if torch.utils.data.get_worker_info() is not None:
        storage = torch.UntypedStorage._new_shared(math.prod(shape))
        out = torch.empty(0, dtype=torch.uint8).set_(storage).view(shape)
        np.stack(patches, out=out.numpy())
    else:
        out = torch.from_numpy(np.stack(patches))
    return out.permute(0, 3, 1, 2)


class PatchSampler:
    """Map-style dataset whose index is the iteration: ``sampler[step] -> (lr_u8, hr_u8, scale)``.

    Args:
        images: ``[(name, uint8 H×W×3 or H×W)]`` HR training images, or an :class:`srrepro.cache.ImageStack`.
        scales: the training scales (ints, or floats for arbitrary-scale models); ignored if ``scale_range``.
        lr_patch: LR patch side p.
        batch_size: global batch size N (all ranks together).
        degradation: ``"BI"``, ``"BD"`` or ``"DN"`` (non-integer scales: BI only).
        seed: the run's seed.
        scale_range: ``(lo, hi)``: draw r uniformly in [lo, hi] each iteration (arbitrary-scale models).
        rank, world_size: this process returns samples ``[rank·N/W, (rank+1)·N/W)`` of every global batch.
        progress: show a bar while the LR images are made.
        lr_images: ``{integer scale: sequence of LR images}`` made by :func:`make_lr` beforehand (the
            :class:`srrepro.cache.TrainingCache`); the scales it lacks are made here.

    With ``images`` and every ``lr_images`` entry an :class:`srrepro.cache.ImageStack`, a pickled sampler (a
    DataLoader worker started by spawn/forkserver) carries the cache folders, not the pixels.
    """

    def __init__(self, images, scales=(2,), lr_patch: int = 48, batch_size: int = 16, degradation: str = "BI",
                 seed: int = 0, scale_range=None, rank: int = 0, world_size: int = 1, progress: bool = False,
                 lr_images=None):
        if batch_size % world_size:
            raise ValueError(f"batch_size {batch_size} is not divisible by the {world_size} DDP processes")
        self.hr = [as_rgb(np.asarray(img)) for img in (images if isinstance(images, ImageStack) else
                                                     (img for _, img in images))]
        if not self.hr:
            raise ValueError("no training images")
        self.scales = tuple(scales)
        self.scale_range = tuple(scale_range) if scale_range else None
        self.p, self.batch_size, self.degradation, self.seed = lr_patch, batch_size, degradation, seed
        self.rank, self.world_size = rank, world_size
        float_scales = [s for s in self.scales if not is_integer_scale(s)] if not self.scale_range else [1.5]
        if float_scales and degradation != "BI":
            raise ValueError(f"non-integer training scales need degradation BI (got {degradation}): BD/DN are "
                             "defined for integer scales only")
        # LR images for the integer scales: the cache's (``lr_images``, memory-mapped), else made here once
        # (MATLAB-exact) and kept in memory.
        self.lr: dict[tuple[int, int], np.ndarray] = {}
        int_scales = [] if self.scale_range else sorted({int(s) for s in self.scales if is_integer_scale(s)})
        lr_images = dict(lr_images or {})
        self._stacks = (images, lr_images) if _all_mapped(images, lr_images, int_scales) else None
        for s in int_scales:
            if s in lr_images:
                if len(lr_images[s]) != len(self.hr):
                    raise ValueError(f"lr_images[{s}] has {len(lr_images[s])} images for {len(self.hr)} HR images")
                self.lr.update(((i, s), lr_images[s][i]) for i in range(len(self.hr)))
        missing = [s for s in int_scales if s not in lr_images]
        if missing:
            from tqdm.auto import tqdm

            jobs = [(i, s) for s in missing for i in range(len(self.hr))]
            for i, s in tqdm(jobs, desc=f"making {degradation} LR images", disable=not progress, leave=False):
                self.lr[i, s] = make_lr(self.hr[i], s, degradation, i)
        # For each scale, the images large enough for one patch.
        self._eligible: dict[float, np.ndarray] = {}
        for s in ([self.scale_range[1]] if self.scale_range else self.scales):
            need = self.hr_patch(s)
            ok = np.array([i for i, im in enumerate(self.hr) if min(im.shape[:2]) >= need])
            if ok.size == 0:
                raise ValueError(f"no training image is large enough for an HR patch of {need} px (x{s}, "
                                 f"LR patch {lr_patch}); use a smaller lr_patch")
            self._eligible[s] = ok

    def __getstate__(self):
        state = dict(self.__dict__)
        if self._stacks is not None:  # memory-mapped: the receiver maps the same files (views, rebuilt below)
            state["hr"], state["lr"] = None, None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self.hr is None:
            images, lr_images = self._stacks
            self.hr = [as_rgb(np.asarray(img)) for img in images]
            self.lr = {(i, s): stack[i] for s, stack in lr_images.items() for i in range(len(self.hr))}

    def hr_patch(self, scale: float) -> int:
        return round(self.p * scale)

    def __len__(self) -> int:  # DataLoader asks; indices are iterations, any number of them
        return 2**62

    def draw(self, step: int):
        """The global batch plan of iteration ``step``: (scale, images, ys, xs, augs), each ``N`` long."""
        rng = np.random.default_rng([self.seed, step])
        if self.scale_range:
            lo, hi = self.scale_range
            scale = self.hr_patch(lo + (hi - lo) * rng.random()) / self.p  # snapped to the 1/p grid
            eligible = self._eligible[hi]
        else:
            key = self.scales[rng.integers(len(self.scales))]
            eligible = self._eligible[key]
            scale = int(key) if is_integer_scale(key) else self.hr_patch(key) / self.p
        n = self.batch_size
        idx = eligible[rng.integers(len(eligible), size=n)]
        uy, ux = rng.random(n), rng.random(n)  # positions as fractions of the valid range
        augs = rng.integers(8, size=n)
        return scale, idx, uy, ux, augs

    def __getitem__(self, step: int):
        scale, idx, uy, ux, augs = self.draw(step)
        per_rank = self.batch_size // self.world_size
        part = slice(self.rank * per_rank, (self.rank + 1) * per_rank)
        lrs, hrs = [], []
        for i, fy, fx, k in zip(idx[part], uy[part], ux[part], augs[part]):
            lr, hr = self._crop(int(i), scale, fy, fx)
            lrs.append(_augment(lr, k))
            hrs.append(_augment(hr, k))
        return _batch(lrs), _batch(hrs), scale

    def _crop(self, i: int, scale, fy: float, fx: float):
        p = self.p
        if isinstance(scale, int):
            lr_img = self.lr[i, scale]
            y = math.floor(fy * (lr_img.shape[0] - p + 1))
            x = math.floor(fx * (lr_img.shape[1] - p + 1))
            return lr_img[y:y + p, x:x + p], self.hr[i][y * scale:(y + p) * scale, x * scale:(x + p) * scale]
        from .degrade import imresize

        big = self.hr_patch(scale)
        hr_img = self.hr[i]
        y = math.floor(fy * (hr_img.shape[0] - big + 1))
        x = math.floor(fx * (hr_img.shape[1] - big + 1))
        hr = hr_img[y:y + big, x:x + big]
        return imresize(hr, output_shape=(p, p)), hr
