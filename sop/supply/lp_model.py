"""The building blocks of the plan's linear program (`sop.supply.lp`): consecutive
index blocks of columns or rows with their bounds and costs, the nonzeros gathered
block by block, the model in HiGHS' column-wise form, and a silent HiGHS instance."""

from __future__ import annotations

import os
import sys
import threading

import highspy
import numpy as np
import scipy.sparse as sp

from sop.supply.inputs import INF

_QUIET = threading.Lock()
_BANNER_DONE = False


def quiet_highs() -> highspy.Highs:
    """A silent HiGHS instance (the first one in a process prints a banner on stdout)."""
    global _BANNER_DONE
    with _QUIET:
        if not _BANNER_DONE:
            sys.stdout.flush()
            saved, null = os.dup(1), os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            try:
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(null)
                os.close(saved)
            _BANNER_DONE = True
        else:
            h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


class Blocks:
    """Consecutive index blocks (for columns or rows) with bounds."""

    def __init__(self) -> None:
        self.size = 0
        self.lo: list[np.ndarray] = []
        self.hi: list[np.ndarray] = []
        self.cost: list[np.ndarray] = []

    def block(
        self,
        shape: tuple[int, int],
        lo: float | np.ndarray = 0.0,
        hi: float | np.ndarray = INF,
        cost: float | np.ndarray = 0.0,
    ) -> np.ndarray:
        k = shape[0] * shape[1]
        idx = np.arange(self.size, self.size + k).reshape(shape)
        self.size += k
        for lst, v in ((self.lo, lo), (self.hi, hi), (self.cost, cost)):
            lst.append(np.broadcast_to(np.asarray(v, dtype=float), shape).ravel())
        return idx

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        def cat(x):
            return np.concatenate(x) if x else np.zeros(0)

        return cat(self.lo), cat(self.hi), cat(self.cost)


class Entries:
    """The nonzeros of the constraint matrix, gathered block by block."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []

    def put(self, rows: np.ndarray, cols: np.ndarray, val: float | np.ndarray) -> None:
        rows, cols = np.asarray(rows), np.asarray(cols)
        self.rows.append(rows.ravel())
        self.cols.append(cols.ravel())
        self.vals.append(np.broadcast_to(np.asarray(val, dtype=float), rows.shape).ravel())

    def matrix(self, shape: tuple[int, int]) -> sp.csc_matrix:
        return sp.csc_matrix(
            (np.concatenate(self.vals), (np.concatenate(self.rows), np.concatenate(self.cols))),
            shape=shape,
        )


def highs_lp(cols: Blocks, rows: Blocks, A: sp.csc_matrix, offset: float) -> highspy.HighsLp:
    """The LP in HiGHS' column-wise form."""
    col_lo, col_hi, cost = cols.arrays()
    row_lo, row_hi, _ = rows.arrays()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = cols.size, rows.size
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = cost, col_lo, col_hi
    lp.row_lower_, lp.row_upper_ = row_lo, row_hi
    lp.offset_ = offset
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    return lp
