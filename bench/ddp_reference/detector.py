"""PyTorch (Python) port of the trainplan executor's detector and loss, for the speed reference.

Mirrors, layer for layer, executor/src/model/{blocks,csp_pan,head,detector,assigner,loss}.cpp
(see docs/executor-model.md): the same widths and depths per size, Conv-BN-SiLU everywhere
but the last conv of each head branch, the contrastive head (cosine x exp(scale) + bias per
level), centre-sampling assignment, and BCE + 5 x GIoU normalised by the global positive
count x world size.

SyncBatchNorm: torch.nn.SyncBatchNorm refuses CPU tensors in PyTorch 1.13 ("expected input
tensor to be on GPU") and its kernels (batch_norm_stats, batch_norm_gather_stats_with_counts,
batch_norm_backward_reduce, ...) exist only for CUDA. `SyncBatchNorm` below is PyTorch's own
algorithm (torch/nn/modules/_functions.py SyncBatchNorm) with those kernels written with
CPU ops: forward, one all_gather of [mean, invstd, count] per layer, then the fused
torch.batch_norm kernel with the global statistics; backward, one all_reduce of
[sum_dy, sum_dy_xmu] per layer. Same collectives per layer and step as the C++ side, whose
local sums are float64 where these are float32 (as in PyTorch's CUDA kernels).
`convert_sync_batchnorm` swaps it in for nn.BatchNorm2d exactly as
torch.nn.SyncBatchNorm.convert_sync_batchnorm does.
"""
import math

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------
# SyncBatchNorm (CPU)


def _world():
    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


class _SyncBatchNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, eps, momentum):
        x = x.contiguous()
        c = x.size(1)
        count = x.numel() // c
        var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False)
        invstd = torch.rsqrt(var + eps)
        world = _world()
        if world > 1:
            combined = torch.cat([mean, invstd, torch.full((1,), float(count), dtype=x.dtype)])
            gathered = [torch.empty_like(combined) for _ in range(world)]
            dist.all_gather(gathered, combined)
            g = torch.stack(gathered)  # [world, 2C+1]
            means, invstds, counts = g[:, :c], g[:, c:2 * c], g[:, 2 * c:]
            # batch_norm_gather_stats_with_counts: combine per-rank mean / var by counts.
            total = counts.sum()
            mean = (means * counts).sum(0) / total
            local_vars = invstds.pow(-2) - eps
            var = ((local_vars + (means - mean).square()) * counts).sum(0) / total
            invstd = torch.rsqrt(var + eps)
            count = int(total.item())
        if running_mean is not None:
            with torch.no_grad():
                running_mean.mul_(1 - momentum).add_(mean, alpha=momentum)
                running_var.mul_(1 - momentum).add_(var * (count / max(1, count - 1)), alpha=momentum)
        ctx.save_for_backward(x, weight, mean, invstd)
        ctx.count = count
        # batch_norm_elemt: the fused CPU kernel with the global statistics.
        return torch.batch_norm(x, weight, bias, mean, var, False, 0.0, eps, False)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, mean, invstd = ctx.saved_tensors
        grad_out = grad_out.contiguous()
        shape = (1, -1, 1, 1)
        xmu = x - mean.view(shape)
        # batch_norm_backward_reduce
        sum_dy = grad_out.sum(dim=(0, 2, 3))
        sum_dy_xmu = (grad_out * xmu).sum(dim=(0, 2, 3))
        grad_weight = sum_dy_xmu * invstd
        grad_bias = sum_dy
        if _world() > 1:
            combined = torch.cat([sum_dy, sum_dy_xmu])
            dist.all_reduce(combined)
            sum_dy, sum_dy_xmu = combined.split(sum_dy.numel())
        # batch_norm_backward_elemt
        mean_dy = sum_dy / ctx.count
        mean_dy_xmu = sum_dy_xmu / ctx.count
        grad_input = (grad_out - mean_dy.view(shape) - xmu * (invstd.square() * mean_dy_xmu).view(shape)) \
            * (invstd * weight).view(shape)
        return grad_input, grad_weight, grad_bias, None, None, None, None


