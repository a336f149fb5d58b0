#!/usr/bin/env bash
# Regenerates the golden values in this folder with the PyTorch reference in ../shared/bench (the shared folder
# beside the repository). Needs Debian's PyTorch 1.13 (apt-get install python3-torch); run with bash regenerate.sh.
#
# The model: vocab 97, hidden 48, 4 heads sharing 2 key/value heads (head size 12), SwiGLU width 88, 2 layers,
# untied LM head, max_position_embeddings 64, F32. Weights are normal(0, 0.1), not the usual 0.02, so that attention
# is far from uniform and a RoPE, mask or GQA mistake moves the logits; norm weights are 1 + 0.1 * normal.
# Tokens: 4 sequences of 33 ids (32 predictions each). What each file holds:
#   config.json, model.safetensors   the checkpoint (written by write_tiny_llama.py)
#   tokens.txt                       one sequence per line
#   ref.json                         float32 reference: loss, loss_per_sequence, last_logits, greedy, gradient norms
#   ref64.json                       float64 ground truth: the same numbers computed in double precision
#   logits.safetensors               "logits" [33, 97]: every position of sequence 0, all 33 ids as input
#   grads.safetensors                F32 d(mean loss over all 128 predictions)/d(parameter) under the HF names
set -euo pipefail
cd "$(dirname "$0")"
B=../../../../../../../shared/bench
PY=/usr/bin/python3

$PY $B/write_tiny_llama.py . --vocab 97 --hidden 48 --inter 88 --layers 2 --heads 4 --kv_heads 2 --max_pos 64 \
    --std 0.1 --norm_noise 0.1 --seed 0 --tokens 4 --tok_len 33
rm -f tokens_v1.bin tokens_v2.bin
$PY $B/llama_ref_check.py . --tokens tokens.txt --prompt "5 6 7" --gen 8 --threads 2 \
    --grad_out grads.safetensors --logits_out logits.safetensors > ref.json
$PY $B/llama_ref_check.py . --tokens tokens.txt --prompt "5 6 7" --gen 8 --threads 2 --dtype float64 > ref64.json
# the reference prints absolute paths; keep the committed files free of this machine's layout
sed -i -e "s|\"$PWD/|\"|g" -e "s|\"$PWD\"|\".\"|g" ref.json ref64.json
