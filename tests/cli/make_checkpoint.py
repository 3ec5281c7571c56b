"""Writes small PyTorch checkpoints without PyTorch, for tests/cli/convert_test.sh.

CPython's own pickle module writes the state dict, so the C++ reader is checked
against a second, independent pickler. Stand-in modules named `torch` and
`torch._utils` give the globals the names torch.save uses
(torch._utils._rebuild_tensor_v2, torch.FloatStorage, ...); nothing imports
PyTorch. The layout of both formats follows torch/serialization.py.

usage: make_checkpoint.py legacy|zip|evil OUT
  legacy, zip: a state dict {"w": 2x3 float32 stored transposed,
               "b": float64 [0.5, -1.5], "n": int64 scalar 7}
  evil:        a legacy file whose pickle would run os.system in Python
"""
import collections
import os
import pickle
import struct
import sys
import types
import zipfile

torch = types.ModuleType("torch")
torch_utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch
sys.modules["torch._utils"] = torch_utils
torch._utils = torch_utils


def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called: only pickled by name")


_rebuild_tensor_v2.__module__ = "torch._utils"
torch_utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class Storage:
    def __init__(self, key, fmt, values):
        self.key, self.fmt, self.values = key, fmt, values

    def data(self):
        return struct.pack("<%d%s" % (len(self.values), self.fmt), *self.values)


for name in ("FloatStorage", "DoubleStorage", "LongStorage"):
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)
STORAGE_TYPE = {"f": torch.FloatStorage, "d": torch.DoubleStorage, "q": torch.LongStorage}


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, size, stride)

    def __reduce__(self):
        return (_rebuild_tensor_v2, self.args + (False, collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def __init__(self, f, legacy):
        super().__init__(f, protocol=2)
        self.legacy = legacy

    def persistent_id(self, obj):
        if not isinstance(obj, Storage):
            return None
        pid = ("storage", STORAGE_TYPE[obj.fmt], obj.key, "cpu", len(obj.values))
        return pid + (None,) if self.legacy else pid


def state_dict():
    # w is the transpose of [[0, 1, 2], [3, 4, 5]] held row-major: w[i][j] = 3 j + i.
    w = Storage("10", "f", [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    b = Storage("11", "d", [9.0, 0.5, -1.5])
    n = Storage("12", "q", [7])
    sd = collections.OrderedDict()
    sd["w"] = Tensor(w, 0, (3, 2), (1, 3))
    sd["b"] = Tensor(b, 1, (2,), (1,))
    sd["n"] = Tensor(n, 0, (), ())
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd, [w, b, n]


def write_legacy(f, obj, storages):
    for header in (0x1950A86A20F9469CFC6C, 1001, {"protocol_version": 1001, "little_endian": True}):
        pickle.dump(header, f, protocol=2)
    Pickler(f, legacy=True).dump(obj)
    pickle.dump([s.key for s in storages], f, protocol=2)
    for s in storages:
        f.write(struct.pack("<q", len(s.values)) + s.data())


def write_zip(path, obj, storages):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        with z.open("archive/data.pkl", "w") as f:
            Pickler(f, legacy=False).dump(obj)
        z.writestr("archive/byteorder", "little")
        for s in storages:
            z.writestr("archive/data/" + s.key, s.data())
        z.writestr("archive/version", "3\n")


class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2] + ".owned",))


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "zip":
        write_zip(out, *state_dict())
        return
    with open(out, "wb") as f:
        if kind == "legacy":
            write_legacy(f, *state_dict())
        else:
            write_legacy(f, {"w": Evil()}, [])


main()