class SyncBatchNorm(nn.BatchNorm2d):
    """nn.BatchNorm2d whose training statistics cover every rank's batch (see module doc)."""

    def forward(self, x):
        if not self.training:
            return super().forward(x)
        self.num_batches_tracked.add_(1)
        return _SyncBatchNormFunction.apply(x, self.weight, self.bias, self.running_mean,
                                            self.running_var, self.eps, self.momentum)


def convert_sync_batchnorm(module):
    """torch.nn.SyncBatchNorm.convert_sync_batchnorm, for the CPU SyncBatchNorm above."""
    out = module
    if isinstance(module, nn.BatchNorm2d) and not isinstance(module, SyncBatchNorm):
        out = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                            module.track_running_stats)
        with torch.no_grad():
            out.weight.copy_(module.weight)
            out.bias.copy_(module.bias)
        out.running_mean = module.running_mean
        out.running_var = module.running_var
        out.num_batches_tracked = module.num_batches_tracked
    for name, child in module.named_children():
        out.add_module(name, convert_sync_batchnorm(child))
    return out


# ---------------------------------------------------------------------------------------------
# Blocks (blocks.cpp)

BN_EPS, BN_MOMENTUM = 1e-3, 0.03


class ConvBnAct(nn.Module):
    def __init__(self, cin, cout, k=1, s=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)

    def forward(self, x):
        return F.silu(self.bn(self.conv(x)))


class Bottleneck(nn.Module):
    def __init__(self, c, shortcut):
        super().__init__()
        self.cv1 = ConvBnAct(c, c, 3)
        self.cv2 = ConvBnAct(c, c, 3)
        self.shortcut = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.shortcut else y


class C2f(nn.Module):
    def __init__(self, cin, cout, depth, shortcut):
        super().__init__()
        self.hidden = cout // 2
        self.cv1 = ConvBnAct(cin, 2 * self.hidden, 1)
        self.cv2 = ConvBnAct((2 + depth) * self.hidden, cout, 1)
        self.blocks = nn.ModuleList(Bottleneck(self.hidden, shortcut) for _ in range(depth))

    def forward(self, x):
        parts = list(self.cv1(x).chunk(2, 1))
        for block in self.blocks:
            parts.append(block(parts[-1]))
        return self.cv2(torch.cat(parts, 1))


class Sppf(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        hidden = cin // 2
        self.cv1 = ConvBnAct(cin, hidden, 1)
        self.cv2 = ConvBnAct(4 * hidden, cout, 1)

    def forward(self, x):
        parts = [self.cv1(x)]
        for _ in range(3):
            parts.append(F.max_pool2d(parts[-1], 5, 1, 2))
        return self.cv2(torch.cat(parts, 1))


# ---------------------------------------------------------------------------------------------
# Backbone and neck (csp_pan.cpp)

SCALES = {
    "tiny": ((8, 16, 32, 64, 128), (1, 1, 1, 1)),
    "n": ((16, 32, 64, 128, 256), (1, 2, 2, 1)),
    "s": ((32, 64, 128, 256, 512), (1, 2, 2, 1)),
}


class CspBackbone(nn.Module):
    def __init__(self, widths, depths):
        super().__init__()
        w = widths
        self.stem = ConvBnAct(3, w[0], 3, 2)
        self.stages = nn.ModuleList(
            nn.Sequential(ConvBnAct(w[i], w[i + 1], 3, 2), C2f(w[i + 1], w[i + 1], depths[i], True))
            for i in range(4))
        self.sppf = Sppf(w[4], w[4])

    def forward(self, images):
        x = self.stem(images)
        out = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i >= 1:
                out.append(x)
        out[2] = self.sppf(out[2])
        return out


def _upsample2(x):
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


class PanNeck(nn.Module):
    def __init__(self, widths, n=1):
        super().__init__()
        w = widths
        self.top_down4 = C2f(w[4] + w[3], w[3], n, False)
        self.top_down3 = C2f(w[3] + w[2], w[2], n, False)
        self.down3 = ConvBnAct(w[2], w[2], 3, 2)
        self.bottom_up4 = C2f(w[2] + w[3], w[3], n, False)
        self.down4 = ConvBnAct(w[3], w[3], 3, 2)
        self.bottom_up5 = C2f(w[3] + w[4], w[4], n, False)

    def forward(self, f):
        mid4 = self.top_down4(torch.cat([_upsample2(f[2]), f[1]], 1))
        out3 = self.top_down3(torch.cat([_upsample2(mid4), f[0]], 1))
        out4 = self.bottom_up4(torch.cat([self.down3(out3), mid4], 1))
        out5 = self.bottom_up5(torch.cat([self.down4(out4), f[2]], 1))
        return out3, out4, out5


# ---------------------------------------------------------------------------------------------
# Head (head.cpp)

STRIDES = (8, 16, 32)


def _branch(cin, hidden, cout, bias_init):
    predict = nn.Conv2d(hidden, cout, 1)
    nn.init.constant_(predict.bias, bias_init)
    return nn.Sequential(ConvBnAct(cin, hidden, 3), ConvBnAct(hidden, hidden, 3), predict)


def _cell_centres(h, w, stride):
    ys = (torch.arange(h, dtype=torch.float32) + 0.5) * stride
    xs = (torch.arange(w, dtype=torch.float32) + 0.5) * stride
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)


