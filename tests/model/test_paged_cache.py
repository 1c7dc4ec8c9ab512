"""The paged KV cache (`build_model(..., paged=PagedConfig(...))`) against HF float32, as
tt-metal's own paged tests: the pool's blocks handed out in a seeded random order (a permuted
page table), the cache checked un-permuted through it (`KVCache.to_torch`), users of different
lengths sharing one pool, a finished user's blocks reused, paged == unpaged, chunked prefill
(later chunks through chunked SDPA over the page table, as tt_transformers), decode across a
block edge, and the configurations it refuses.
"""

import pytest
import torch

from tests.model import checks, every_position
from tests.mutations.catalog import MUTANTS
from tt_qwen import build_model, reference, zoo
from tt_qwen.compare import assert_pcc
from tt_qwen.model.config import Qwen3Dims
from tt_qwen.model.footprint import check_fits, largest_num_blocks, weight_bytes
from tt_qwen.model.kv_cache import PagedConfig
from tt_qwen.optrace import record
from tt_qwen.thresholds import pcc_threshold

PAGED_MODEL = "tiny-gqa2"  # Qwen3-0.6B in miniature (GQA 2, q width != hidden)
MAX_SEQ_LEN = 256  # 4 blocks of 64 per user
BLOCK = 64
PERMUTED = PagedConfig(block_size=BLOCK, shuffle_seed=1234)
SHARED_POOL = PagedConfig(block_size=BLOCK, max_num_blocks=6, shuffle_seed=7)  # 6 blocks for 32 users


@pytest.fixture(scope="module")
def paged_hf():
    return zoo.load_hf_model(zoo.resolve(PAGED_MODEL)[0])


def assert_cache_matches_hf(tt_model, hf_model, ids, user, what):
    expected_kv = reference.kv_cache(hf_model, ids)
    every_position.assert_cache_every_position(expected_kv, tt_model, user, len(ids), pcc_threshold("model.kv_cache"), what)


@pytest.mark.parametrize("length", [130], ids=[f"{PAGED_MODEL}-paged-bs64-prefill-seq{n}" for n in (130,)])
def test_paged_prefill_matches_hf_at_every_position(build_tt, paged_hf, needs_numbers, length):
    """Three blocks, the last one partial; the check means something only if the user's blocks
    are not consecutive (a permuted page table) and the device table holds them."""
    tt_model = build_tt(paged_hf, MAX_SEQ_LEN, paged=PERMUTED)
    ids = checks.prompt(paged_hf, length, seed=length)
    expected_logits, expected_kv = every_position.hf_prefill(paged_hf, ids)
    logits = tt_model.prefill(ids, user=5)
    blocks = tt_model.kv_cache.blocks_of(5)
    assert len(blocks) == 3 and blocks != list(range(blocks[0], blocks[0] + 3)), f"user 5's blocks {blocks} are consecutive"
    assert tt_model.kv_cache.host_table[5, :3].tolist() == blocks, f"page table row {tt_model.kv_cache.host_table[5].tolist()}"
    every_position.assert_every_row(expected_logits, logits, pcc_threshold("model.logits"), f"paged prefill-seq{length} logits")
    every_position.assert_cache_every_position(expected_kv, tt_model, 5, length, pcc_threshold("model.kv_cache"),
                                               f"paged prefill-seq{length}")


def test_paged_decode_across_a_block_edge_matches_hf(build_tt, paged_hf, needs_numbers):
    """Positions 62..66: the last rows of block 0, the first of block 1 (a new block from the pool)."""
    tt_model = build_tt(paged_hf, MAX_SEQ_LEN, paged=PERMUTED)
    ids = checks.prompt(paged_hf, 67, seed=3)
    checks.check_decode_logits(tt_model, paged_hf, ids, prompt_len=62)
    assert len(tt_model.kv_cache.blocks_of(0)) == 2, "decode past position 63 must take a second block"
    assert_cache_matches_hf(tt_model, paged_hf, ids, 0, "paged decode-pos62-66")


