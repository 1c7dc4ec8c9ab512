"""Whether generated text follows the grammar: a line-by-line checker for greedy samples."""

from __future__ import annotations

from tt_qwen.checkpoints import grammar


def _parse_clause(words, i):
    """Parse ``the [adj] noun [prep the [adj] noun] verb [adv]`` starting at i.

    Returns (end index, list of words, subject number) or None."""
    start = i

    def np_(i):
        if i >= len(words) or words[i] != "the":
            return None
        i += 1
        if i < len(words) and words[i] in grammar.ADJECTIVES:
            i += 1
        if i >= len(words):
            return None
        for sg, pl in grammar.NOUNS:
            if words[i] == sg:
                return i + 1, 0
            if words[i] == pl:
                return i + 1, 1
        return None

    r = np_(i)
    if r is None:
        return None
    i, number = r
    if i < len(words) and words[i] in grammar.PREPOSITIONS:
        r = np_(i + 1)
        if r is None:
            return None
        i = r[0]
    if i >= len(words) or words[i] not in [v[number] for v in grammar.VERBS]:
        return None
    i += 1
    if i < len(words) and words[i] in grammar.ADVERBS:
        i += 1
    return i, words[start:i], number


def check_line(words) -> bool:
    """True if ``words`` (one line including the final ".") is a valid grammar line."""
    try:
        if not words or words[-1] != ".":
            return False
        w, body = words[:-1], None
        k = w[0]
        if k in ("count", "down") and w[2] == "to" and w[4] == ":":
            a, b = int(w[1]), int(w[3])
            if (k == "count" and b < a + 2) or (k == "down" and b > a - 2):
                return False
            step = 1 if k == "count" else -1
            body = [str(i) for i in range(a, b + step, step)]
            return w[5:] == body
        if k == "skip" and w[2] == "by" and w[4] == ":":
            a, s = int(w[1]), int(w[3])
            return 2 <= s <= 5 and w[5:] == [str(i) for i in range(a, 100, s)]
        if k == "letters" and w[1] == "from" and w[3] == "to" and w[5] == ":":
            x, y = grammar.LETTERS.index(w[2]), grammar.LETTERS.index(w[4])
            return y >= x + 2 and w[6:] == list(grammar.LETTERS[x:y + 1])
        if k in ("week", "months") and w[1] == "from" and w[3] == ":":
            items = grammar.DAYS if k == "week" else grammar.MONTHS
            s = items.index(w[2])
            return w[4:] == [items[(s + i) % len(items)] for i in range(len(items))]
        if k == "repeat" and w[2] == ":":
            n = int(w[1])
            body = " ".join(w[3:]).split(" | ")
            return len(body) == n and len(set(body)) == 1 and 2 <= len(body[0].split()) <= 4
        if k in ("plural", "single") and w[1] == ":":
            r = _parse_clause(w, 2)
            if r is None or r[0] >= len(w) or w[r[0]] != "=":
                return False
            end, first, number = r
            if number != (0 if k == "plural" else 1):
                return False
            r2 = _parse_clause(w, end + 1)
            if r2 is None or r2[0] != len(w) or r2[2] != 1 - number:
                return False
            second = r2[1]
            # same clause except the subject noun and the verb change number
            return len(first) == len(second) and sum(a != b for a, b in zip(first, second)) == 2
        if k == "the":
            r = _parse_clause(w, 0)
            return r is not None and r[0] == len(w)
    except (ValueError, IndexError):
        return False
    return False


def grammar_report(words):
    """Split generated words into lines and check each complete line.

    The first (possibly partial) line continues the prompt and is checked together with the
    prompt's last partial line by the caller; here the words are assumed to start a line."""
    lines, cur = [], []
    for t in words:
        if t in ("<bos>", "<eos>"):
            cur = []
            continue
        cur.append(t)
        if t == ".":
            lines.append(cur)
            cur = []
    return [(" ".join(line), check_line(line)) for line in lines], " ".join(cur)

