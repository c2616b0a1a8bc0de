#!/usr/bin/python3
"""An independent GPT-2 byte-level BPE in plain Python, to cross-check models/text/Gpt2Bpe.

  gpt2_bpe_reference.py TOKENIZER_DIR IN.json OUT.json

IN.json is a list of strings; OUT.json gets the list of their id lists. Debian's python3 has no `regex`
module, so the Unicode classes \\p{L} and \\p{N} of GPT-2's pre-tokenisation pattern are built here as
explicit character ranges from `unicodedata` (categories L* and N*) and used with the standard `re` module.
"""
import json
import re
import sys
import unicodedata

END_OF_TEXT = "<|endoftext|>"


def category_class(prefix):
    """A regex character-class body with every code point whose general category starts with `prefix`."""
    ranges = []
    start = None
    for cp in range(sys.maxunicode + 2):
        inside = cp <= sys.maxunicode and unicodedata.category(chr(cp)).startswith(prefix)
        if inside and start is None:
            start = cp
        elif not inside and start is not None:
            ranges.append((start, cp - 1))
            start = None
    return "".join(re.escape(chr(a)) if a == b else re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in ranges)


def build_pattern():
    letters, numbers = category_class("L"), category_class("N")
    return re.compile(
        "'s|'t|'re|'ve|'m|'ll|'d"
        "| ?[" + letters + "]+"
        "| ?[" + numbers + "]+"
        "| ?[^\\s" + letters + numbers + "]+"
        "|\\s+(?!\\S)|\\s+"
    )


def byte_alphabet():
    """GPT-2's byte -> printable character table (visible Latin-1 kept, the rest moved to 256+)."""
    visible = set(range(0x21, 0x7F)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in visible:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


class Bpe:
    def __init__(self, directory):
        with open(directory + "/encoder.json", encoding="utf-8") as f:
            self.ids = json.load(f)
        with open(directory + "/vocab.bpe", encoding="utf-8") as f:
            lines = [l for l in f.read().split("\n")[1:] if l]
        self.rank = {}
        for i, line in enumerate(lines):
            left, right = line.split(" ")
            self.rank.setdefault((left, right), i)
        self.alphabet = byte_alphabet()
        self.pattern = build_pattern()

    def merge_word(self, word):
        parts = list(word)
        while len(parts) > 1:
            candidates = [(self.rank.get((parts[i], parts[i + 1]), None), i) for i in range(len(parts) - 1)]
            candidates = [c for c in candidates if c[0] is not None]
            if not candidates:
                break
            best = min(candidates)[0]
            left, right = next((parts[i], parts[i + 1]) for r, i in candidates if r == best)
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and parts[i] == left and parts[i + 1] == right:
                    merged.append(left + right)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return [self.ids[p] for p in parts]

    def encode(self, text):
        out = []
        for k, chunk in enumerate(text.split(END_OF_TEXT)):
            if k > 0:
                out.append(self.ids[END_OF_TEXT])
            for piece in self.pattern.findall(chunk):
                spelled = "".join(self.alphabet[b] for b in piece.encode("utf-8"))
                out.extend(self.merge_word(spelled))
        return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    bpe = Bpe(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        texts = json.load(f)
    with open(sys.argv[3], "w") as f:
        json.dump([bpe.encode(t) for t in texts], f)


if __name__ == "__main__":
    main()
