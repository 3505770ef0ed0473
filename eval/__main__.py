"""Run every evaluation whose data is present and print its figures."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval import stories
from eval.common import DATA, floors


def main() -> None:
    pinned = floors()
    result = stories.evaluate()
    if result is None:
        print(f"ECB+ story clustering: skipped ({DATA / 'ecbplus'} is absent)")
        return
    print(f"ECB+ story clustering: {result['documents']} documents -> {result['clusters']} stories")
    for level in ("subtopic", "topic"):
        r = result[level]
        floor = pinned["ecbplus_stories"].get(f"{level}_bcubed_f1")
        print(
            f"  vs {level:<8}  BCubed P {r['bcubed_p']:.3f}  R {r['bcubed_r']:.3f}  F1 {r['bcubed_f1']:.3f}"
            f"  ARI {r['ari']:.3f}   (floor F1 {floor})"
        )


if __name__ == "__main__":
    main()