def check_paged_chunked_prefill(tt_model, hf_model):
    """150 tokens in chunks of 64 for user 1: logits and cache at every position against HF."""
    ids = checks.prompt(hf_model, 150, seed=BLOCK)
    expected_logits, expected_kv = every_position.hf_prefill(hf_model, ids)
    logits = tt_model.prefill(ids, user=1)
    what = f"paged prefill-seq150-chunk{BLOCK}"
    every_position.assert_every_row(expected_logits, logits, pcc_threshold("model.logits"), f"{what} logits")
    every_position.assert_cache_every_position(expected_kv, tt_model, 1, 150, pcc_threshold("model.kv_cache"), what)


def test_paged_chunked_prefill_matches_hf_at_every_position(build_tt, paged_hf, needs_numbers):
    """Three chunks of 64 (the last one partial): later chunks write their own blocks and attend
    to the earlier ones with chunked SDPA through the (permuted) page table."""
    check_paged_chunked_prefill(build_tt(paged_hf, MAX_SEQ_LEN, paged=PERMUTED, prefill_chunk_size=BLOCK), paged_hf)


def test_paged_chunked_check_fails_when_the_mask_ignores_the_chunk_start(paged_hf, backend, needs_numbers,
                                                                         monkeypatch):
    """The mutant chunked-sdpa-ignores-chunk-start (the causal diagonal placed as if each chunk
    began at position 0): the first chunk is right, the check names a position of a later one."""
    MUTANTS["chunked-sdpa-ignores-chunk-start"].apply(monkeypatch, backend.ttnn)
    tt_model = build_model(paged_hf, backend.device, MAX_SEQ_LEN, paged=PERMUTED, prefill_chunk_size=BLOCK)
    later_chunk = r"(6[4-9]|[7-9]\d|1[0-4]\d)"  # positions 64..149
    try:
        with pytest.raises(AssertionError, match=rf"chunk64 logits at position {later_chunk} \(first failing"):
            check_paged_chunked_prefill(tt_model, paged_hf)
    finally:
        tt_model.release()


def test_later_paged_chunks_attend_through_chunked_sdpa(build_tt, paged_hf, backend):
    """tt_transformers' path: each chunk after the first calls chunked_scaled_dot_product_attention
    on the pool (once per layer), with no gather of the user's blocks (slice, concat) and no mask."""
    tt_model = build_tt(paged_hf, MAX_SEQ_LEN, paged=PERMUTED, prefill_chunk_size=BLOCK)
    with record(backend.ttnn) as calls:
        tt_model.prefill(checks.prompt(paged_hf, 150, seed=1), user=2, last_token_only=True)
    ops = [call["op"].removeprefix("ttnn.") for call in calls]
    layers = paged_hf.config.num_hidden_layers
    assert ops.count("transformer.chunked_scaled_dot_product_attention") == 2 * layers, ops
    assert ops.count("transformer.scaled_dot_product_attention") == layers, "only the first chunk runs causal SDPA"
    assert "concat" not in ops, "a later chunk gathered the user's blocks"


def test_paged_chunked_prefill_equals_unpaged_bit_for_bit(build_tt, paged_hf, needs_numbers):
    """Chunks of 64 over 150 tokens: chunked SDPA reads the same keys in the same k chunks of 32
    as the unpaged SDPA with its offset mask, on the same datapath, so the logits and every cached
    row are equal, not merely close."""
    ids = checks.prompt(paged_hf, 150, seed=51)
    runs = []
    for options in ({}, {"paged": PERMUTED}):
        tt_model = build_tt(paged_hf, MAX_SEQ_LEN, prefill_chunk_size=BLOCK, **options)
        logits = tt_model.prefill(ids, user=1)
        runs.append((logits, [tt_model.kv_cache.to_torch(i) for i in range(len(tt_model.layers))]))
    (unpaged_logits, unpaged_cache), (paged_logits, paged_cache) = runs
    assert torch.equal(unpaged_logits, paged_logits), "paged chunked prefill logits differ from unpaged"
    for layer, (unpaged_kv, paged_kv) in enumerate(zip(unpaged_cache, paged_cache)):
        for name, unpaged, paged in zip("KV", unpaged_kv, paged_kv):
            assert torch.equal(unpaged[1, :, :150], paged[1, :, :150]), f"layer {layer} {name} cache differs"


