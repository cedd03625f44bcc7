// Topologies (platforms/topology), mixing matrices and spectra (algorithms/decentralized):
// the card's test vectors (decentralized.md section 5.4) for ring, torus, grid, exponential,
// star and complete graphs at n = 16, 64, 100 to 1e-9 against independent references
// (closed forms, LAPACK's eigensolver, and a Gauss-Jordan L^+ written here), and the card's
// printed table to its printed digits; generators, their traps and their errors. flemu's spectra
// come from its own Jacobi eigensolver (bit-reproducible, algorithms/decentralized/linalg.hpp);
// the references from LAPACK, Gauss-Jordan and closed forms.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "algorithms/decentralized/linalg.hpp"
#include "algorithms/decentralized/mixing.hpp"
#include "algorithms/decentralized/spectra.hpp"
#include "platforms/topology.hpp"
#include "test_support.hpp"

using namespace flemu;

namespace {

std::vector<std::string> names(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("d-" + std::to_string(i));
  return v;
}

Topology make(TopologyKind kind, int n, uint64_t seed = 1) {
  TopologySpec spec;
  spec.kind = kind;
  return build_topology(spec, names(n), seed);
}

std::string error_of(const TopologySpec& spec, int n, uint64_t seed = 1) {
  try {
    build_topology(spec, names(n), seed);
  } catch (const TopologyError& e) {
    return e.what();
  }
  return "(no error)";
}

// --- independent references -------------------------------------------------------------

/// L^+ = (L + J)^-1 - J by Gauss-Jordan (the card's method), J = 11^T / n.
std::vector<double> laplacian_pinv(const Topology& t) {
  const int n = t.n;
  std::vector<double> a(n * n, 1.0 / n), inv(n * n, 0.0);
  for (int i = 0; i < n; ++i) {
    a[i * n + i] += t.degree(i);
    for (int j : t.neighbours[i]) a[i * n + j] -= 1.0;
    inv[i * n + i] = 1.0;
  }
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int r = c + 1; r < n; ++r)
      if (std::abs(a[r * n + c]) > std::abs(a[piv * n + c])) piv = r;
    for (int k = 0; k < n; ++k) std::swap(a[c * n + k], a[piv * n + k]), std::swap(inv[c * n + k], inv[piv * n + k]);
    const double d = a[c * n + c];
    for (int k = 0; k < n; ++k) a[c * n + k] /= d, inv[c * n + k] /= d;
    for (int r = 0; r < n; ++r) {
      if (r == c || a[r * n + c] == 0) continue;
      const double f = a[r * n + c];
      for (int k = 0; k < n; ++k) a[r * n + k] -= f * a[c * n + k], inv[r * n + k] -= f * inv[c * n + k];
    }
  }
  for (auto& x : inv) x -= 1.0 / n;
  return inv;
}

struct Reference {
  double gap, l2, lmax, max_r;
};

/// The reference values: eigenvalues of W and L by LAPACK, resistances by Gauss-Jordan.
Reference reference(const Topology& t, const MixingMatrix& w) {
  const int n = t.n;
  const auto wv = lapack_symmetric_eigenvalues(w.dense(), n);
  std::vector<double> l(n * n, 0.0);
  for (int i = 0; i < n; ++i) {
    l[i * n + i] = t.degree(i);
    for (int j : t.neighbours[i]) l[i * n + j] = -1;
  }
  const auto lv = lapack_symmetric_eigenvalues(l, n);
  const auto p = laplacian_pinv(t);
  double max_r = 0;
  for (const auto& e : t.edges) max_r = std::max(max_r, p[e.a * n + e.a] + p[e.b * n + e.b] - 2 * p[e.a * n + e.b]);
  return {1 - std::max(std::abs(wv[n - 2]), std::abs(wv[0])), lv[1], lv[n - 1], max_r};
}

/// Tolerance of a number printed as `text`: half a unit of its last digit.
double printed_tolerance(const std::string& text) {
  const auto dot = text.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  return 0.5 * std::pow(10.0, -decimals) + 1e-12;
}

