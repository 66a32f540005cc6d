#!/usr/bin/env python3
"""Writes porter2-stems.tsv: English words and their stems by the snowballstemmer package.

Words: Debian's wamerican list (/usr/share/dict/american-english) lower-cased, plus words that
exercise every rule of the algorithm and the sample study's vocabulary. Run:
pip install snowballstemmer==3.1.1 && python3 make_stems.py
"""
import os
import re

import snowballstemmer

HERE = os.path.dirname(os.path.abspath(__file__))
EXTRA = """
consign consigned consigning consignment consist consisted consistency consistent consistently consisting
consists consolation consolations consolatory console consoled consoles consolidate consolidated
knack knackeries knacks knag knave knaves knavish kneaded kneading knee kneel kneeled kneeling kneels knees
knell knelt knew knick knif knife knight knightly knights knit knits knitted knitting knives knob knobs
generate generously generic general generals generalize universal universities university communism
communication commune emergency emerge arsenal arsenic organization organic intern interns international
past pasting paste pasted later lateral laterally skis skies sky news howe bias atlas cosmos andes early
gently idly only singly ugly dying lying tying inning innings outing outings canning cannings herring
herrings earring earrings proceed proceeding exceed exceeded succeed succeeded succeeding agreed feed
bleed bleeding hoped hopping hoping controlled rolling fitting filing hopeful hopefulness happiness
analysis analytical cries ties tied cried gas gaps kiwis sss ss us bus caresses ponies caress cats
doctor's doctors' 'tis o'clock y'all yes yeah ayy sayyid playing enjoy enjoyed enjoying yelling
rationalization relational conditional differently vilely analogousli vileli knowledge technologist
regulatory regulation regulate regulating protected protection time times timing clinician clinicians
clinical clinically hype hyped hyping education educational educate work-life co-development
""".split()


def main():
    words = set()
    with open("/usr/share/dict/american-english", encoding="utf-8") as source:
        for line in source:
            word = line.strip().lower()
            if word and re.fullmatch(r"[a-zà-ÿ']+", word):
                words.add(word)
    words.update(EXTRA)
    stemmer = snowballstemmer.stemmer("english")
    with open(os.path.join(HERE, "porter2-stems.tsv"), "w", encoding="utf-8") as out:
        out.write(f"# snowballstemmer {snowballstemmer.__version__ if hasattr(snowballstemmer, '__version__') else '3.1.1'}\n")
        for word in sorted(words):
            out.write(f"{word}\t{stemmer.stemWord(word)}\n")


if __name__ == "__main__":
    main()