def test_users_of_different_lengths_share_one_pool(build_tt, paged_hf, needs_numbers):
    """Three users (20, 130 and 70 tokens: 1 + 3 + 2 blocks) fill a 6-block pool; each one's cache
    and a decode step for all three at their own positions equal HF."""
    tt_model = build_tt(paged_hf, MAX_SEQ_LEN, paged=SHARED_POOL)
    prompts = {0: checks.prompt(paged_hf, 20, seed=10), 3: checks.prompt(paged_hf, 130, seed=11),
               7: checks.prompt(paged_hf, 70, seed=12)}
    for user, ids in prompts.items():
        tt_model.prefill(ids, user=user, last_token_only=True)
    assert not tt_model.kv_cache.allocator.free_blocks, "the three users should hold the whole pool"
    for user, ids in prompts.items():
        assert_cache_matches_hf(tt_model, paged_hf, ids, user, f"paged shared-pool user{user}-seq{len(ids)}")
    nexts = {user: checks.prompt(paged_hf, 1, seed=20 + user) for user in prompts}
    users = list(prompts)
    logits = tt_model.decode(torch.cat([nexts[u] for u in users]), [len(prompts[u]) for u in users], users=users)
    for row, user in enumerate(users):
        expected = reference.logits(paged_hf, torch.cat([prompts[user], nexts[user]]))[-1]
        assert_pcc(expected, logits[row], pcc_threshold("model.logits"), f"paged shared-pool decode of user {user}")


def test_finished_users_blocks_are_reused(build_tt, paged_hf, needs_numbers):
    """User 0 ends (freed); user 4's prompt gets exactly its blocks, user 1's cache is untouched,
    and user 4 equals HF: nothing of user 0's sequence leaks into the reused blocks."""
    tt_model = build_tt(paged_hf, MAX_SEQ_LEN, paged=PagedConfig(block_size=BLOCK, max_num_blocks=4, shuffle_seed=3))
    cache = tt_model.kv_cache
    tt_model.prefill(checks.prompt(paged_hf, 2 * BLOCK, seed=30), user=0, last_token_only=True)
    tt_model.prefill(checks.prompt(paged_hf, 100, seed=31), user=1, last_token_only=True)
    freed = set(cache.blocks_of(0))
    before = [cache.to_torch(i) for i in range(len(tt_model.layers))]
    with pytest.raises(MemoryError, match=r"needs 1 more blocks, but only 0 of the pool's 4 are free"):
        tt_model.prefill(checks.prompt(paged_hf, 10), user=4)
    cache.free(0)
    ids = checks.prompt(paged_hf, 90, seed=32)
    tt_model.prefill(ids, user=4, last_token_only=True)
    assert set(cache.blocks_of(4)) == freed, f"user 4 got blocks {cache.blocks_of(4)}, not user 0's freed {sorted(freed)}"
    for index, (keys, values) in enumerate(before):
        after_keys, after_values = cache.to_torch(index)
        assert torch.equal(keys[1], after_keys[1]) and torch.equal(values[1], after_values[1]), f"layer {index}: user 1's cache changed"
    assert_cache_matches_hf(tt_model, paged_hf, ids, 4, "paged reused-blocks user4-seq90")
    cache.free(1)  # and user 1's blocks serve user 0's next sequence, decoded across a block edge
    checks.check_decode_logits(tt_model, paged_hf, checks.prompt(paged_hf, 66, seed=33), prompt_len=63)


def test_new_prompt_replaces_a_users_blocks(build_tt, paged_hf, needs_numbers):
    tt_model = build_tt(paged_hf, MAX_SEQ_LEN, paged=PERMUTED)
    tt_model.prefill(checks.prompt(paged_hf, 70, seed=40), user=6, last_token_only=True)
    free_before = len(tt_model.kv_cache.allocator.free_blocks)
    tt_model.prefill(checks.prompt(paged_hf, 20, seed=41), user=6, last_token_only=True)
    assert len(tt_model.kv_cache.blocks_of(6)) == 1
    assert len(tt_model.kv_cache.allocator.free_blocks) == free_before + 1, "the replaced sequence's blocks were not freed"


