"""The synthetic grammar tiny-trained was trained on, and its word-level tokenizer.

Pure Python (no torch or transformers import), so the evaluation can draw *held-out* prompts
from the training distribution: held-out text comes from an RNG stream ("held-out") that
training never uses ("train"). The grammar is small, so a short held-out line can coincide with
some training line by chance; documents as a whole do not repeat. The trainer
(tools/train_tiny) draws its corpus from `documents("train", seed)`.
"""

from __future__ import annotations

import random
import re


# --------------------------------------------------------------------------- vocabulary

SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
PUNCT = (".", ":", "|", "=", ",", "?", "!")
NUMBERS = tuple(str(i) for i in range(100))
LETTERS = tuple("abcdefghijklmnopqrstuvwxyz")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
KEYWORDS = (
    "count", "down", "skip", "by", "to", "from", "week", "months", "letters",
    "repeat", "plural", "single", "the",
)
# (singular, plural)
NOUNS = (
    ("cat", "cats"), ("dog", "dogs"), ("bird", "birds"), ("fox", "foxes"),
    ("horse", "horses"), ("mouse", "mice"), ("child", "children"), ("man", "men"),
    ("woman", "women"), ("tree", "trees"), ("house", "houses"), ("river", "rivers"),
    ("hill", "hills"), ("boat", "boats"), ("car", "cars"), ("book", "books"),
    ("box", "boxes"), ("king", "kings"), ("queen", "queens"), ("farmer", "farmers"),
    ("teacher", "teachers"), ("student", "students"), ("baby", "babies"),
    ("city", "cities"), ("garden", "gardens"), ("wolf", "wolves"), ("bear", "bears"),
    ("frog", "frogs"), ("lamp", "lamps"), ("ship", "ships"), ("star", "stars"),
    ("cloud", "clouds"), ("window", "windows"), ("door", "doors"), ("road", "roads"),
    ("forest", "forests"), ("lion", "lions"), ("goat", "goats"), ("duck", "ducks"),
    ("girl", "girls"),
)
# (third person singular, base form)
VERBS = (
    ("sleeps", "sleep"), ("runs", "run"), ("jumps", "jump"), ("sings", "sing"),
    ("waits", "wait"), ("falls", "fall"), ("shines", "shine"), ("moves", "move"),
    ("grows", "grow"), ("swims", "swim"), ("laughs", "laugh"), ("cries", "cry"),
    ("eats", "eat"), ("reads", "read"), ("walks", "walk"), ("flies", "fly"),
    ("smiles", "smile"), ("works", "work"), ("plays", "play"), ("rests", "rest"),
    ("hides", "hide"), ("dances", "dance"), ("waves", "wave"), ("glows", "glow"),
    ("listens", "listen"), ("travels", "travel"), ("sits", "sit"), ("stands", "stand"),
)
ADJECTIVES = (
    "big", "small", "old", "young", "happy", "sad", "quick", "slow", "tall", "short",
    "bright", "dark", "quiet", "loud", "warm", "cold", "red", "blue", "green", "yellow",
    "white", "black", "brown", "gentle", "brave", "tiny", "huge", "lazy", "clever", "kind",
)
PREPOSITIONS = ("near", "behind", "under", "above", "beside", "with", "without", "inside")
ADVERBS = (
    "quickly", "slowly", "quietly", "loudly", "happily", "sadly", "often", "again",
    "today", "now",
)

VOCAB_SIZE = 384


def _build_vocab() -> tuple:
    words = list(SPECIALS) + list(PUNCT) + list(NUMBERS) + list(LETTERS) + list(DAYS)
    words += list(MONTHS) + list(KEYWORDS)
    words += [w for pair in NOUNS for w in pair] + [w for pair in VERBS for w in pair]
    words += list(ADJECTIVES) + list(PREPOSITIONS) + list(ADVERBS)
    assert len(set(words)) == len(words), "duplicate vocabulary entry"
    # Unused slots (never in the corpus), like the padded tail of Qwen's vocabulary.
    words += [f"<reserved_{i}>" for i in range(VOCAB_SIZE - len(words))]
    assert len(words) == VOCAB_SIZE
    return tuple(words)


VOCAB: tuple = _build_vocab()
PAD_ID, BOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
TOKEN_TO_ID = {t: i for i, t in enumerate(VOCAB)}
# Same split as the saved tokenizer: special tokens first (anywhere in the text), then the
# Whitespace pre-tokenizer's \w+|[^\w\s]+ on the pieces in between.
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in SPECIALS) + ")")
_WORD_SPLIT = re.compile(r"\w+|[^\w\s]+")


