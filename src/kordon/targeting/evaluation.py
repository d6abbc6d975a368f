"""How well a ranking picks: the measures customs administrations and the literature use.

Precision at n % is the hit rate of the top n % (k = round(n·N) exactly, ties broken by order,
not by a threshold that can pick fewer); recall at n % is the share of all hits found there.
"""

import numpy as np
from sklearn.metrics import roc_auc_score

RATES = (0.01, 0.02, 0.05, 0.10)


def top(scores: np.ndarray, rate: float) -> np.ndarray:
    """Indexes of the round(rate·N) highest scores."""
    count = max(1, round(rate * len(scores)))
    return np.argsort(-scores, kind="stable")[:count]


def figures(scores: np.ndarray, hits: np.ndarray, serious: np.ndarray | None = None) -> dict[str, float]:
    """AUC, precision and recall at 1, 2, 5 and 10 %, and the share of serious cases found there."""
    hits = hits.astype(bool)
    result: dict[str, float] = {
        "rows": float(len(hits)),
        "base_rate": float(hits.mean()) if len(hits) else 0.0,
    }
    result["auc"] = float(roc_auc_score(hits, scores)) if 0 < hits.sum() < len(hits) else float("nan")
    for rate in RATES:
        chosen = top(scores, rate)
        label = f"{round(rate * 100)}"
        result[f"precision@{label}"] = float(hits[chosen].mean())
        result[f"recall@{label}"] = float(hits[chosen].sum() / hits.sum()) if hits.sum() else float("nan")
    if serious is not None and serious.sum():
        for rate in RATES:
            result[f"serious_recall@{round(rate * 100)}"] = float(
                serious[top(scores, rate)].sum() / serious.sum()
            )
    return result
