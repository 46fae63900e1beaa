"""A sparse matrix in compressed rows, in numpy: what channelmix needs of one, without scipy.

Importing scipy.sparse costs a quarter of a second at every start; the affinity matrix (cells ×
channels) needs only products with vectors, column selection and rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Csr:
    """A sparse matrix in compressed rows, column indices sorted within each row.

    Just what channelmix needs (products with vectors, column selection, rows), in
    numpy: importing scipy.sparse costs a quarter of a second at every start."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_entries(cls, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]) -> "Csr":
        order = np.lexsort((cols, rows))
        indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=shape[0])))).astype(np.int64)
        return cls(np.asarray(vals, dtype=float)[order], np.asarray(cols, dtype=np.int64)[order], indptr, shape)

    @property
    def nnz(self) -> int:
        return len(self.data)

    def row_of_entries(self) -> np.ndarray:
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def __matmul__(self, v: np.ndarray) -> np.ndarray:
        """M · v for a vector over columns."""
        return np.bincount(self.row_of_entries(), weights=self.data * np.asarray(v, dtype=float)[self.indices],
                           minlength=self.shape[0])

    def rmatvec(self, w: np.ndarray) -> np.ndarray:
        """Mᵀ · w for a vector over rows."""
        return np.bincount(self.indices, weights=self.data * np.asarray(w, dtype=float)[self.row_of_entries()],
                           minlength=self.shape[1])

    def row(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, values) of row k."""
        return self.indices[self.indptr[k]:self.indptr[k + 1]], self.data[self.indptr[k]:self.indptr[k + 1]]

    def columns(self, cols: np.ndarray) -> "Csr":
        """The sub-matrix of these columns (ascending indices), renumbered 0..len(cols)-1."""
        new = np.full(self.shape[1], -1)
        new[cols] = np.arange(len(cols))
        keep = new[self.indices] >= 0
        rows = self.row_of_entries()[keep]
        return Csr.from_entries(rows, new[self.indices[keep]], self.data[keep], (self.shape[0], len(cols)))

    def rows(self, ks: np.ndarray) -> "Csr":
        """The sub-matrix of these rows (in this order), renumbered 0..len(ks)-1."""
        ks = np.asarray(ks, dtype=np.int64)
        begin, end = self.indptr[ks], self.indptr[ks + 1]
        counts = end - begin
        take = np.repeat(begin - np.concatenate(([0], np.cumsum(counts)[:-1])), counts) + np.arange(counts.sum())
        indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return Csr(self.data[take], self.indices[take], indptr, (len(ks), self.shape[1]))

    def column_counts(self) -> np.ndarray:
        """How many stored entries each column has."""
        return np.bincount(self.indices, minlength=self.shape[1])

    def toarray(self) -> np.ndarray:
        out = np.zeros(self.shape)
        out[self.row_of_entries(), self.indices] = self.data
        return out