MixingMatrix card_mixing(const Topology& t) {
  // The card's W column: 1/3, 1/5 (uniform on the regular ring and torus), J (complete), MH.
  if (t.kind == TopologyKind::Ring || t.kind == TopologyKind::Torus || t.kind == TopologyKind::Complete)
    return uniform_weights(t.neighbours);
  return metropolis_hastings(t.neighbours);
}

}  // namespace

TEST_CASE("spectra equal the references to 1e-9 for ring, torus, grid, exponential, star, complete at n = 16, 64, 100",
          "[topology][spectra]") {
  const double pi = std::acos(-1.0);
  for (int n : {16, 64, 100}) {
    for (auto kind : {TopologyKind::Ring, TopologyKind::Torus, TopologyKind::Grid, TopologyKind::Exponential,
                      TopologyKind::Star, TopologyKind::Complete}) {
      const Topology t = make(kind, n);
      const MixingMatrix w = card_mixing(t);
      INFO(to_string(kind) << " n=" << n);
      CHECK(stochasticity_error(w) < 1e-12);
      CHECK(asymmetry(w) == 0);
      const GraphSpectrum s = graph_spectrum(t.neighbours, w);
      const Reference r = reference(t, w);
      CHECK(std::abs(s.gap - r.gap) < 1e-9);
      CHECK(std::abs(s.l_lambda2 - r.l2) < 1e-9);
      CHECK(std::abs(s.l_lambda_max - r.lmax) < 1e-9);
      CHECK(std::abs(s.max_resistance - r.max_r) < 1e-9);
      const double m = static_cast<double>(t.edges.size());
      CHECK(s.edges == static_cast<int>(m));
      CHECK(std::abs(s.chi1 - m / r.l2) < 1e-9 * s.chi1);
      CHECK(std::abs(s.chi2 - 0.5 * m * r.max_r) < 1e-9 * s.chi2);
      CHECK(std::abs(s.lambda_mix - std::sqrt(2 * s.chi1 * s.chi2)) < 1e-9 * s.lambda_mix);
      // Foster's theorem: the edges' resistances sum to n - 1.
      CHECK(std::abs(s.sum_resistance - (n - 1)) < 1e-9);
      // Closed forms (card section 5.4).
      if (kind == TopologyKind::Ring) {
        CHECK(std::abs(s.l_lambda2 - (2 - 2 * std::cos(2 * pi / n))) < 1e-9);
        CHECK(std::abs(s.w_lambda2 - (1 + 2 * std::cos(2 * pi / n)) / 3) < 1e-9);
        CHECK(std::abs(s.w_lambda_min - (-1.0 / 3)) < 1e-9);  // n even
        CHECK(std::abs(s.max_resistance - (n - 1.0) / n) < 1e-9);  // edge-transitive: (n-1)/|E|
      }
      if (kind == TopologyKind::Star) {
        CHECK(std::abs(s.gap - 1.0 / n) < 1e-9);
        CHECK(std::abs(s.lambda_mix - (n - 1)) < 1e-9);
        CHECK(std::abs(s.max_resistance - 1) < 1e-9);
      }
      if (kind == TopologyKind::Complete) {
        CHECK(std::abs(s.gap - 1) < 1e-9);
        CHECK(std::abs(s.chi1 - (n - 1) / 2.0) < 1e-9);
        CHECK(std::abs(s.chi2 - (n - 1) / 2.0) < 1e-9);
        CHECK(std::abs(s.lambda_mix - (n - 1) / std::sqrt(2.0)) < 1e-9);
      }
      if (kind == TopologyKind::Torus) {
        const int side = t.rows;
        CHECK(std::abs(s.l_lambda2 - (2 - 2 * std::cos(2 * pi / side))) < 1e-9);
        CHECK(std::abs(s.max_resistance - (n - 1) / m) < 1e-9);
      }
    }
  }
}

