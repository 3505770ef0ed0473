"""Run every evaluation whose data is present and print its figures beside the pinned floors."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from eval import (
    alignment,
    batch,
    extraction,
    facts,
    fit_splits,
    framing,
    multilingual,
    paraphrase,
    quotes,
    splitting,
    stories,
)
from eval.common import DATA, floors
from manysides.settings import load_settings


def main() -> None:
    pinned = floors()
    _html(pinned)
    _stories(pinned)
    _multilingual(pinned)
    _batch(pinned)
    _splitting(pinned)
    _paraphrase(pinned)
    _alignment(pinned)
    _facts(pinned)
    _quotes(pinned)
    _framing(pinned)


def _html(pinned: dict[str, dict[str, object]]) -> None:
    result = extraction.evaluate()
    if result is None:
        print(f"HTML extraction: skipped ({DATA / 'html_extraction'} is absent)")
        return
    systems, gap = result["systems"], result["against_trafilatura"]
    ours = systems["manysides"]
    print(f"HTML extraction ({ours['pages']} pages, word 4-gram shingles; floor F1 {pinned['html_extraction']['f1']}):")
    for name, r in sorted(systems.items(), key=lambda kv: -kv[1]["f1"]):
        mark = "  <- manysides" if name == "manysides" else ""
        if "f1_interval" in r:
            low, high = r["f1_interval"]
            mark = f"  (95 % bootstrap over pages {low:.3f}-{high:.3f}){mark}"
        print(f"  {name:<12} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}{mark}")
    print(
        f"  against trafilatura over {len(gap['fold_gaps'])} fixed folds of the pages: F1 gap "
        f"{', '.join(f'{g:+.3f}' for g in gap['fold_gaps'])} (mean {gap['mean_gap']:+.3f}, spread "
        f"{gap['spread']:.3f}, lowest {gap['lowest_gap']:+.3f}, floor {pinned['html_extraction']['lowest_fold_gap']}); "
        f"behind in {gap['folds_behind']} folds; pages won / lost by more than 0.05 F1: "
        f"{gap['pages_won']} / {gap['pages_lost']}; F1 gap over all pages, 95 % paired bootstrap "
        f"{gap['gap_interval'][0]:+.3f} to {gap['gap_interval'][1]:+.3f}"
    )


def _stories(pinned: dict[str, dict[str, object]]) -> None:
    result = stories.evaluate()
    if result is None:
        print(f"ECB+ story clustering: skipped ({DATA / 'ecbplus'} is absent)")
        return
    floor = pinned["ecbplus_stories"]
    print(
        f"ECB+ story clustering: {result['documents']} documents ({result['dated']} with a date); "
        f"5-fold CV over topics (model and threshold fitted without the fold scored)"
    )
    for kind, label in (("sparse", "words + names (default)"), ("dense", "with embeddings")):
        cv = result[kind]
        print(f"  {label}: thresholds chosen per fold {', '.join(map(str, cv['thresholds']))}")
        for mode in ("batch", "shuffled", "time"):
            r = cv[mode]
            sub, top = r["subtopic"], r["topic"]
            mark = f"  (floor F1 {floor.get(f'{kind}_{mode}_f1')})" if f"{kind}_{mode}_f1" in floor else ""
            same = f"; same stories as batch, F1 {r['vs_batch_f1']:.4f}" if "vs_batch_f1" in r else ""
            print(
                f"    {mode:<8} {r['clusters']:>3} stories  vs subtopic BCubed P {sub['bcubed_p']:.3f} "
                f"R {sub['bcubed_r']:.3f} F1 {sub['bcubed_f1']:.3f} ARI {sub['ari']:.3f}"
                f"   vs topic P {top['bcubed_p']:.3f} F1 {top['bcubed_f1']:.3f} ARI {top['ari']:.3f}{mark}{same}"
            )
    order = ", ".join(f"{k.replace('_', ' ')} {v:.4f}" for k, v in result["order"].items())
    print(f"  all {result['documents']} added at once vs cut every N additions (shipped model), BCubed F1: {order}")
    seeds = result["with_seeds"]
    print(
        f"  seeds + ECB+ in one collection: {seeds['stories']} stories; seed stories of sizes "
        f"{seeds['seed_stories']} hold {seeds['ecb_in_seed_stories']} ECB+ documents (must be 0)"
    )


def _multilingual(pinned: dict[str, dict[str, object]]) -> None:
    result = multilingual.evaluate()
    if result is None:
        print(f"MEANTIME across languages: skipped ({DATA / 'meantime'} is absent)")
        return
    floor = pinned["multilingual"]
    s, a, t = result["stories"], result["alignment"], result["translation"]
    print(
        f"MEANTIME across languages ({result['documents']} documents: 60 English Wikinews articles and their "
        f"es/it/nl translations; language identified {result['language_identified']:.3f}):"
    )
    print(
        f"  stories vs parallel_id: {s['found']} stories, BCubed P {s['precision']:.3f} R {s['recall']:.3f} "
        f"F1 {s['f1']:.3f} (floor {floor['stories_f1']}; grouping by language alone ~0.40)"
    )
    for line in result["mistakes"]:
        print(f"    {line}")
    folds = "; ".join(
        f"{k} held out: margin {v['margin']}, P {v['precision']:.3f} R {v['recall']:.3f}"
        for k, v in a["cross_validated"].items()
    )
    print(
        f"  sentence alignment to the English original ({a['documents']} translations with positional gold), "
        f"margin {a['margin']}: P {a['precision']:.3f} R {a['recall']:.3f} "
        f"(floors P {floor['alignment_precision']} R {floor['alignment_recall']})"
    )
    print(f"    2-fold CV over topics: {folds}")
    pg = result["pages"]
    print(
        f"  pages in two languages split at the change (constants set a priori, not fitted): one document alone "
        f"split {pg['single']['split']} of {pg['single']['pages']} (floor: none); an English story then another "
        f"story's translation cut at the join {pg['two stories']['cut_at_join']} of {pg['two stories']['pages']}; "
        f"a bilingual page {pg['bilingual']['cut_at_join']} of {pg['bilingual']['pages']} "
        f"(floor {floor['pages_cut_min']} of each)"
    )
    print(
        f"  translated documents reported as derived, kind translation: {t['found']:.3f} of {t['documents']} "
        f"(floor {floor['translation_found']}); direction: English as the source {t['english_as_source']}, "
        f"reversed {t['english_as_translation']}"
    )


def _batch(pinned: dict[str, dict[str, object]]) -> None:
    result = batch.evaluate()
    if result is None:
        print(f"batch vs single-process stories: skipped ({DATA / 'ecbplus'} is absent)")
        return
    print(
        f"batch run (Dask LocalCluster, 2 workers) vs one-process ingest, ECB+ {result['articles']} documents: "
        f"BCubed P {result['precision']:.4f} R {result['recall']:.4f} F1 {result['f1']:.4f} "
        f"(floor {pinned['batch_stories']['ecbplus_f1']}); {result['identical']} of {result['stories']} "
        "stories of 2+ articles identical"
    )


def _splitting(pinned: dict[str, dict[str, object]]) -> None:
    result = splitting.evaluate()
    if result is None:
        print(f"page splitting: skipped ({DATA / 'ecbplus'} or polnear is absent)")
        return
    floor = pinned["page_splitting"]
    cv = fit_splits.cross_validate(fit_splits.candidates())
    shipped = fit_splits.shipped_threshold()
    mean, spread = cv[shipped].mean(axis=0), cv[shipped].std(axis=0)
    print(
        f"page splitting ({result['single']['pages']} one-story pages of ECB+ and PolNeAR dev and train; "
        f"{result['same-topic']['pages']} + {result['other-topic']['pages']} pages of two ECB+ documents and "
        f"{result['campaign']['pages']} of two PolNeAR articles, half with the second's headline line between):"
    )
    print(
        f"  5x5-fold CV by page, threshold {shipped}: one-story pages split {mean[0]:.4f} (+-{spread[0]:.4f}); "
        f"two-story pages cut at the join: same topic, other event {mean[1]:.3f} (+-{spread[1]:.3f}), "
        f"other topic {mean[2]:.3f} (+-{spread[2]:.3f}), campaign {mean[3]:.3f} (+-{spread[3]:.3f})"
    )
    print(
        f"  the shipped cleaner, end to end (in-sample): one-story pages split {result['single']['share']:.4f} "
        f"(floor: at most {floor['single_split_max']}); cut at the join: "
        f"same topic {result['same-topic']['share']:.3f}, other topic {result['other-topic']['share']:.3f} "
        f"(floor {floor['joined_min']}), campaign {result['campaign']['share']:.3f}"
    )


def _paraphrase(pinned: dict[str, dict[str, object]]) -> None:
    result = paraphrase.evaluate()
    if result is None:
        print(f"Paraphrase pairs: skipped ({DATA / 'mrpc'} is absent)")
        return
    floor = pinned["paraphrase_pairs"]["f1"]
    low, high = result["f1_interval"]
    print(
        f"Paraphrase pair decision ({result['pairs']} report-split pairs, product threshold; floor F1 {floor}):"
        f" accuracy {result['accuracy']:.3f}  P {result['precision']:.3f}  R {result['recall']:.3f}"
        f"  F1 {result['f1']:.3f} (95 % bootstrap over pairs {low:.3f}-{high:.3f})"
    )
    base = result["cosine_0.8"]
    print(f"  baseline MiniLM cosine >= 0.8: accuracy {base['accuracy']:.3f}  F1 {base['f1']:.3f}")


def _alignment(pinned: dict[str, dict[str, object]]) -> None:
    shipped = load_settings().align
    off = shipped.model_copy(update={"claim_cosine": 1.01, "action_cosine": 1.01})
    found = alignment.sweep(None, [shipped, off])
    if found is None:
        print(f"ECB+ sentence alignment: skipped ({DATA / 'ecbplus'} is absent)")
        return
    result, without = found
    floor = pinned["ecbplus_alignment"]
    print(
        f"ECB+ sentence alignment ({result['subtopics']} events, {result['sentences']} annotated sentences,"
        f" {result['gold_pairs']} pairs sharing an event chain; floors precision {floor['precision']},"
        f" recall {floor['recall']}; links that join facts: precision {floor['fact_precision']},"
        f" recall {floor['fact_recall']}):"
    )
    print(
        f"  every link (facts and events), {result['aligned_pairs']} pairs: precision {result['precision']:.3f}"
        f" (base rate {result['base_rate']:.3f})  recall {result['recall']:.3f}  F1 {result['f1']:.3f}"
    )
    print(
        f"  links that join facts (no event links), {result['fact_pairs']} pairs:"
        f" precision {result['fact_precision']:.3f}  recall {result['fact_recall']:.3f}"
    )
    kinds = ", ".join(f"{k} {p:.3f} of {n}" for k, (p, n) in result["precision_by_kind"].items())
    print(
        "  precision by kind (claim: sentences sharing a clause, one fact; event: one happening, a fact's"
        f" related sentence; reuse/claims.py): {kinds}"
    )
    print(
        f"  whole sentences only (no claims, no events): precision {without['precision']:.3f}"
        f"  recall {without['recall']:.3f} (claim_cosine {shipped.claim_cosine}, claim_anchors"
        f" {shipped.claim_anchors}, action_cosine {shipped.action_cosine}, action_words {shipped.action_words}:"
        " data/defaults.toml)"
    )


def _facts(pinned: dict[str, dict[str, object]]) -> None:
    result = facts.evaluate()
    if result is None:
        print(f"Facts of independent reports: skipped ({DATA / 'ecbplus'} is absent)")
        return
    floor = pinned["facts_hand_gold"]
    pairs = result["pairs"]
    print(
        f"Facts of independent reports ({result['stories']} ECB+ stories of three documents, {result['facts']} "
        f"facts annotated by hand in eval/gold; floors: found {floor['shared_found']}, pair precision "
        f"{floor['pair_precision']}):"
    )
    print(
        f"  shared facts found (two or more of their documents in one reported fact): {result['shared_found']:.3f};"
        f" of their documents named {result['outlets_per_found_fact']:.3f}"
    )
    print(
        f"  sentence pairs: {pairs['reported']} reported, {pairs['gold']} gold: precision {pairs['precision']:.3f}"
        f" recall {pairs['recall']:.3f}"
    )
    print("  per story: " + ", ".join(f"{k} {v}" for k, v in result["per_story"].items()))


def _quotes(pinned: dict[str, dict[str, object]]) -> None:
    result = quotes.evaluate()
    if result is None:
        print(f"PolNeAR quotes: skipped ({DATA / 'polnear'} is absent)")
        return
    floor = pinned["quotes"]
    print(f"PolNeAR quotes ({result['articles']} {result['split']} articles, overlap matching):")
    for name in ("quoted", "indirect"):
        r = result[name]
        label = "in quote marks" if name == "quoted" else "indirect"
        print(
            f"  {label:<15} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}"
            f"  ({r['gold']} gold; floor F1 {floor[name + '_f1']})"
        )
    print(
        f"  speaker accuracy {result['speaker_accuracy']:.3f} over {result['speaker_scored']} matched quotes"
        f" (95 % bootstrap over articles {result['speaker_interval'][0]:.3f}-{result['speaker_interval'][1]:.3f};"
        f" floor {floor['speaker_accuracy']})"
    )


def _framing(pinned: dict[str, dict[str, object]]) -> None:
    babe = framing.evaluate_babe()
    if babe is None:
        print(f"Loaded words: skipped ({DATA / 'babe'} is absent)")
    else:
        r = babe["report_split"]
        print(
            f"Loaded words (BABE, {r['sentences']} report-split sentences, word level): P {r['precision']:.3f}"
            f"  R {r['recall']:.3f}  F1 {r['f1']:.3f}  (floor P {pinned['loaded_words']['precision']};"
            " lexicon not fitted on BABE, see eval/framing.py)"
        )
    wcl = framing.evaluate_newswcl()
    if wcl is None:
        print(f"Word choice: skipped ({DATA / 'newswcl50'} is absent)")
        return
    print(
        f"Word choice (NewsWCL50, {wcl['events']} events x 5 outlets): {wcl['surfaced']} of {wcl['varying']}"
        f" concepts whose labels differ across outlets surfaced, recall {wcl['recall']:.3f}"
        f" (floor {pinned['word_choice']['recall']})"
    )


if __name__ == "__main__":
    main()
