"""Small numeric helpers shared by the stages."""

from __future__ import annotations

from typing import Any

import numpy as np


def logistic(z: Any) -> Any:
    """The logistic function 1 / (1 + e^-z), elementwise; clipped so that large |z| never overflows."""
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0)))
