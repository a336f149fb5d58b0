#!/usr/bin/env bash
# Regenerates dtypes.safetensors: the same float32 values as F32, F16, BF16 and F64, converted and written by the
# reference in ../shared/bench/llama_ref_check.py (numpy's float16 and its round-to-nearest-even bfloat16, as
# PyTorch converts). Our reader must read what it wrote and our writer must write the identical file.
# Needs Debian's PyTorch 1.13 (apt-get install python3-torch); run with bash regenerate.sh.
set -euo pipefail
cd "$(dirname "$0")"
B=../../../../../../../shared/bench
/usr/bin/python3 - "$B" <<'PY'
import sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from llama_ref_check import write_safetensors
rng = np.random.default_rng(0)
special = [0.0, -0.0, 1.0, -2.5, float("inf"), float("-inf"), float("nan"),
           1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-11, 1 + 3 * 2**-11,  # bfloat16 and float16 ties: round to even
           65504.0, 65520.0, 1e5, 6e-8, 1e-6, 3e-5, 1e-40, -1e-45, 3.4e38]  # float16 max, overflow, subnormals
values = np.concatenate([np.array(special, dtype=np.float32),
                         (rng.standard_normal(40) * 10.0 ** rng.integers(-8, 7, 40)).astype(np.float32)])
t = torch.from_numpy(values)
names = {"f32": "F32", "f16": "F16", "bf16": "BF16", "f64": "F64"}
write_safetensors("dtypes.safetensors", {n: t for n in names}, names, metadata={"format": "pt"})
PY