TEST_CASE("spectra match the card's printed table (decentralized.md 5.4) to its printed digits", "[topology][spectra]") {
  // n, graph, |E|, gap, lambda2(L), lambda_max(L), max R_e, chi1, chi2, lambda_mix, ADOM+ chi
  struct Row {
    int n;
    TopologyKind kind;
    int edges;
    std::vector<std::string> values;
  };
  using K = TopologyKind;
  const std::vector<Row> table = {
      {16, K::Ring, 16, {"0.05075", "0.15224", "4.000", "0.93750", "105.10", "7.500", "39.70", "26.27"}},
      {16, K::Complete, 120, {"1", "16", "16", "0.12500", "7.50", "7.500", "10.61", "1"}},
      {16, K::Star, 15, {"0.06250", "1", "16", "1", "15", "7.500", "15.00", "16"}},
      {16, K::Torus, 32, {"0.40000", "2", "8", "0.46875", "16", "7.500", "15.49", "4"}},
      {16, K::Grid, 24, {"0.13136", "0.58579", "6.828", "0.70089", "40.97", "8.411", "26.25", "11.66"}},
      {16, K::Exponential, 56, {"0.50000", "4", "10.18", "0.27347", "14", "7.657", "14.64", "2.545"}},
      {64, K::Ring, 64, {"0.00321", "0.00963", "4", "0.98438", "6645.5", "31.50", "647.0", "415.3"}},
      {64, K::Torus, 128, {"0.11716", "0.58579", "8", "0.49219", "218.5", "31.50", "117.3", "13.66"}},
      {64, K::Grid, 112, {"0.03230", "0.15224", "7.696", "0.69784", "735.7", "39.08", "239.8", "50.55"}},
      {64, K::Exponential, 352, {"0.33333", "4", "16.23", "0.18195", "88", "32.02", "75.07", "4.058"}},
      {100, K::Ring, 100, {"0.00132", "0.00395", "4", "0.99000", "25339", "49.50", "1583.8", "1013.5"}},
      {100, K::Complete, 4950, {"1", "100", "100", "0.02000", "49.5", "49.50", "70.00", "1"}},
      {100, K::Star, 99, {"0.01000", "1", "100", "1", "99", "49.50", "99.00", "100"}},
      {100, K::Torus, 200, {"0.07639", "0.38197", "8", "0.49500", "523.6", "49.50", "227.7", "20.94"}},
      {100, K::Grid, 180, {"0.02053", "0.09789", "7.804", "0.69773", "1838.9", "62.80", "480.6", "79.73"}},
      {100, K::Exponential, 700, {"0.26667", "4", "19.54", "0.14533", "175", "50.86", "133.4", "4.885"}},
  };
  for (const auto& row : table) {
    const Topology t = make(row.kind, row.n);
    const GraphSpectrum s = graph_spectrum(t.neighbours, card_mixing(t));
    INFO(to_string(row.kind) << " n=" << row.n);
    CHECK(s.edges == row.edges);
    const double got[] = {s.gap, s.l_lambda2, s.l_lambda_max, s.max_resistance, s.chi1, s.chi2, s.lambda_mix, s.adom_chi};
    const char* what[] = {"gap", "lambda2(L)", "lambda_max(L)", "max R_e", "chi1", "chi2", "lambda_mix", "ADOM+ chi"};
    for (size_t k = 0; k < row.values.size(); ++k) {
      INFO(what[k] << ": card " << row.values[k] << ", computed " << got[k]);
      // Integers in the table ("4", "16") are exact; the others are rounded to their last digit,
      // except whole numbers the card wrote without decimals although not exact ("25339").
      const double tol = row.values[k].find('.') == std::string::npos ? 0.5 : printed_tolerance(row.values[k]);
      CHECK(std::abs(got[k] - std::stod(row.values[k])) <= tol);
    }
  }
}

TEST_CASE("mixing rules: MH, max-degree and uniform are doubly stochastic; star MH is the card's", "[topology][mixing]") {
  for (auto kind : {TopologyKind::Grid, TopologyKind::Star, TopologyKind::Exponential}) {
    const Topology t = make(kind, 16);
    for (const auto& w : {metropolis_hastings(t.neighbours), max_degree(t.neighbours)}) {
      CHECK(stochasticity_error(w) < 1e-12);
      CHECK(asymmetry(w) == 0);
      for (const auto& row : w.rows) CHECK(row.self >= 0);
    }
  }
  const Topology star = make(TopologyKind::Star, 10);
  const auto w = metropolis_hastings(star.neighbours);
  CHECK(w.rows[0].self == Approx(0.1));     // hub keeps 1/n
  CHECK(w.rows[3].self == Approx(0.9));     // leaves 1 - 1/n
  CHECK(w.rows[3].weights[0] == Approx(0.1));
  CHECK_THROWS_WITH(uniform_weights(star.neighbours), Catch::Contains("a regular graph"));
  const auto j = uniform_weights(make(TopologyKind::Complete, 5).neighbours);
  for (const auto& row : j.rows) {
    CHECK(row.self == 0.2);
    for (double x : row.weights) CHECK(x == 0.2);
  }
}

