"""The data side of the Python reference: a COCO dataset read with PIL and transformed like
executor/data/src/transforms.cpp (letterbox to a square, random zoom in [0.75, 1.25] and a
horizontal flip with probability 0.5, boxes clipped and filtered the same way), with every
random choice drawn from a per-sample seed (base seed, epoch, dataset index)."""
import json
import os

import numpy as np
import torch
from PIL import Image, ImageOps

PAD_VALUE = 114
MIN_BOX_PX = 2.0
MIN_VISIBLE_FRACTION = 0.1


class CocoDetection(torch.utils.data.Dataset):
    def __init__(self, root, split="train", size=128, seed=0, scale=(0.75, 1.25), flip=0.5):
        with open(os.path.join(root, "annotations", split + ".json")) as f:
            coco = json.load(f)
        categories = sorted(c["id"] for c in coco["categories"])
        self.class_index = {cid: i for i, cid in enumerate(categories)}
        self.num_classes = len(categories)
        boxes = {}
        for a in coco["annotations"]:
            if a.get("iscrowd", 0):
                continue
            x, y, w, h = a["bbox"]
            boxes.setdefault(a["image_id"], []).append((self.class_index[a["category_id"]], x, y, w, h))
        self.images = [(os.path.join(root, split, im["file_name"]), im["id"], boxes.get(im["id"], []))
                       for im in coco["images"]]
        self.size, self.seed, self.scale, self.flip = size, seed, scale, flip

    def __len__(self):
        return len(self.images)

    def __getitem__(self, key):
        """key: (epoch, dataset index), as EpochSampler yields."""
        epoch, index = key
        path, _, boxes = self.images[index]
        rng = np.random.default_rng([self.seed, epoch, index])
        # Both draws always made, in this order (as the C++ transform does).
        zoom = rng.uniform(self.scale[0], self.scale[1])
        flip = rng.uniform() < self.flip
        image = Image.open(path).convert("RGB")
        width, height = image.size
        s = self.size
        scale = s / max(width, height) * zoom
        pad_x, pad_y = (s - width * scale) / 2, (s - height * scale) / 2
        if flip:
            image = ImageOps.mirror(image)
        resized = image.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                               Image.BILINEAR)
        canvas = Image.new("RGB", (s, s), (PAD_VALUE,) * 3)
        canvas.paste(resized, (round(pad_x), round(pad_y)))
        chw = torch.from_numpy(np.asarray(canvas, dtype=np.float32).transpose(2, 0, 1) / 255.0)
        out = []
        for cls, bx, by, bw, bh in boxes:
            x = width - bx - bw if flip else bx
            x0, x1 = scale * x + pad_x, scale * (x + bw) + pad_x
            y0, y1 = scale * by + pad_y, scale * (by + bh) + pad_y
            cx0, cx1 = min(max(x0, 0.0), s), min(max(x1, 0.0), s)
            cy0, cy1 = min(max(y0, 0.0), s), min(max(y1, 0.0), s)
            w, h = cx1 - cx0, cy1 - cy0
            if w < MIN_BOX_PX or h < MIN_BOX_PX:
                continue
            if w * h < MIN_VISIBLE_FRACTION * (x1 - x0) * (y1 - y0):
                continue
            out.append((cls, (cx0 + cx1) / 2, (cy0 + cy1) / 2, w, h))
        return chw, torch.tensor(out, dtype=torch.float32).reshape(-1, 5)


def collate(samples):
    """Stacks images; targets become [M, 6] (index in batch, class, cx, cy, w, h)."""
    images = torch.stack([s[0] for s in samples])
    rows = [torch.cat([torch.full((t.size(0), 1), float(i)), t], 1) for i, (_, t) in enumerate(samples)]
    return images, torch.cat(rows) if rows else torch.zeros(0, 6)


class EpochSampler(torch.utils.data.DistributedSampler):
    """DistributedSampler yielding (epoch, index), so that a persistent loader worker process
    knows the epoch of each sample's seed."""

    def __iter__(self):
        return ((self.epoch, i) for i in super().__iter__())
