#!/usr/bin/python3
"""Golden file for BatchNormStateFileTests: a PyTorch twin of the test network ConvBatchNorm

    [Input(2, 5, 5)]
    [Conv2D(3, 3, Padding = 1, Bias = false), BatchNorm2D(Momentum = 0.2), Relu]
    [GlobalAvgPool2D, Flatten, Dense(2)]

trained for 3 steps (SGD, lr 0.1) so that its running statistics and num_batches_tracked have moved, then
saved with its full state_dict (the safetensors layout written by hand: torch 1.13 has no safetensors
module here) together with an input batch and the module's eval-mode output for it.

Run once with Debian's torch (apt-get install python3-torchvision): /usr/bin/python3 make_batchnorm_state.py
"""
import json
import struct

import torch
from torch import nn


class ConvBatchNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 3, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(3, momentum=0.2)
        self.dense1 = nn.Linear(3, 2)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        return self.dense1(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def save_safetensors(path, tensors):
    """The safetensors format: u64 header length, JSON header (sorted names), little-endian data."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().astype("<f4" if dtype == "F32" else "<i8").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


torch.manual_seed(15)
model = ConvBatchNorm()
with torch.no_grad():
    model.bn1.weight.uniform_(0.5, 1.5)
    model.bn1.bias.uniform_(-0.5, 0.5)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
model.train()
for step in range(3):
    x = torch.rand(4, 2, 5, 5) * 3 - 1 + step
    loss = model(x).square().sum()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

model.eval()
probe = torch.rand(2, 2, 5, 5) * 2 - 1
with torch.no_grad():
    expected = model(probe)

save_safetensors("conv-batchnorm.safetensors", model.state_dict())
save_safetensors("conv-batchnorm-probe.safetensors", {"input": probe, "output": expected})
print({k: tuple(v.shape) for k, v in model.state_dict().items()}, int(model.bn1.num_batches_tracked))