def test_paged_equals_unpaged(build_tt, paged_hf, needs_numbers):
    """Same prompt and decode steps on both layouts: prefill logits bit for bit (the same copies
    and the same SDPA); decode over the page table at the unpaged cache's PCC against each other."""
    ids = checks.prompt(paged_hf, 70, seed=50)
    results = []
    for options in ({}, {"paged": PERMUTED}):
        tt_model = build_tt(paged_hf, MAX_SEQ_LEN, **options)
        prefill = tt_model.prefill(ids[:66])
        steps = torch.stack([tt_model.decode(ids[p: p + 1], [p])[0] for p in range(66, 70)])
        results.append((prefill, steps))
    (unpaged_prefill, unpaged_steps), (paged_prefill, paged_steps) = results
    assert torch.equal(unpaged_prefill, paged_prefill), "paged prefill logits differ from unpaged"
    for step in range(len(unpaged_steps)):
        assert_pcc(unpaged_steps[step], paged_steps[step], pcc_threshold("model.prefill_vs_decode"), f"decode step {66 + step}")


# ---- refusals ----------------------------------------------------------------------------------

@pytest.mark.parametrize("block_size", [48, 0, 16], ids=["block48", "block0", "block16"])
def test_block_size_not_a_multiple_of_32_is_refused(block_size):
    with pytest.raises(ValueError, match=rf"block_size {block_size} must be a positive multiple of 32"):
        PagedConfig(block_size=block_size)


def test_pool_too_small_for_a_prompt_is_refused(build_tt, paged_hf, needs_numbers):
    tt_model = build_tt(paged_hf, MAX_SEQ_LEN, paged=PagedConfig(block_size=BLOCK, max_num_blocks=2))
    with pytest.raises(MemoryError, match=r"a prompt of 150 tokens for user 0 needs 3 more blocks, but only 2 of the pool's 2 are free"):
        tt_model.prefill(checks.prompt(paged_hf, 150), user=0)


def test_prefill_chunk_not_a_multiple_of_the_block_is_refused(paged_hf, device):
    with pytest.raises(ValueError, match=r"prefill_chunk_size 96 must be a multiple of 64"):
        build_model(paged_hf, device, MAX_SEQ_LEN, paged=PagedConfig(block_size=64), prefill_chunk_size=96)


def test_pool_over_the_dram_is_refused_before_allocating():
    """The footprint check build_model runs first: the largest pool beside 32 users' RoPE tables
    at 4096 passes, one block more is refused naming the pool."""
    from transformers import Qwen3Config

    dims = Qwen3Dims.from_hf(Qwen3Config(**zoo.QWEN3_0_6B_CONFIG))
    largest = largest_num_blocks(dims, 4096, 32, BLOCK)
    weights = weight_bytes(dims, "bfloat16")
    check_fits(dims, 4096, 32, weights, paged=PagedConfig(block_size=BLOCK, max_num_blocks=largest))
    with pytest.raises(MemoryError, match=rf"batch 32 x max_seq_len 4096 with a pool of {largest + 1} blocks of 64"):
        check_fits(dims, 4096, 32, weights, paged=PagedConfig(block_size=BLOCK, max_num_blocks=largest + 1))


def test_readme_paged_memory_table_is_the_footprint_codes():
    """The README's paged rows are what footprint.paged_table_rows() computes (the check
    build_model runs before allocating), so the table cannot drift from the code."""
    from pathlib import Path

    from transformers import Qwen3Config

    from tt_qwen.model.footprint import paged_table_rows

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for row in paged_table_rows(Qwen3Dims.from_hf(Qwen3Config(**zoo.QWEN3_0_6B_CONFIG))):
        assert row in readme, f"README's paged memory table lacks the row {row!r}: rerun footprint.paged_table_rows()"
