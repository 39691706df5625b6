// Orthogonal initialisation (Saxe et al. 2014) as PyTorch's torch.nn.init.orthogonal_: the Q of
// a QR decomposition of a matrix of standard normal draws, with R's diagonal made positive.
#pragma once

#include <cstdint>
#include <vector>

namespace gt::net {

// `a`: a [rows][cols] matrix, row-major (PyTorch's flattened [out][in] weight). Returns the
// [rows][cols] matrix with orthonormal rows when rows <= cols (Q Q^T = I) and orthonormal
// columns when rows > cols (Q^T Q = I). As torch: a wide matrix is transposed first, so the
// decomposed matrix is tall; Householder QR in double; each column of Q multiplied by the sign
// of R's diagonal entry (a zero entry, which needs linearly dependent draws, counts as +1 here
// where torch would zero the column); transposed back. The caller scales by the gain.
std::vector<double> orthogonal_from(std::vector<double> a, uint32_t rows, uint32_t cols);

}  // namespace gt::net