TEST_CASE("off nodes: their weight moves to the diagonal, W stays doubly stochastic", "[topology][mixing]") {
  const Topology t = make(TopologyKind::Torus, 16);
  const auto w = metropolis_hastings(t.neighbours);
  std::vector<bool> present(16, true);
  present[1] = present[5] = present[6] = false;
  const auto r = restrict_to_present(w, present);
  CHECK(stochasticity_error(r) < 1e-12);
  CHECK(asymmetry(r) == 0);
  CHECK(r.rows[1].self == 1.0);
  CHECK(r.rows[1].peers.empty());
  CHECK(r.rows[0].self == Approx(w.rows[0].self + 0.2));  // node 0 lost neighbour 1 (1/5)
  for (int p : r.rows[2].peers) CHECK(present[p]);
}

TEST_CASE("one-peer exponential: a period of tau steps is exact averaging only when n is a power of 2",
          "[topology][mixing]") {
  const Topology t = make(TopologyKind::OnePeerExponential, 16);
  CHECK(t.period == 4);
  CHECK(t.one_peer_target(3, 1) == 4);
  CHECK(t.one_peer_target(3, 3) == 7);
  CHECK(t.one_peer_source(0, 4) == 8);
  CHECK(t.one_peer_target(3, 5) == 4);  // period 4
  for (int r = 1; r <= 4; ++r) CHECK(stochasticity_error(one_peer_exponential(16, 4, r)) < 1e-15);
  CHECK(one_peer_period_contraction(16, 4) < 1e-12);
  // The card: n = 12 leaves a max error of 0.042 per entry; the spectral norm is larger.
  CHECK(one_peer_period_contraction(12, 4) > 0.04);
}

TEST_CASE("generators: sizes, regularity, Boost's lattices and G(n,p)", "[topology]") {
  CHECK(make(TopologyKind::Ring, 10).edges.size() == 10);
  CHECK(make(TopologyKind::Complete, 10).edges.size() == 45);
  const Topology torus = make(TopologyKind::Torus, 12);  // 3 x 4
  CHECK(torus.rows == 3);
  CHECK(torus.cols == 4);
  CHECK(torus.regular());
  CHECK(torus.degree(0) == 4);
  const Topology grid = make(TopologyKind::Grid, 12);
  CHECK(grid.edges.size() == 3 * 3 + 2 * 4);
  CHECK(grid.degree(0) == 2);
  CHECK(grid.degree(5) == 4);

  TopologySpec er;
  er.kind = TopologyKind::ErdosRenyi;
  er.p = 0.3;
  const Topology g1 = build_topology(er, names(100), 7), g2 = build_topology(er, names(100), 7);
  CHECK(g1.edges.size() == g2.edges.size());  // seeded
  // G(n,p): about p n (n-1) / 2 = 1485 edges, with a standard deviation of ~33.
  CHECK(std::abs(static_cast<double>(g1.edges.size()) - 1485.0) < 5 * 33);
  const Topology g3 = build_topology(er, names(100), 8);
  CHECK(g3.edges.size() != g1.edges.size());

  TopologySpec rr;
  rr.kind = TopologyKind::RandomRegular;
  rr.degree = 4;
  const Topology r = build_topology(rr, names(50), 3);
  CHECK(r.regular());
  CHECK(r.degree(0) == 4);
  CHECK(r.edges.size() == 100);

  TopologySpec sw;
  sw.kind = TopologyKind::SmallWorld;
  sw.degree = 4;
  sw.p = 0.0;
  CHECK(build_topology(sw, names(20), 1).edges.size() == 40);  // the ring lattice, no rewiring
  sw.p = 0.2;
  const Topology w = build_topology(sw, names(40), 1);
  for (const auto& e : w.edges) CHECK(e.a < e.b);
}