def encode(text: str) -> list:
    """Word-level ids of ``text`` (lower-cased), identical to the saved tokenizer.json."""
    ids = []
    for piece in _SPECIAL_SPLIT.split(text):
        if piece in SPECIALS:
            ids.append(TOKEN_TO_ID[piece])
            continue
        for m in _WORD_SPLIT.finditer(piece):
            ids.append(TOKEN_TO_ID.get(m.group(0).lower(), UNK_ID))
    return ids


def decode(ids, skip_special_tokens: bool = False) -> str:
    toks = [VOCAB[int(i)] for i in ids]
    if skip_special_tokens:
        toks = [t for t in toks if t not in SPECIALS]
    return " ".join(toks)


# --------------------------------------------------------------------------- grammar
# Every generator returns a list of (token, predictable) pairs. ``predictable`` is True when
# the token is fully determined by the preceding text under the grammar (so an ideal model
# predicts it with certainty); the training script uses it to report the accuracy ceiling.

R, D = False, True


def _count_up(rng):
    a = rng.randint(0, 96)
    b = rng.randint(a + 2, min(99, a + 59))
    out = [("count", R), (str(a), R), ("to", D), (str(b), R), (":", D)]
    out += [(str(i), D) for i in range(a, b + 1)]
    return out + [(".", D)]


def _count_down(rng):
    a = rng.randint(3, 99)
    b = rng.randint(max(0, a - 59), a - 2)
    out = [("down", R), (str(a), R), ("to", D), (str(b), R), (":", D)]
    out += [(str(i), D) for i in range(a, b - 1, -1)]
    return out + [(".", D)]


def _skip(rng):
    """``skip A by S : A A+S ... .`` up to the last term below 100 (the end is implied)."""
    s = rng.randint(2, 5)
    a = rng.randint(0, 99 - 3 * s)
    out = [("skip", R), (str(a), R), ("by", D), (str(s), R), (":", D)]
    out += [(str(i), D) for i in range(a, 100, s)]
    return out + [(".", D)]


def _letters(rng):
    x = rng.randint(0, 23)
    y = rng.randint(x + 2, 25)
    out = [("letters", R), ("from", D), (LETTERS[x], R), ("to", D), (LETTERS[y], R), (":", D)]
    out += [(LETTERS[i], D) for i in range(x, y + 1)]
    return out + [(".", D)]


def _cycle(rng, keyword, items):
    s = rng.randrange(len(items))
    out = [(keyword, R), ("from", D), (items[s], R), (":", D)]
    out += [(items[(s + i) % len(items)], D) for i in range(len(items))]
    return out + [(".", D)]


def _repeat(rng):
    n = rng.randint(3, 8)
    k = rng.randint(2, 4)
    pool = ADJECTIVES + tuple(p[0] for p in NOUNS)
    pattern = [rng.choice(pool) for _ in range(k)]
    out = [("repeat", R), (str(n), R), (":", D)]
    out += [(w, R) for w in pattern]
    for rep in range(1, n):
        out.append(("|", R if rep == 1 else D))  # the first "|" reveals the pattern length
        out += [(w, D) for w in pattern]
    return out + [(".", D)]


def _noun_phrase(rng, number, first_det_predictable):
    """``the [adj] noun`` with number 0 (singular) or 1 (plural)."""
    out = [("the", first_det_predictable)]
    if rng.random() < 0.4:
        out.append((rng.choice(ADJECTIVES), R))
    out.append((rng.choice(NOUNS)[number], R))
    return out


def _clause(rng, number, first_det_predictable):
    """Subject (+ optional prepositional phrase with its own number) + agreeing verb."""
    subj = _noun_phrase(rng, number, first_det_predictable)
    pp = []
    if rng.random() < 0.5:
        pp = [(rng.choice(PREPOSITIONS), R)] + _noun_phrase(rng, rng.randint(0, 1), D)
    verb = rng.choice(VERBS)
    adv = [(rng.choice(ADVERBS), R)] if rng.random() < 0.4 else []
    return subj, pp, verb, adv


def _sentence(rng):
    number = rng.randint(0, 1)
    subj, pp, verb, adv = _clause(rng, number, R)
    return subj + pp + [(verb[number], R)] + adv + [(".", D)]


_NOUN_OTHER = {}
for _sg, _pl in NOUNS:
    _NOUN_OTHER[_sg] = _pl
    _NOUN_OTHER[_pl] = _sg
_VERB_OTHER = {}
for _sg, _pl in VERBS:
    _VERB_OTHER[_sg] = _pl
    _VERB_OTHER[_pl] = _sg


