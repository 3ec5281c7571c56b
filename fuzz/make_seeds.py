#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses (fuzz/corpus/<harness>/):
small valid files of each format, and a few near-misses. Run once with the
PyTorch venv (torch, PIL); the seeds are committed, so fuzzing needs neither.

    ~/.cache/advgrad-torch-venv/bin/python fuzz/make_seeds.py
"""
import gzip
import io
import json
import os
import struct
import sys

import numpy as np
import torch
from PIL import Image

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(harness, name, data):
    d = os.path.join(root, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


rng = np.random.default_rng(0)

# safetensors: the layout of nn/safetensors.h, written by hand (as advgrad does).
def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (code, shape, raw) in tensors.items():
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data

config = {"arch": "mlp", "channels": 1, "height": 4, "width": 3, "classes": 2, "activation": "relu", "seed": 1,
          "normalize_mean": [], "normalize_std": []}
put("safetensors", "two_tensors", safetensors(
    {"w": ("F32", [2, 3], rng.standard_normal(6).astype("<f4").tobytes()),
     "n": ("I64", [2], struct.pack("<2q", 7, -1))}, {"format": "pt", "advgrad.model": json.dumps(config)}))
put("safetensors", "f64_scalar", safetensors({"x": ("F64", [], struct.pack("<d", 0.5))}))
put("safetensors", "empty_header", safetensors({}))
put("safetensors", "bad_offsets", safetensors({"w": ("F32", [2], b"\0" * 4)}))

# model metadata: the JSON of nn::config_to_json, and variants.
put("model_config", "mlp", json.dumps(config).encode())
put("model_config", "cnn_bn_dual", json.dumps(dict(config, arch="cnn-bn", channels=3, height=32, width=32,
                                                    dual_batch_norm=True, normalize_mean=[0.5] * 3,
                                                    normalize_std=[0.25] * 3)).encode())
put("model_config", "huge_height", json.dumps(dict(config, height=2 ** 49)).encode())
put("model_config", "missing_arch", b'{"channels": 1}')

# PyTorch checkpoints: both formats torch.save writes.
state = {"conv.weight": torch.randn(2, 1, 3, 3), "fc.bias": torch.randn(3).double(),
         "steps": torch.tensor([5, 6], dtype=torch.int64), "half": torch.randn(2).half()}
state["view"] = torch.randn(4, 5)[1:3, ::2]
for new, name in ((True, "zip"), (False, "legacy")):
    b = io.BytesIO()
    torch.save(state, b, _use_new_zipfile_serialization=new)
    put("pytorch_checkpoint", name, b.getvalue())
b = io.BytesIO()
torch.save({"state_dict": {"w": torch.ones(2)}, "epoch": 3}, b)
put("pytorch_checkpoint", "wrapped", b.getvalue())

# IDX: images and labels, raw and gzip.
def idx_images(n, rows, cols):
    return struct.pack(">IIII", 2051, n, rows, cols) + rng.integers(0, 256, n * rows * cols, dtype=np.uint8).tobytes()
def idx_labels(n):
    return struct.pack(">II", 2049, n) + rng.integers(0, 10, n, dtype=np.uint8).tobytes()
put("idx", "images_raw", idx_images(3, 5, 4))
put("idx", "labels_raw", idx_labels(7))
put("idx", "images_gz", gzip.compress(idx_images(2, 7, 7)))
put("idx", "labels_gz", gzip.compress(idx_labels(9)))
put("idx", "two_members_gz", gzip.compress(idx_labels(3)[:5]) + gzip.compress(idx_labels(3)[5:]))

# CIFAR-10 binary batches: 3073-byte records.
def cifar(n):
    out = b""
    for _ in range(n):
        out += bytes([int(rng.integers(0, 10))]) + rng.integers(0, 256, 3072, dtype=np.uint8).tobytes()
    return out
put("cifar", "two_records", cifar(2))
put("cifar", "bad_label", b"\x0b" + cifar(1)[1:])

# PNG and JPEG: small pictures in the modes the decoders handle.
def encoded(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()
rgb = Image.fromarray(rng.integers(0, 256, (5, 7, 3), dtype=np.uint8), "RGB")
grey = rgb.convert("L")
put("png", "rgb", encoded(rgb, "PNG"))
put("png", "grey", encoded(grey, "PNG"))
put("png", "rgba", encoded(rgb.convert("RGBA"), "PNG"))
put("png", "palette", encoded(rgb.convert("P"), "PNG"))
put("png", "bilevel", encoded(grey.convert("1"), "PNG"))
put("png", "grey16", encoded(Image.fromarray(rng.integers(0, 65536, (3, 4), dtype=np.uint16)), "PNG"))
put("jpeg", "rgb", encoded(rgb, "JPEG", quality=90))
put("jpeg", "grey", encoded(grey, "JPEG", quality=75))
put("jpeg", "progressive", encoded(rgb.resize((17, 9)), "JPEG", progressive=True))
put("jpeg", "subsampled", encoded(rgb.resize((16, 16)), "JPEG", subsampling=2))

# The command line: arguments separated by NUL bytes.
for i, args in enumerate([
        ["train", "--data", "synthetic", "--epochs", "2", "--out", "m.safetensors"],
        ["eval", "--model", "m.safetensors", "--test-limit", "10", "--json"],
        ["attack", "--model", "m", "--method", "pgd", "--eps", "8/255", "--steps", "3", "--targeted"],
        ["robustness", "--model", "a", "--model", "b", "--sweep", "0:0.3:0.1", "--diagnose"],
        ["--threads", "2", "--device", "cpu", "saliency", "--model", "m", "--probe"],
        ["workshop", "--quick", "--full"],
        ["frobnicate", "--epochs"],
        ["convert", "--in", "x.pth", "--out", "y.safetensors"]]):
    put("cli", "args%d" % i, b"\0".join(a.encode() for a in args))
print("seeds written to", root, file=sys.stderr)
