"""Per family: KV bytes per token and weights of a catalog entry, checked against the config facts by hand.

Each row's numbers are worked out from the entry's config.json fields (listed in the comment) with the
arithmetic shown, independently of the code: KV per token and layer is 2 (K and V) × KV heads × head size ×
2 bytes (bf16) on full and sliding attention layers, (kv_lora_rank + qk_rope_head_dim) × 2 bytes on MLA
layers (vLLM 0.7.1+); parameters are embeddings + per-layer attention, MLP/experts, norms. Where the
published total includes terms the estimate leaves out (biases, q/k norms, learned positions), the
tolerance says how much that is.
"""

from __future__ import annotations

import pytest

from vllm_lint.memory.kv import attn_bytes_per_token_layer
from vllm_lint.memory.weights import weights_per_rank
from vllm_lint.models.resolve import lookup_catalog

# (id, attention layers, KV bytes per token per layer (bf16, TP 1), parameters, relative tolerance[,
#  weight bytes of a quantized checkpoint]); bf16 checkpoints hold two bytes per parameter.
FAMILIES = [
    # llama: h 4096, 32 layers, 32 heads, 8 KV heads x 128, inter 14336, vocab 128256, untied.
    # KV 2*8*128*2 = 4096. Params: 2*128256*4096 + 32*(4096*4096 + 2*4096*1024 + 4096*4096
    #   + 3*4096*14336 + 2*4096) + 4096 = 8,030,261,248 (the published count).
    ("meta-llama/Llama-3.1-8B-Instruct", 32, 4096, 8_030_261_248, 0),
    # qwen (Qwen2): h 3584, 28 layers, 28 heads, 4 KV x 128, inter 18944, vocab 152064, untied.
    # KV 2*4*128*2 = 2048. Params 2*152064*3584 + 28*(3584^2*2 + 2*3584*512 + 3*3584*18944 + 2*3584) + 3584
    #   = 7,615,487,488; the published 7,615,616,512 adds the q/k/v biases (28 x 4608 = 129,024, 0.002 %).
    ("Qwen/Qwen2.5-7B-Instruct", 28, 2048, 7_615_616_512, 2e-5),
    # qwen3: h 4096, 36 layers, 32 heads, 8 KV x 128 (head_dim given), inter 12288, vocab 151936.
    # KV 4096. Params 2*151936*4096 + 36*(2*4096*4096 + 2*4096*1024 + 3*4096*12288 + 2*4096) + 4096
    #   = 8,190,726,144 (+ q/k norms 36 x 256 = 9,216 left out).
    ("Qwen/Qwen3-8B", 36, 4096, 8_190_735_360, 2e-6),
    # mistral v0.3: as Llama-3.1-8B's layers with vocab 32768 -> 7,248,023,552 (published).
    ("mistralai/Mistral-7B-Instruct-v0.3", 32, 4096, 7_248_023_552, 0),
    # mixtral: 8 experts of 3*4096*14336 per layer + router 4096*8, vocab 32000:
    # 2*32000*4096 + 32*(41,943,040 attn + 8*176,160,768 + 32,768 + 8192) + 4096 = 46,702,792,704 (published).
    ("mistralai/Mixtral-8x7B-v0.1", 32, 4096, 46_702_792_704, 0),
    # qwen3-moe: h 2048, 48 layers, 32 heads, 4 KV x 128, 128 experts of 768, vocab 151936.
    # KV 2*4*128*2 = 2048. Params 2*151936*2048 + 48*(2048*4096*2 + 2*2048*512 + 128*3*2048*768 + 2048*128
    #   + 2*2048) + 2048 = 30,532,110,336 ("30.5B total").
    ("Qwen/Qwen3-30B-A3B", 48, 2048, 30_532_110_336, 0),
    # gemma2: h 3584, 42 layers (21 sliding + 21 global), 16 heads, 8 KV x 256, inter 14336, vocab 256000, tied.
    # KV 2*8*256*2 = 8192 on every layer. Params 256000*3584 + 42*(3584*4096*2 + 2*3584*2048 + 3*3584*14336
    #   + 4*3584) + 3584 = 9,241,705,984 (published); the estimate counts 2 of Gemma 2's 4 norms (0.003 %).
    ("google/gemma-2-9b-it", 42, 8192, 9_241_705_984, 5e-5),
    # yi: Llama layout, h 7168, 60 layers, 56 heads, 8 KV x 128, inter 20480, vocab 64000.
    # KV 4096. Params 2*64000*7168 + 60*(2*7168^2 + 2*7168*1024 + 3*7168*20480 + 2*7168) + 7168 = 34,388,917,248.
    ("01-ai/Yi-1.5-34B-Chat", 60, 4096, 34_388_917_248, 0),
    # granite: h 4096, 40 layers, 32 heads, 8 KV x 128, inter 12800, vocab 49155, tied.
    # KV 4096. Params 49155*4096 + 40*(2*4096^2 + 2*4096*1024 + 3*4096*12800 + 2*4096) + 4096 = 8,170,848,256.
    ("ibm-granite/granite-3.2-8b-instruct", 40, 4096, 8_170_848_256, 0),
    # command-r: h 8192, 40 layers, 64 heads, 8 KV x 128, inter 24576, vocab 256000, tied (Cohere default).
    # KV 4096. Params 256000*8192 + 40*(2*8192^2 + 2*8192*1024 + 3*8192*24576 + 2*8192) + 8192 = 32,296,804,352.
    ("CohereForAI/c4ai-command-r-08-2024", 40, 4096, 32_296_804_352, 0),
    # smollm: h 960, 32 layers, 15 heads, 5 KV x 64, inter 2560, vocab 49152, tied.
    # KV 2*5*64*2 = 1280. Params 49152*960 + 32*(960*960*2 + 2*960*320 + 3*960*2560 + 2*960) + 960 = 361,821,120.
    ("HuggingFaceTB/SmolLM2-360M-Instruct", 32, 1280, 361_821_120, 0),
    # deepseek (MLA): h 7168, 61 layers, 128 heads, q_lora 1536, kv_lora 512, rope 64, nope 128, v 128;
    # first 3 layers dense (18432), 58 MoE layers of 256 experts x 2048 + 1 shared + router; vocab 129280.
    # KV (512 + 64) * 2 = 1152. Attention/layer 7168*1536 + 1536*128*192 + 7168*576 + 512*128*256 + 128*128*7168
    #   = 187,105,280. Params 2*129280*7168 + 61*187,105,280 + 3*3*7168*18432 + 58*(256*3*7168*2048
    #   + 3*7168*2048 + 7168*256) + 61*2*7168 + 7168 = 671,026,279,424 ("671B").
    # Weights: FP8 (block 128x128) linear layers at 1 byte, embeddings, lm_head and norms at 2:
    # (671,026,279,424 - 2*926,679,040 - 881,664) * 1 + (2*926,679,040 + 881,664) * 2 = 672,880,519,168,
    # plus the bf16 copy of the dequantized kv_b_proj each MLA layer keeps after loading (0.8+):
    # 512 * 128 * (128 + 128) * 61 * 2 = 2,046,820,352 -> 674,927,339,520.
    ("deepseek-ai/DeepSeek-V3", 61, 1152, 671_026_279_424, 0, 674_927_339_520),
    # kimi: DeepSeek-V3 layout with 64 heads, 384 experts, 1 dense layer, vocab 163840:
    # 2*163840*7168 + 61*(7168*1536 + 1536*64*192 + 7168*576 + 512*64*256 + 64*128*7168) + 3*7168*18432
    #   + 60*(384*3*7168*2048 + 3*7168*2048 + 7168*384) + 61*2*7168 + 7168 = 1,026,408,084,480 ("1T").
    # FP8 weights: (1,026,408,084,480 - 2*1,174,405,120 - 881,664) + 2*(2*1,174,405,120 + 881,664)
    #   = 1,028,757,776,384, plus the kv_b_proj copy 512 * 64 * 256 * 61 * 2 = 1,023,410,176 -> 1,029,781,186,560.
    ("moonshotai/Kimi-K2-Instruct", 61, 1152, 1_026_408_084_480, 0, 1_029_781_186_560),
    # gpt-oss: h 2880, 24 layers (12 sliding 128 + 12 full), 64 heads, 8 KV x 64, 32 experts of 2880, vocab 201088.
    # KV 2*8*64*2 = 2048. Params 2*201088*2880 + 24*(2880*4096*2 + 2*2880*512 + 32*3*2880*2880 + 2880*32
    #   + 2*2880) + 2880 = 20,907,927,360 ("21B"; biases and sinks, 0.03 %, left out).
    # MXFP4 experts (0.5 byte + one e8m0 scale per 32 = 17/32 byte): 24*32*3*2880*2880 = 19,110,297,600 params
    # -> 10,152,345,600 bytes; the other 1,797,629,760 params at 2 bytes -> 3,595,259,520; total 13,747,605,120.
    ("openai/gpt-oss-20b", 24, 2048, 20_907_927_360, 0, 13_747_605_120),
    # falcon (MQA, ungated MLP, tied): h 4544, 32 layers, 71 heads, 1 KV head x 64, inter 18176, vocab 65024.
    # KV 2*1*64*2 = 256. Params 65024*4544 + 32*(4544*4544*2 + 2*4544*64 + 2*4544*18176 + 2*4544) + 4544
    #   = 6,921,716,160.
    ("tiiuae/falcon-7b", 32, 256, 6_921_716_160, 0),
    # llama4 (iRoPE): h 5120, 48 layers (36 chunked-local + 12 global), 40 heads, 8 KV x 128, 16 experts of 8192
    # + 1 shared of 8192 on every layer, vocab 202048. KV 4096. Params 2*202048*5120 + 48*(5120*5120*2
    #   + 2*5120*1024 + 16*3*5120*8192 + 3*5120*8192 + 5120*16 + 2*5120) + 5120 = 107,769,861,120
    #   (the language model; the vision tower is left out here).
    ("meta-llama/Llama-4-Scout-17B-16E-Instruct", 48, 4096, 107_769_861_120, 0),
    # qwen3-next (12 gated-attention layers among 48, the rest gated delta-net): 16 heads, 2 KV x 256.
    # KV 2*2*256*2 = 2048. Gated attention/layer 2048*8192 + 2*2048*512 + 4096*2048 + 2*256 = 27,263,488;
    # delta-net/layer 2048*(2*2048 + 2*4096) + 2048*64 + (2*2048 + 4096)*4 + 64 + 128 + 4096*2048 = 33,718,464;
    # 512 experts of 512 + shared 512 + router on each layer, vocab 151936:
    # 2*151936*2048 + 12*27,263,488 + 36*33,718,464 + 48*(512*3*2048*512 + 3*2048*512 + 2048*512)
    #   + 48*2*2048 + 2048 = 79,674,292,992 ("80B").
    ("Qwen/Qwen3-Next-80B-A3B-Thinking", 12, 2048, 79_674_292_992, 0),
    # nemotron-h: pattern of 52 layers, 23 Mamba-2 (M), 23 MoE (E), 6 attention (*); 32 heads, 2 KV x 128.
    # KV 2*2*128*2 = 1024. Mamba-2/layer (64 heads x 64, 8 groups, state 128, kernel 4) 2688*(2*4096 + 2*8*128
    #   + 64) + (4096 + 2048)*5 + 3*64 + 4096 + 4096*2688 = 38,742,208; MoE/layer 128 ungated experts 2*2688*1856
    #   + shared 2*2688*3712 + router 2688*128 = 1,297,465,344; attention/layer 23,396,352; vocab 131072:
    # 2*131072*2688 + 23*38,742,208 + 23*1,297,465,344 + 6*23,396,352 + 52*2*2688 + 2688 = 31,578,077,120 ("31.6B").
    ("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", 6, 1024, 31_578_077_120, 0),
    # jamba: 32 layers, attention at 4, 12, 20, 28 (8 KV x 128), Mamba-1 elsewhere (d_inner 8192, state 16,
    # dt_rank 256, kernel 4), 16 experts of 14336 on odd layers, dense 14336 on even ones, vocab 65536.
    # KV 4096. Mamba/layer 4096*16384 + 8192*5 + 8192*(256 + 32) + 256*8192 + 8192 + 8192*16 + 8192 + 8192*4096
    #   + 256 + 32 = 105,308,448. Params 2*65536*4096 + 4*(2*4096^2 + 2*4096*1024) + 28*105,308,448
    #   + 16*(16*3*4096*14336 + 4096*16) + 16*3*4096*14336 + 32*2*4096 + 4096 = 51,570,323,328 ("52B").
    ("ai21labs/Jamba-v0.1", 4, 4096, 51_570_323_328, 0),
    # gpt2 (DialoGPT-medium): h 1024, 24 layers, 16 heads x 64 (MHA), ungated MLP 4096, vocab 50257, tied.
    # KV 2*16*64*2 = 4096. Published 354,823,168 = 24*(4*1024^2 + 2*1024*4096 + biases 9216 + norms 4096)
    #   + 50257*1024 + positions 1024*1024 + 2048; the estimate leaves out the learned positions and
    #   biases (1,319,936, 0.37 %).
    ("microsoft/DialoGPT-medium", 24, 4096, 354_823_168, 4e-3),
    # minicpm: h 2304, 40 layers, 36 heads x 64 (MHA), inter 5760, vocab 122753, tied.
    # KV 2*36*64*2 = 9216. Params 122753*2304 + 40*(4*2304^2 + 3*2304*5760 + 2*2304) + 2304 = 2,724,880,896.
    ("openbmb/MiniCPM-2B-sft-bf16", 40, 9216, 2_724_880_896, 0),
    # bloom (ALiBi, ungated MLP, tied): h 1024, 24 layers, 16 heads x 64, inter 4096, vocab 250880.
    # KV 2*16*64*2 = 4096. Params 250880*1024 + 24*(4*1024^2 + 2*1024*4096 + 2*1024) + 1024 = 558,941,184; the
    #   published 559,214,592 adds the biases (24 x 9216), layer-norm biases (24 x 2048 + 1024) and the
    #   embedding layer norm (2048): 273,408, 0.05 %.
    ("bigscience/bloom-560m", 24, 4096, 559_214_592, 5e-4),
    # embedding-e5 (e5-mistral, MistralModel: no lm_head): Mistral-7B layers, vocab 32000 held once.
    # KV 4096. Params 32000*4096 + 32*(2*4096^2 + 2*4096*1024 + 3*4096*14336 + 2*4096) + 4096 = 7,110,660,096.
    ("intfloat/e5-mistral-7b-instruct", 32, 4096, 7_110_660_096, 0),
    # embedding-gte (gte-Qwen2-7B, Qwen2Model: no lm_head): Qwen2-7B layers, vocab 151646 held once.
    # KV 2048. Params 151646*3584 + 28*(2*3584^2 + 2*3584*512 + 3*3584*18944 + 2*3584) + 3584 = 7,068,992,000
    #   (+ q/k/v biases 28 x 4608 = 129,024 left out, 0.002 %).
    ("Alibaba-NLP/gte-Qwen2-7B-instruct", 28, 2048, 7_068_992_000, 0),
    # falcon3 (Llama layout): h 3072, 28 layers, 12 heads, 4 KV x 256, inter 23040, vocab 131072, untied.
    # KV 2*4*256*2 = 4096. Params 2*131072*3072 + 28*(2*3072*3072 + 2*3072*1024 + 3*3072*23040 + 2*3072) + 3072
    #   = 7,455,550,464 ("7.46B").
    ("tiiuae/Falcon3-7B-Instruct", 28, 4096, 7_455_550_464, 0),
    # glm (GLM-4.5, glm4_moe): h 5120, 92 layers, 96 heads, 8 KV x 128, first 3 dense (12288), 89 MoE layers of
    # 160 experts x 1536 + 1 shared + router, vocab 151552, untied. KV 2*8*128*2 = 4096.
    # Params 2*151552*5120 + 92*(5120*12288*2 + 2*5120*1024) + 3*3*5120*12288 + 89*(160*3*5120*1536
    #   + 3*5120*1536 + 5120*160) + 92*2*5120 + 5120 = 352,796,472,320 (the MTP layer and biases left out).
    ("zai-org/GLM-4.5", 92, 4096, 352_796_472_320, 0),
    # embedding-qwen (Qwen3-Embedding-0.6B): h 1024, 28 layers, 16 heads, 8 KV x 128, inter 3072, vocab 151669, tied.
    # KV 2*8*128*2 = 4096. Params 151669*1024 + 28*(1024*2048 + 2*1024*1024 + 2048*1024 + 3*1024*3072 + 2*1024)
    #   + 1024 = 595,769,344; keras-hub publishes 595,776,512 for it, the q/k norms (28 x 256) included.
    ("Qwen/Qwen3-Embedding-0.6B", 28, 4096, 595_776_512, 2e-5),
    # trinity (afmoe, Trinity-Mini): h 2048, 32 layers (3 sliding of window 2048 + 1 full, x 8), 32 heads, 4 KV x 128,
    # an attention output gate (2048 x 4096) and q/k norms, 2 dense layers of 6144, 30 MoE layers of 128 experts
    # x 1024 + 1 shared of 1024 + router, vocab 200192, untied. KV 2*4*128*2 = 2048 on every layer.
    # Params 2*200192*2048 + 32*(2048*4096*3 + 2*2048*512 + 2*128) + 2*3*2048*6144 + 30*(128*3*2048*1024
    #   + 3*2048*1024 + 2048*128) + 32*2*2048 + 2048 = 26,123,839,488 ("26B"; the second pair of sandwich norms
    #   and the expert biases, 134,912, left out).
    ("arcee-ai/Trinity-Mini", 32, 2048, 26_123_839_488, 0),
    # bloom 176B (ALiBi: no position table; n_embed is transformers' old name for hidden_size): h 14336, 70 layers,
    # 112 heads x 128 (MHA), ungated MLP 4*14336, vocab 250880, tied. KV 2*112*128*2 = 57344.
    # Params 250880*14336 + 70*(4*14336^2 + 2*14336*57344 + 2*14336) + 14336 = 176,236,189,696; the published
    #   176,247,271,424 adds the linear and layer-norm biases (70 x 11*14336 + 14336) and the embedding
    #   layer norm (2*14336): 11,081,728, 0.006 %.
    ("bigscience/bloom", 70, 57344, 176_247_271_424, 1e-4),
    # llava (llava-1.5-7b-hf): a Vicuna-7B text_config (transformers' LlamaConfig defaults: h 4096, 32 layers,
    # 32 heads x 128, MHA, inter 11008) with vocab 32064, untied; the CLIP tower is estimated apart.
    # KV 2*32*128*2 = 16384. Params 2*32064*4096 + 32*(4*4096^2 + 3*4096*11008 + 2*4096) + 4096 = 6,738,939,904.
    ("llava-hf/llava-1.5-7b-hf", 32, 16384, 6_738_939_904, 0),
    # glm (GLM-OCR's glm_ocr_text decoder): h 1536, 16 layers, 16 heads x 128 (q 2048 wide), 8 KV x 128,
    # inter 4608, vocab 59392, untied. KV 2*8*128*2 = 4096. Params 2*59392*1536 + 16*(1536*2048 + 2*1536*1024
    #   + 2048*1536 + 3*1536*4608 + 2*1536) + 1536 = 673,236,480; with GLM-4's two extra sandwich norms per
    #   layer (16*2*1536 = 49,152, 0.007 %, left out by the estimate) 673,285,632. The MTP layer counts only
    #   under speculative decoding.
    ("zai-org/GLM-OCR", 16, 4096, 673_285_632, 1e-4),
]