def _to_locations(x):
    return x.flatten(2).transpose(1, 2)


class DetectionHead(nn.Module):
    def __init__(self, in_channels, embed_dim):
        super().__init__()
        box_hidden = max(16, in_channels[0] // 4)
        embed_hidden = max(in_channels[0], embed_dim)
        self.box_branches = nn.ModuleList(_branch(c, box_hidden, 4, 1.0) for c in in_channels)
        self.embed_branches = nn.ModuleList(_branch(c, embed_hidden, embed_dim, 0.0) for c in in_channels)
        self.logit_scale = nn.Parameter(torch.full((3,), math.log(1.0 / 0.07)))
        self.logit_bias = nn.Parameter(torch.full((3,), -math.log((1 - 0.01) / 0.01)))

    def forward(self, features, class_embeddings):
        classes = F.normalize(class_embeddings, dim=1)
        logits, distances, anchors, strides = [], [], [], []
        for level, f in enumerate(features):
            stride = STRIDES[level]
            raw_box = self.box_branches[level](f)
            distances.append(_to_locations(F.softplus(raw_box)) * float(stride))
            region = F.normalize(self.embed_branches[level](f), dim=1)
            logits.append(torch.matmul(_to_locations(region), classes.t()) * self.logit_scale[level].exp()
                          + self.logit_bias[level])
            anchors.append(_cell_centres(f.size(2), f.size(3), stride))
            strides.append(torch.full((f.size(2) * f.size(3),), float(stride)))
        return torch.cat(logits, 1), torch.cat(distances, 1), torch.cat(anchors, 0), torch.cat(strides, 0)


# ---------------------------------------------------------------------------------------------
# Detector (detector.cpp)


class Detector(nn.Module):
    """forward(images) -> (cls_logits [N,A,K], box_distances [N,A,4], anchor_points [A,2],
    strides [A]), as HeadOutput."""

    def __init__(self, num_classes, size="tiny", embed_dim=32):
        super().__init__()
        widths, depths = SCALES[size]
        self.backbone = CspBackbone(widths, depths)
        self.neck = PanNeck(widths)
        self.head = DetectionHead((widths[2], widths[3], widths[4]), embed_dim)
        # The C++ side derives these unit vectors from the class names (FNV-1a + SplitMix64);
        # any fixed unit vectors do the same work.
        g = torch.Generator().manual_seed(1)
        e = torch.randn(num_classes, embed_dim, generator=g)
        self.class_embeddings = nn.Parameter(e / e.norm(dim=1, keepdim=True))

    def forward(self, images):
        return self.head(self.neck(self.backbone(images)), self.class_embeddings)


# ---------------------------------------------------------------------------------------------
# Assignment and loss (assigner.cpp, loss.cpp)


def targets_from_flat(flat, batch_size):
    """[M, 6] (index, class, cx, cy, w, h) -> per image (boxes xyxy [m,4], classes [m])."""
    out = []
    keep = (flat[:, 4] > 0) & (flat[:, 5] > 0)
    flat = flat[keep]
    index = flat[:, 0].long()
    for b in range(batch_size):
        r = flat[index == b]
        c, half = r[:, 2:4], r[:, 4:6] / 2
        out.append((torch.cat([c - half, c + half], 1), r[:, 1].long()))
    return out


def assign_anchors(anchor_points, strides, boxes, radius=2.5):
    num_anchors = anchor_points.size(0)
    if boxes.size(0) == 0:
        return torch.full((num_anchors,), -1, dtype=torch.long)
    ax = anchor_points[:, 0].unsqueeze(0)
    ay = anchor_points[:, 1].unsqueeze(0)
    x1, y1, x2, y2 = (boxes[:, i].unsqueeze(1) for i in range(4))
    reach = strides.unsqueeze(0) * radius
    inside = (ax > x1) & (ax < x2) & (ay > y1) & (ay < y2)
    central = ((ax - (x1 + x2) / 2).abs() < reach) & ((ay - (y1 + y2) / 2).abs() < reach)
    area = (x2 - x1) * (y2 - y1)
    inf = math.inf
    cost = torch.where(inside & central, area.expand(-1, num_anchors), torch.full((), inf))
    has_candidate = (inside & central).any(1)
    finest = strides == strides.min()
    for m in range(boxes.size(0)):
        if has_candidate[m].item():
            continue
        centre = (boxes[m, 0:2] + boxes[m, 2:4]) / 2
        dist2 = (anchor_points - centre).square().sum(1)
        nearest = torch.where(finest, dist2, torch.full((), inf)).argmin().item()
        cost[m, nearest] = area[m, 0]
    min_area, owner = cost.min(0)
    return torch.where(torch.isinf(min_area), torch.full((), -1, dtype=torch.long), owner)


def generalized_box_iou(a, b):
    def area(x):
        return (x[:, 2] - x[:, 0]).clamp_min(0) * (x[:, 3] - x[:, 1]).clamp_min(0)
    lo = torch.max(a[:, 0:2], b[:, 0:2])
    hi = torch.min(a[:, 2:4], b[:, 2:4])
    inter = (hi - lo).clamp_min(0).prod(1)
    uni = area(a) + area(b) - inter
    enclosing = (torch.max(a[:, 2:4], b[:, 2:4]) - torch.min(a[:, 0:2], b[:, 0:2])).clamp_min(0).prod(1)
    eps = 1e-7
    return inter / (uni + eps) - (enclosing - uni) / (enclosing + eps)


def detection_loss(head, targets, batch_size, box_weight=5.0, center_radius=2.5):
    """Returns (total, box, cls, global_positives) like LossOutput."""
    cls_logits, box_distances, anchor_points, strides = head
    truth = targets_from_flat(targets, batch_size)
    cls_target = torch.zeros_like(cls_logits, memory_format=torch.contiguous_format)
    pred_boxes, target_boxes = [], []
    local_positives = 0
    for b in range(batch_size):
        boxes, classes = truth[b]
        owner = assign_anchors(anchor_points, strides, boxes, center_radius)
        positive = (owner >= 0).nonzero().squeeze(1)
        if positive.numel() == 0:
            continue
        gt = owner.index_select(0, positive)
        local_positives += positive.numel()
        cls_target[b].index_put_((positive, classes.index_select(0, gt)), torch.tensor(1.0))
        points = anchor_points.index_select(0, positive)
        dist_ = box_distances[b].index_select(0, positive)
        pred_boxes.append(torch.cat([points - dist_[:, 0:2], points + dist_[:, 2:4]], 1))
        target_boxes.append(boxes.index_select(0, gt))
    sum_cls = F.binary_cross_entropy_with_logits(cls_logits, cls_target, reduction="sum")
    sum_box = box_distances.sum() * 0.0
    if pred_boxes:
        sum_box = (1.0 - generalized_box_iou(torch.cat(pred_boxes), torch.cat(target_boxes))).sum()
    positives = torch.tensor([float(local_positives)], dtype=torch.float64)
    world = _world()
    if world > 1:
        dist.all_reduce(positives)
    global_positives = positives.item()
    scale = world / max(1.0, global_positives)
    cls_part = sum_cls * scale
    box_part = sum_box * (box_weight * scale)
    total = cls_part + box_part
    return total, box_part.item(), cls_part.item(), int(global_positives + 0.5)


def build(num_classes, size="tiny", embed_dim=32):
    """The detector with every BatchNorm2d turned into the CPU SyncBatchNorm."""
    return convert_sync_batchnorm(Detector(num_classes, size, embed_dim))