TEST_CASE("topology errors say what was expected", "[topology]") {
  TopologySpec er;
  er.kind = TopologyKind::ErdosRenyi;
  er.p = 0.01;  // far below ln(n)/n: disconnected
  const std::string msg = error_of(er, 60, 3);
  CHECK_THAT(msg, Catch::Contains("a connected graph, got"));
  CHECK_THAT(msg, Catch::Contains("components: {"));
  CHECK_THAT(msg, Catch::Contains("raise p"));
  TopologySpec torus;
  torus.kind = TopologyKind::Torus;
  CHECK_THAT(error_of(torus, 8), Catch::Contains("torus sides of at least 3, got 2 x 4"));
  torus.rows = 5;
  CHECK_THAT(error_of(torus, 12), Catch::Contains("rows x cols equal to the number of devices (12)"));
  TopologySpec rr;
  rr.kind = TopologyKind::RandomRegular;
  rr.degree = 3;
  CHECK_THAT(error_of(rr, 7), Catch::Contains("n x degree even"));
}

TEST_CASE("edge-list files: names or indices, links per edge, errors with line numbers", "[topology]") {
  const auto dir = flemu::test::scratch_dir("edges");
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    TopologySpec s;
    s.kind = TopologyKind::EdgeList;
    s.file = (dir / name).string();
    return s;
  };
  const auto good = write("good.csv", "# a path and a chord\na,b,bandwidth,latency\nd-0,d-1,10Mbps,5ms\n1,2,1Gbps,1ms\n0,3,1Mbps,0ms\n");
  const Topology t = build_topology(good, names(4), 1);
  REQUIRE(t.edges.size() == 3);
  CHECK(t.edges[0].b == 1);
  CHECK(t.edges[0].bytes_per_s == 1.25e6);
  CHECK(t.edges[0].latency_s == 0.005);
  CHECK(t.edges[1].b == 3);
  CHECK_THAT(error_of(write("dup.csv", "a,b\n0,1\n1,0\n"), 2), Catch::Contains("dup.csv:3: expected each edge once"));
  CHECK_THAT(error_of(write("self.csv", "a,b\n0,0\n"), 2), Catch::Contains("self.csv:2: expected two different devices"));
  CHECK_THAT(error_of(write("who.csv", "a,b\n0,x\n"), 2), Catch::Contains("who.csv:2: expected a device name or index"));
  CHECK_THAT(error_of(write("hdr.csv", "from,to\n"), 2), Catch::Contains("hdr.csv:1: expected the header"));
  CHECK_THAT(error_of(write("split.csv", "a,b\n0,1\n2,3\n"), 4), Catch::Contains("2 components: {0-1}, {2-3}"));
}

TEST_CASE("mixing from a file: checked against the graph, symmetry and row sums", "[topology][mixing]") {
  const auto dir = flemu::test::scratch_dir("mixing");
  const Topology ring = make(TopologyKind::Ring, 4);
  auto read = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return mixing_from_file((dir / name).string(), ring.neighbours);
  };
  const auto w = read("w.csv", "i,j,w\n0,0,0.5\n0,1,0.25\n1,0,0.25\n0,3,0.25\n3,0,0.25\n1,1,0.5\n1,2,0.25\n2,1,0.25\n"
                               "2,2,0.5\n2,3,0.25\n3,2,0.25\n3,3,0.5\n");
  CHECK(stochasticity_error(w) < 1e-15);
  auto error = [&](const std::string& name, const std::string& text) {
    try {
      read(name, text);
    } catch (const MixingError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(error("off.csv", "i,j,w\n0,2,0.5\n"), Catch::Contains("off.csv:2: expected an entry on an edge"));
  CHECK_THAT(error("asym.csv", "i,j,w\n0,1,0.5\n"), Catch::Contains("expected a symmetric matrix"));
  CHECK_THAT(error("rows.csv", "i,j,w\n0,0,1\n1,1,1\n2,2,1\n3,3,0.5\n"), Catch::Contains("row 3 sums to 0.5"));
}