@pytest.mark.parametrize("model_id,attn_layers,kv_per_layer,params,tol,weight_bytes",
                         [f if len(f) == 6 else (*f, None) for f in FAMILIES], ids=[f[0] for f in FAMILIES])
def test_kv_bytes_per_token_and_weights_match_the_config_by_hand(model_id, attn_layers, kv_per_layer, params, tol,
                                                                 weight_bytes):
    a = lookup_catalog(model_id)
    assert a is not None and a.unsupported is None, model_id
    kinds = a.attention_layer_kinds()
    assert sum(1 for k in kinds if k in ("full", "sliding")) == attn_layers
    assert attn_bytes_per_token_layer(a, 1, 2, "0.26.0", {}) == kv_per_layer
    parts = a.param_breakdown()
    computed = sum(parts.values()) - parts["vision"]  # the language model (vision towers are estimated apart)
    assert abs(computed - params) <= tol * params, (computed, params)
    w = weights_per_rank(a, tp=1, pp=1, pp_rank=0, layers_on_rank=a.num_layers, dtype_bytes=2, vision=False)
    if weight_bytes is None:
        # bf16 weights on one GPU: two bytes per parameter (vocabularies padded to a multiple of 64 by vLLM)
        pad = (-a.vocab_size % 64) * a.hidden_size * (1 if a.tie_word_embeddings else 2)
        weight_bytes = 2 * (computed + pad)
    # w.rounding: whole allocator blocks vLLM's "Model loading took" also counts (memory/weight_segments.py)
    assert abs(w.bytes - w.rounding - weight_bytes) <= 8, (w.bytes, w.rounding, weight_bytes)


