"""The TTNN Qwen3 causal LM: `build_model(hf_model, tt_device, max_seq_len)`.

Two explicit modes, as in tt-metal's tt_transformers:
- `prefill(tokens, user)`: one user's prompt, padded to a multiple of 32 and run in chunks of at
  most `prefill_chunk_size` tokens, KV written with `fill_cache`, causal SDPA (later chunks attend
  to the cache through a mask); logits for every position or only the last.
- `decode(tokens, positions)`: one token for each of up to 32 users at their own positions, KV
  written with `paged_update_cache`, `sdpa_decode`. Host-side preparation (ids, positions, RoPE
  row ids) is separate from the device step, which reads only its input device tensors; with
  `trace=True` that same step is captured once after a warm-up run and replayed
  (`execute_trace`) on persistent input buffers refreshed with `copy_host_to_device_tensor`.
`forward` maps HF's calling convention onto them so `GenerationMixin.generate()` works.
"""

from __future__ import annotations

import copy
from typing import Callable, Protocol, runtime_checkable

import torch
import ttnn
from transformers import GenerationMixin, PreTrainedModel, Qwen3Config
from transformers.modeling_outputs import CausalLMOutputWithPast

from tt_qwen.hf_compat import given_cache, lm_output
from tt_qwen.model.attention import SKIP_USER
from tt_qwen.model.config import DTYPES, MAX_DECODE_BATCH, TILE, Qwen3Dims, precision_plan
from tt_qwen.model.decoder import DecoderLayer
from tt_qwen.model.footprint import check_fits, weight_bytes
from tt_qwen.model.kv_cache import KVCache, PagedConfig, PagedKVCache
from tt_qwen.model.rmsnorm import RMSNorm
from tt_qwen.model.rope import RotaryEmbedding
from tt_qwen.model.trace import DecodeTrace
from tt_qwen.model.weights import WeightLoader
from tt_qwen.target import target_of

# fill_cache in ttnn 0.81.1 takes any length (the mock tier checks it; OPS.md's grid limit is from
# older releases). Chunks bound what one prefill pass holds on the device, as tt_transformers'
# MAX_PREFILL_CHUNK_SIZE does; 2048 is the longest prefill the public bring-up measured.
DEFAULT_PREFILL_CHUNK = 2048


def build_model(hf_model, tt_device, max_seq_len, **options) -> "Qwen3ForTTNN":
    return Qwen3ForTTNN(hf_model, tt_device, max_seq_len, **options)


class TTKVCacheState:
    """What `forward` hands back as `past_key_values`: the tokens each user of the call has in
    the cache (the KV tensors themselves stay on the device, in the model)."""

    def __init__(self, lengths: list[int]):
        self.lengths = lengths

    def get_seq_length(self, layer_idx: int = 0) -> int:
        return max(self.lengths, default=0)


@runtime_checkable
class TTModelProtocol(Protocol):
    """What tt_qwen.eval and tt_qwen.probes rely on beyond HF's forward. Qwen3ForTTNN provides it;
    a bring-up file's model need not (it is then scored without per-layer PCC and roofline)."""

    dims: Qwen3Dims  # the model's dimensions (the decode roofline reads them)
    mlp_dtype: str  # "bfloat16" or "bfloat8_b"
    # None, or observer(layer_index, "prefill" | "decode", x): the residual stream after each layer.
    layer_observer: Callable | None

    def prefill(self, tokens, user: int = 0, last_token_only: bool = False) -> torch.Tensor: ...

    def decode(self, tokens, positions, users=None) -> torch.Tensor: ...


