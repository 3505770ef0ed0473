"""Quality evaluations against ../shared/data: `make eval` (python -m eval).

Each evaluation reads its dataset from ../shared/data (never copied into the repository)
and skips with a message when it is absent. Floors are pinned in eval/floors.json and
checked by tests/test_eval_floors.py.
"""
