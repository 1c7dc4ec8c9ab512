"""The training corpus as token streams: the sequence-length mix and the doc's description of it."""

from __future__ import annotations

import bisect

from tt_qwen.checkpoints import grammar

# (sequence length, probability); every step holds TOKENS_PER_STEP tokens.
LENGTH_MIX = ((64, 0.15), (128, 0.25), (256, 0.3), (512, 0.2), (1024, 0.1))

CORPUS_DESCRIPTION = """\
Synthetic word-level corpus from the grammar in `tt_qwen/checkpoints/grammar.py`.
A document is `<bos>`, 2..40 lines, `<eos>`; documents are concatenated into one stream.
Each line is one of (sampling weight):
- `count A to B : A A+1 ... B .` (0.22, spans of 3..60 numbers, numbers are tokens 0..99)
- `down A to B : A A-1 ... B .` (0.12)
- `skip A by S : A A+S ... .` up to the last term below 100 (0.10)
- `letters from x to y : x ... y .` (0.10)
- `week from <day> : <7 days, cyclic> .` (0.07), `months from <month> : <12 months> .` (0.09)
- `repeat N : w1 .. wk | w1 .. wk | ... .` N=3..8 copies of a k=2..4 word pattern (0.10)
- `plural : <singular clause> = <same clause, subject noun and verb in plural> .` (0.05) and
  `single : ...` the other way round (0.05)
- `the [adj] noun [prep the [adj] noun] verb [adverb] .` free sentence with subject-verb
  agreement across an attractor noun (0.05)

Training draws from the RNG stream "train", evaluation and `held_out_ids()` from "held-out".
About 83% of tokens are fully determined by the preceding text ("predictable" positions);
the rest (line type, range ends, pattern words, nouns, verbs) are free choices.
"""


class TokenStream:
    """Deterministic endless stream of (ids, predictable flags) from one grammar split."""

    def __init__(self, split: str, seed: int):
        self._docs = grammar.documents(split, seed)
        self.ids: list = []
        self.pred: list = []
        self.doc_starts: list = []
        self.pos = 0

    def _fill(self, upto: int):
        while len(self.ids) < upto:
            doc = next(self._docs)
            self.doc_starts.append(len(self.ids))
            self.ids += [grammar.TOKEN_TO_ID[t] for t, _ in doc]
            self.pred += [p for _, p in doc]

    def take(self, n: int, aligned: bool):
        """Next ``n`` tokens, optionally starting at the next document start (``<bos>``)."""
        if aligned:
            while True:
                i = bisect.bisect_left(self.doc_starts, self.pos)
                if i < len(self.doc_starts):
                    self.pos = self.doc_starts[i]
                    break
                self._fill(len(self.ids) + 1)
        self._fill(self.pos + n)
        ids = self.ids[self.pos:self.pos + n]
        pred = self.pred[self.pos:self.pos + n]
        self.pos += n
        if self.pos > 100_000:  # drop the consumed prefix to keep memory flat
            cut = self.pos
            self.ids, self.pred = self.ids[cut:], self.pred[cut:]
            self.doc_starts = [s - cut for s in self.doc_starts if s >= cut]
            self.pos = 0
        return ids, pred