def _inflect(rng, keyword):
    """``plural : <singular clause> = <same clause, subject and verb plural> .`` (and back)."""
    number = 0 if keyword == "plural" else 1
    subj, pp, verb, adv = _clause(rng, number, D)
    first = subj + pp + [(verb[number], R)] + adv
    second = [(t, D) for t, _ in subj[:-1]] + [(_NOUN_OTHER[subj[-1][0]], D)]
    second += [(t, D) for t, _ in pp] + [(verb[1 - number], D)] + [(t, D) for t, _ in adv]
    return [(keyword, R), (":", D)] + first + [("=", R)] + second + [(".", D)]


_TASKS = (
    (0.22, _count_up),
    (0.12, _count_down),
    (0.10, _skip),
    (0.10, _letters),
    (0.07, lambda rng: _cycle(rng, "week", DAYS)),
    (0.09, lambda rng: _cycle(rng, "months", MONTHS)),
    (0.10, _repeat),
    (0.05, lambda rng: _inflect(rng, "plural")),
    (0.05, lambda rng: _inflect(rng, "single")),
    (0.05, _sentence),
)
_TASK_WEIGHTS = tuple(w for w, _ in _TASKS)
_TASK_FNS = tuple(f for _, f in _TASKS)


def _line(rng):
    return rng.choices(_TASK_FNS, weights=_TASK_WEIGHTS)[0](rng)


def _document(rng):
    """``<bos>`` + 2..40 lines + ``<eos>`` as (token, predictable) pairs."""
    out = [("<bos>", D)]
    for _ in range(rng.randint(2, 40)):
        out += _line(rng)
    return out + [("<eos>", R)]


def _rng(split: str, seed: int) -> random.Random:
    if split not in ("train", "held-out"):
        raise ValueError(f"split must be 'train' or 'held-out', not {split!r}")
    # str seeds are hashed with SHA-512 by random.seed: stable across runs and platforms.
    return random.Random(f"tt-qwen-tiny/{split}/{int(seed)}")


def documents(split: str, seed: int):
    """Endless iterator of documents (lists of (token, predictable))."""
    rng = _rng(split, seed)
    while True:
        yield _document(rng)


# --------------------------------------------------------------------------- public API


def sample_corpus_text(n_sentences: int = 8, seed: int = 0, split: str = "held-out") -> str:
    """``n_sentences`` grammar lines (each ends with " ."), space separated, no bos/eos.

    Defaults to the held-out RNG stream, which training never draws from.
    """
    rng = _rng(split, seed)
    lines = [" ".join(t for t, _ in _line(rng)) for _ in range(n_sentences)]
    return " ".join(lines)


def _held_out_pairs(n_tokens: int, seed: int, add_bos: bool) -> list:
    pairs = []
    for doc in documents("held-out", seed):
        pairs += doc
        if len(pairs) >= n_tokens + 1:
            break
    if not add_bos:
        pairs = pairs[1:]
    return pairs[:n_tokens]


def _held_out_tokens(n_tokens: int, seed: int, add_bos: bool) -> list:
    return [t for t, _ in _held_out_pairs(n_tokens, seed, add_bos)]


def held_out_ids(n_tokens: int = 128, seed: int = 0, add_bos: bool = True) -> list:
    """Exactly ``n_tokens`` ids of held-out corpus (documents as in training: ``<bos>`` lines
    ``<eos>`` ``<bos>`` ...), cut at ``n_tokens`` (possibly mid-line).  Starts with
    ``<bos>`` unless ``add_bos`` is False."""
    return [TOKEN_TO_ID[t] for t in _held_out_tokens(n_tokens, seed, add_bos)]


def held_out_predictable(n_tokens: int = 128, seed: int = 0, add_bos: bool = True) -> list:
    """Flags aligned with ``held_out_ids(n_tokens, seed, add_bos)``: True where that token is
    fully determined by the tokens before it under the grammar (the trained model predicts
    those with ~99.9% top-1 and large logit margins); False at free choices (line type, range
    ends, pattern words, nouns, verbs), where the model's top-1/top-2 can be near ties.
    Token i is predicted by logit row i - 1, so position 0 (nothing before it) never counts."""
    return [p for _, p in _held_out_pairs(n_tokens, seed, add_bos)]


def held_out_text(n_tokens: int = 128, seed: int = 0) -> str:
    """The text of ``held_out_ids(n_tokens, seed, add_bos=False)``; the tokenizer maps it
    back to exactly those ids."""
    return " ".join(_held_out_tokens(n_tokens, seed, add_bos=False))