class Qwen3ForTTNN(PreTrainedModel, GenerationMixin):
    """A torch.nn.Module + GenerationMixin. It derives from PreTrainedModel (itself an nn.Module)
    because GenerationMixin in transformers 5 calls a dozen of its methods; there are no torch
    parameters: the weights live on the TTNN device."""

    config_class = Qwen3Config
    base_model_prefix = "model"
    main_input_name = "input_ids"
    _supports_sdpa = True  # attention runs in TTNN; this only quiets PreTrainedModel's init check

    def __init__(self, hf_model, tt_device, max_seq_len: int, *, max_batch_size: int = MAX_DECODE_BATCH,
                 mlp_dtype: str = "bfloat16", weight_cache_dir=None, prefill_chunk_size: int | None = None,
                 prefill_decode: bool = False, paged: PagedConfig | None = None, trace: bool = False):
        self.dims = dims = Qwen3Dims.from_hf(hf_model.config)
        # A copy: PreTrainedModel's init writes attention settings into the config it is given.
        super().__init__(copy.deepcopy(hf_model.config))
        if getattr(hf_model, "generation_config", None) is not None:
            self.generation_config = copy.deepcopy(hf_model.generation_config)
        if mlp_dtype not in DTYPES:
            raise ValueError(f"mlp_dtype {mlp_dtype!r} is not one of {DTYPES}")
        if not isinstance(max_seq_len, int) or max_seq_len < 1:
            raise ValueError(f"max_seq_len must be a positive integer, got {max_seq_len!r}")
        self.max_seq_len = max_seq_len
        self.max_batch_size = max_batch_size
        self.mlp_dtype = mlp_dtype
        self.prefill_decode = prefill_decode
        self.trace = DecodeTrace(tt_device) if trace else None
        cache_len = -(-max_seq_len // TILE) * TILE
        check_fits(dims, cache_len, max_batch_size, weight_bytes(dims, mlp_dtype), target_of(tt_device), paged=paged)
        self.prefill_chunk_size = prefill_chunk_size or DEFAULT_PREFILL_CHUNK
        chunk_unit = paged.block_size if paged else TILE  # a paged chunk starts on a block
        if self.prefill_chunk_size % chunk_unit:
            raise ValueError(f"prefill_chunk_size {self.prefill_chunk_size} must be a multiple of {chunk_unit}")
        self.tt_device = tt_device

        self.loader = loader = WeightLoader(tt_device, weight_cache_dir)
        hf = hf_model.model
        self.embed_tokens = loader.table("embed_tokens", hf.embed_tokens.weight)
        mlp_tt_dtype = ttnn.bfloat8_b if mlp_dtype == "bfloat8_b" else ttnn.bfloat16
        self.layers = [DecoderLayer(loader, i, layer, dims, ttnn.bfloat16, mlp_tt_dtype) for i, layer in enumerate(hf.layers)]
        self.norm = RMSNorm(loader, "norm", hf.norm.weight, dims.rms_norm_eps)
        self.lm_head = loader.linear("lm_head", hf_model.lm_head.weight)
        self.rope = RotaryEmbedding(loader, dims.head_dim, dims.rope_theta, cache_len)
        self.kv_cache = (PagedKVCache(tt_device, dims, cache_len, max_batch_size, paged) if paged
                         else KVCache(tt_device, dims, cache_len, max_batch_size))
        self.lengths = [0] * max_batch_size
        # Debug hook: observer(layer_index, mode, x) sees the residual stream after every layer
        # ("prefill" chunks in order, or "decode" steps), as the per-layer PCC tests need.
        self.layer_observer = None

    def release(self) -> None:
        """Free the model's device memory (weights, RoPE tables, KV cache, the decode trace); the model
        is unusable after."""
        if self.trace is not None:
            self.trace.release()
        self.loader.release()
        self.kv_cache.release()

    @property
    def device(self) -> torch.device:
        return torch.device("cpu")  # logits come back as CPU torch tensors

    @property
    def dtype(self) -> torch.dtype:
        return torch.float32

    # ---- prefill ------------------------------------------------------------------------------

    def prefill(self, tokens, user: int = 0, last_token_only: bool = False) -> torch.Tensor:
        """Logits [S, vocab] (or [1, vocab]) for one user's prompt, which starts a new sequence."""
        tokens = self._check_tokens(tokens, f"prompt of user {user}")
        self._check_user(user)
        self._check_fits_cache(len(tokens), f"prompt of {len(tokens)} tokens")
        self.lengths[user] = 0
        self.kv_cache.start_sequence(user, len(tokens))
        if self.prefill_decode:
            return self._prefill_by_decode(tokens, user, last_token_only)
        padded = torch.zeros(-(-len(tokens) // TILE) * TILE, dtype=torch.int64)
        padded[: len(tokens)] = tokens
        logits = []
        last_chunk_start = (len(tokens) - 1) // self.prefill_chunk_size * self.prefill_chunk_size
        for start in range(0, len(padded), self.prefill_chunk_size):
            chunk = padded[start: start + self.prefill_chunk_size]
            if last_token_only and start != last_chunk_start:
                self._prefill_chunk(chunk, user, start, logit_rows=None)
                continue
            rows = slice(len(tokens) - 1 - start, len(tokens) - start) if last_token_only else slice(0, len(chunk))
            logits.append(self._prefill_chunk(chunk, user, start, logit_rows=rows))
        self.lengths[user] = len(tokens)
        return torch.cat(logits)[: 1 if last_token_only else len(tokens)]

    def _prefill_chunk(self, chunk, user, start, logit_rows):
        x = self._embed(chunk.reshape(1, -1))
        for layer in self.layers:
            x = layer.prefill(x, self.rope, self.kv_cache, user, start)
            self._observe(layer, "prefill", x)
        if logit_rows is None:
            ttnn.deallocate(x)
            return None
        if logit_rows.stop - logit_rows.start < x.shape[2]:
            # Only the tile that holds the wanted rows goes through the LM head.
            tile_start = logit_rows.start // TILE * TILE
            x = ttnn.slice(x, [0, 0, tile_start, 0], [1, 1, tile_start + TILE, self.dims.hidden_size])
            logit_rows = slice(logit_rows.start - tile_start, logit_rows.stop - tile_start)
        return self._logits(x)[logit_rows]

    def _prefill_by_decode(self, tokens, user, last_token_only):
        """Debug path: the prompt token by token through decode (never needed for correctness)."""
        rows = [self.decode(tokens[i: i + 1], [i], users=[user])[0] for i in range(len(tokens))]
        return torch.stack(rows[-1:] if last_token_only else rows)

    # ---- decode -------------------------------------------------------------------------------

    def decode(self, tokens, positions, users=None) -> torch.Tensor:
        """Logits [B, vocab]: token i of user users[i] (default i) at position positions[i]."""
        tokens = self._check_tokens(tokens, "decode tokens")
        users = list(range(len(tokens))) if users is None else list(users)
        positions = [int(p) for p in positions]
        if not (len(users) == len(positions) == len(tokens)):
            raise ValueError(f"decode: {len(tokens)} tokens, {len(positions)} positions and {len(users)} users must match")
        for user, position in zip(users, positions):
            self._check_user(user)
            self._check_fits_cache(position + 1, f"user {user} at position {position}")
            self.kv_cache.reserve(user, position + 1)
        batch_tokens = torch.zeros(self.max_batch_size, dtype=torch.int64)
        batch_positions = torch.full((self.max_batch_size,), SKIP_USER, dtype=torch.int64)
        batch_tokens[users] = tokens
        batch_positions[users] = torch.tensor(positions)
        inputs = self._decode_inputs(batch_tokens, batch_positions)
        if self.trace is None:
            logits = self._run_untraced(inputs)
        else:
            if self.layer_observer is not None:
                raise ValueError("decode with trace=True cannot call layer_observer: reading the residual back "
                                 "inside a trace capture is refused; build the model without trace for per-layer PCC")
            logits = self.trace.run(self._decode_step, inputs)
        for user, position in zip(users, positions):
            self.lengths[user] = position + 1
        return self._read_logits(logits, users)

    def _decode_inputs(self, batch_tokens, batch_positions) -> dict:
        """Everything the decode step reads, as {name: (int32 torch values, ttnn dtype)}: the
        contents of its device input tensors (row-major)."""
        inputs = {"tokens": (batch_tokens.reshape(1, -1).to(torch.int32), ttnn.uint32),
                  "positions": (batch_positions.to(torch.int32), ttnn.int32)}
        row_ids = self.rope.decode_row_ids(batch_positions, self.dims.num_attention_heads, self.dims.num_key_value_heads)
        inputs.update({f"rope_{name}": (ids, ttnn.uint32) for name, ids in row_ids.items()})
        return inputs

    def _run_untraced(self, inputs):
        on_device = {name: ttnn.from_torch(values, dtype=dtype, layout=ttnn.ROW_MAJOR_LAYOUT, device=self.tt_device)
                     for name, (values, dtype) in inputs.items()}
        logits = self._decode_step(on_device)
        for tensor in on_device.values():
            ttnn.deallocate(tensor)
        return logits

    def _decode_step(self, inputs):
        """The device part of decode: reads only `inputs` (device tensors) and the model's own
        buffers; the logits [1, 1, max_batch_size, vocab] stay on the device."""
        x = ttnn.embedding(inputs["tokens"], self.embed_tokens, layout=ttnn.TILE_LAYOUT)
        x = ttnn.reshape(x, [1, 1, self.max_batch_size, self.dims.hidden_size])
        rope_tables = self.rope.gather_rows({"q": inputs["rope_q"], "k": inputs["rope_k"]})
        for layer in self.layers:
            x = layer.decode(x, rope_tables, self.kv_cache, inputs["positions"])
            self._observe(layer, "decode", x)
        return self._lm_head(x)

    # ---- shared -------------------------------------------------------------------------------

    def _observe(self, layer, mode, x):
        if self.layer_observer is not None:
            self.layer_observer(layer.index, mode, x)

    def _embed(self, ids):
        tt_ids = ttnn.from_torch(ids.to(torch.int32), dtype=ttnn.uint32, layout=ttnn.ROW_MAJOR_LAYOUT, device=self.tt_device)
        x = ttnn.embedding(tt_ids, self.embed_tokens, layout=ttnn.TILE_LAYOUT)
        return ttnn.reshape(x, [1, 1, ids.shape[-1], self.dims.hidden_size])

    def _logits(self, x) -> torch.Tensor:
        """Final norm and LM head: [1, 1, R, hidden] on device -> [R, vocab] float32 on the host."""
        return self._read_logits(self._lm_head(x))

    def _lm_head(self, x):
        return ttnn.linear(self.norm(x), self.lm_head, compute_kernel_config=precision_plan().lm_head.compute.build())

    def _read_logits(self, logits, rows=None) -> torch.Tensor:
        """[R, vocab] float32 on the host, or only `rows` of it: a decode step reads back every
        user's row, and only the asked users' rows are converted (a slice when they are 0..n-1, so
        a full batch is not copied a second time)."""
        values = ttnn.to_torch(logits).reshape(-1, self.dims.vocab_size)
        if rows is not None:
            values = values[: len(rows)] if rows == list(range(len(rows))) else values[rows]
        return values.to(torch.float32)

    def _check_tokens(self, tokens, what) -> torch.Tensor:
        tokens = torch.as_tensor(tokens, dtype=torch.int64).reshape(-1)
        if tokens.numel() == 0:
            raise ValueError(f"{what} is empty: at least one token is needed")
        bad = tokens[(tokens < 0) | (tokens >= self.dims.vocab_size)]
        if bad.numel():
            raise ValueError(f"{what}: token id {int(bad[0])} is outside the vocabulary 0..{self.dims.vocab_size - 1}")
        return tokens

    def _check_user(self, user):
        if not 0 <= user < self.max_batch_size:
            raise ValueError(f"user {user} is outside the KV cache's batch 0..{self.max_batch_size - 1} (max_batch_size {self.max_batch_size})")

    def _check_fits_cache(self, length, what):
        if length > self.max_seq_len:
            raise ValueError(f"{what} needs {length} cache positions, more than max_seq_len {self.max_seq_len}")

    # ---- HF calling convention ----------------------------------------------------------------

    def forward(self, input_ids=None, past_key_values=None, attention_mask=None, logits_to_keep=0,
                use_cache=True, cache=None, **unused) -> CausalLMOutputWithPast:
        """input_ids [B, S]. Without tokens in the cache (`past_key_values`, or `cache` from
        transformers 5.24 on): prefill each user's prompt (equal lengths); with them: decode the
        last token of each user at its position."""
        if input_ids is None:
            raise ValueError("input_ids is required (inputs_embeds is not supported)")
        batch = input_ids.shape[0]
        if batch > self.max_batch_size:
            raise ValueError(f"batch {batch} is over max_batch_size {self.max_batch_size} (at most {MAX_DECODE_BATCH})")
        if attention_mask is not None and not bool(attention_mask.all()):
            raise ValueError("padded batches (attention_mask with zeros) are not supported: give every user a prompt of its own length via prefill()")
        state = given_cache(past_key_values, cache)
        if isinstance(state, TTKVCacheState) and state.get_seq_length() > 0:
            positions = state.lengths[:batch]
            logits = self.decode(input_ids[:, -1], positions).unsqueeze(1)
        else:
            last_only = logits_to_keep == 1
            logits = torch.stack([self.prefill(input_ids[b], user=b, last_token_only=last_only) for b in range(batch)])
        return lm_output(logits, TTKVCacheState(self.lengths[:batch]))