@pytest.mark.parametrize("model_id,state_elems", [
    # Mamba-2: (kernel - 1) x (d_inner + 2 x groups x state) + heads x head_dim x state
    #   = 3 x (4096 + 2*8*128) + 64*64*128 = 542,720
    ("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", 542_720),
    # Mamba-1: (kernel - 1) x d_inner + d_inner x state = 3*8192 + 8192*16 = 155,648
    ("ai21labs/Jamba-v0.1", 155_648),
    # gated delta-net: (kernel - 1) x (2 x key_dim + value_dim) + v_heads x k_dim x v_dim
    #   = 3 x (2*2048 + 4096) + 32*128*128 = 548,864
    ("Qwen/Qwen3-Next-80B-A3B-Thinking", 548_864),
])
def test_recurrent_state_per_sequence(model_id, state_elems):
    a = lookup_catalog(model_id)
    assert a.mamba_state_elems == state_elems
    assert "mamba" in a.attention_layer_kinds()


@pytest.mark.parametrize("model_id,why", [
    ("openai/whisper-large-v3-turbo", "cross-attention cache"),
    ("BAAI/bge-large-en-v1.5", "encoder-only"),
    ("deepseek-ai/DeepSeek-V3.2", "indexer key cache"),
    ("zai-org/GLM-5", "indexer key cache"),
    ("nvidia/Llama-3_3-Nemotron-Super-49B-v1", "block_configs"),
    ("google/gemma-4-31B-it", "different KV shape"),
    ("nvidia/NVIDIA-Nemotron-3-Super-120B-A12B-FP8", "latent space"),
    ("deepseek-ai/DeepSeek-V4-Flash", "compresses its KV cache"),
    ("poolside/Laguna-XS.2-FP8", "num_attention_heads_per_layer"),
    ("stepfun-ai/Step-3.7-Flash", "sliding-window"),
    ("XiaomiMiMo/MiMo-V2-Flash", "swa_"),
    ("MiniMaxAI/MiniMax-M3", "sparse attention"),
    ("moonshotai/Kimi-K3", "recurrent state"),
    ("thenlper/gte-large", "encoder-only"),
    ("nomic-ai/nomic-embed-text-v1.5", "encoder-only"),
])
def test_families_the_estimate_cannot_represent_say_why(model_id, why):
    a = lookup_catalog(model_id)
    assert why in (a.unsupported or ""), a.unsupported


