// Dense float64 linear algebra the decentralized maths needs, on plain row-major vectors.
//
// Small problems (the graphs of tests, tutorials and studies, DADAO's 6 x 6 flow, d x d Gram
// matrices) are solved by plain C++ here: a cyclic Jacobi eigensolver and a scaling-and-squaring
// Taylor exponential. Their bits do not depend on the BLAS kernel, so DADAO's clocks (whose rates
// come from the graph's spectrum) and every trace replay bit for bit on any machine. Larger
// matrices go to LAPACK through LibTorch (torch_linalg.cpp), deterministic for a given BLAS
// kernel, like training.
#pragma once
#include <vector>

namespace flemu {

/// Up to this many rows, symmetric_eigenvalues uses the Jacobi method (about 0.2 s at 256).
constexpr int kJacobiMaxSize = 256;

/// Eigenvalues of the symmetric n x n matrix `a` (row-major), ascending. With `vectors`, also
/// the eigenvectors: (*vectors)[r * n + k] is component r of the k-th eigenvector.
std::vector<double> symmetric_eigenvalues(const std::vector<double>& a, int n, std::vector<double>* vectors = nullptr);

/// The same by LAPACK (LibTorch's linalg.eigh), whatever n: for large matrices and as an
/// independent reference in tests.
std::vector<double> lapack_symmetric_eigenvalues(const std::vector<double>& a, int n,
                                                 std::vector<double>* vectors = nullptr);

/// Largest singular value of the n x n matrix `a` (its spectral norm): sqrt of the largest
/// eigenvalue of a^T a.
double spectral_norm(const std::vector<double>& a, int n);

/// exp(a) of a small n x n matrix `a`, row-major (scaling and squaring, degree-20 Taylor).
std::vector<double> matrix_exponential(const std::vector<double>& a, int n);

}  // namespace flemu
