#!/usr/bin/env python3
# PyTorch yardstick for advgrad's ImageNet networks with PyTorch names
# (nn/resnet_imagenet.h: resnet-18, resnet-50; nn/mobilenet_v2.h;
# nn/efficientnet.h: efficientnet-b0): torchvision's own modules, and
# EfficientNet-B0 from the efficientnet_pytorch package (PyPI, 0.7.1, pure
# Python: `pip install --no-deps efficientnet_pytorch` into the venv), with
# random weights (BatchNorm statistics and affine parameters randomised too,
# so eval-mode BN is not the identity).
#
#   torch_imagenet_zoo.py --out DIR [--size 96]
#       for each arch writes DIR/<arch>.pth (torch.save of the torchvision
#       state dict, num_batches_tracked included: what a user would load) and
#       DIR/<arch>.io.safetensors with "image" [2, 3, size, size] in [0, 1]
#       and torchvision's eval-mode "logits" for it (the ImageNet mean/std
#       applied here, as advgrad does inside the model).
#   then: ADVGRAD_TORCH_ZOO_DIR=DIR ctest --preset ci -R ImageNetZooTorchParity -V
#       loads each .pth with nn::load_pretrained, runs the image and prints
#       the max |logit difference|.
#
# Run it with the PyTorch venv of /work/shared/tools/torch-reference
# (~/.cache/advgrad-torch-venv/bin/python; torchvision is installed there).
import argparse, os
import torch
import torchvision
from safetensors.torch import save_file



def efficientnet_b0():
    from efficientnet_pytorch import EfficientNet  # names _conv_stem, _blocks.N._se_reduce, ...
    return EfficientNet.from_name("efficientnet-b0")  # no image_size: TF "SAME" computed per input


ARCHS = {"resnet-18": torchvision.models.resnet18, "resnet-50": torchvision.models.resnet50,
         "mobilenet-v2": torchvision.models.mobilenet_v2, "efficientnet-b0": efficientnet_b0}
MEAN, STD = torch.tensor([0.485, 0.456, 0.406]), torch.tensor([0.229, 0.224, 0.225])


def randomise_batch_norms(model, gen):
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = torch.rand(c, generator=gen) + 0.5
            m.bias.data = torch.randn(c, generator=gen) * 0.1
            m.running_mean.data = torch.randn(c, generator=gen) * 0.1
            m.running_var.data = torch.rand(c, generator=gen) + 0.5
            m.num_batches_tracked.fill_(1000)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--size", type=int, default=96)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    image = torch.rand(2, 3, a.size, a.size, generator=gen)
    for arch, make in ARCHS.items():
        model = make()
        randomise_batch_norms(model, gen)
        model.eval()
        with torch.no_grad():
            logits = model((image - MEAN.view(1, 3, 1, 1)) / STD.view(1, 3, 1, 1))
        torch.save(model.state_dict(), os.path.join(a.out, arch + ".pth"))
        save_file({"image": image.contiguous(), "logits": logits.contiguous()},
                  os.path.join(a.out, arch + ".io.safetensors"))
        params = sum(t.numel() for t in model.parameters())
        print(f"{arch}: {params} parameters, {len(model.state_dict())} state-dict tensors, "
              f"logits up to {logits.abs().max().item():.3f}")


if __name__ == "__main__":
    main()