def test_whisper_keeps_its_decoder_shapes_and_context():
    """Refused for capacity, but its decoder (4 layers, 20 heads of 64) and 448 positions stay readable."""
    a = lookup_catalog("openai/whisper-large-v3-turbo")
    assert (a.num_layers, a.num_attention_heads, a.head_dim) == (4, 20, 64)
    assert a.derived_max_model_len("0.26.0") == 448


def test_internvl_chat_wrapper_is_read_through_its_llm_config():
    """InternVL (``internvl_chat``, remote code) keeps its language model under ``llm_config``, as vLLM's
    ``InternVLChatModel`` reads it. A made-up Qwen2 layout: h 896, 24 layers, 14 heads x 64, 2 KV heads,
    inter 4864, vocab 151674, untied. KV 2*2*64*2 = 512 per layer. Params 2*151674*896 + 24*(2*896^2
    + 2*896*128 + 3*896*4864 + 2*896) + 896 = 629,670,272; the InternViT tower is counted apart."""
    from vllm_lint.models.arch import ModelArch

    cfg = {"architectures": ["InternVLChatModel"], "model_type": "internvl_chat",
           "llm_config": {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
                          "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
                          "num_key_value_heads": 2, "vocab_size": 151674, "max_position_embeddings": 32768,
                          "tie_word_embeddings": False},
           "vision_config": {"model_type": "intern_vit_6b", "hidden_size": 1024, "intermediate_size": 4096,
                             "num_hidden_layers": 24, "num_attention_heads": 16, "image_size": 448, "patch_size": 14}}
    a = ModelArch.from_config(cfg, id="fixture/internvl")
    assert a.unsupported is None and a.model_type == "qwen2" and a.num_layers == 24
    assert attn_bytes_per_token_layer(a, 1, 2, "0.26.0", {}) == 512
    parts = a.param_breakdown()
    assert sum(parts.values()) - parts["vision"] == 629_670_272
    assert parts["vision"] > 0
