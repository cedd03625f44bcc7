// Asynchronous FL maths on hand-computed values: staleness weights (FedAsync Sec. 5.2),
// FedAsync mixing, FedBuff's buffered step, AFA-CD and AFA-CS.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "algorithms/fl/afa.hpp"
#include "algorithms/fl/fedasync.hpp"
#include "algorithms/fl/fedbuff.hpp"
#include "algorithms/fl/staleness.hpp"

using namespace flemu;

namespace {

void check_params(const Params& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    INFO("index " << i);
    CHECK(got[i] == Approx(want[i]).margin(1e-6));
  }
}

}  // namespace

TEST_CASE("staleness: constant, polynomial and hinge weights", "[async]") {
  const StalenessSpec constant{StalenessFunction::Constant, 0.5, 4};
  CHECK(staleness_weight(constant, 0) == 1.0);
  CHECK(staleness_weight(constant, 100) == 1.0);

  const StalenessSpec poly{StalenessFunction::Polynomial, 0.5, 4};  // 1/sqrt(1+τ)
  CHECK(staleness_weight(poly, 0) == 1.0);
  CHECK(staleness_weight(poly, 3) == 0.5);
  CHECK(staleness_weight(poly, 8) == Approx(1.0 / 3));
  CHECK(staleness_weight(StalenessSpec{StalenessFunction::Polynomial, 1.0, 0}, 4) == Approx(0.2));

  const StalenessSpec hinge{StalenessFunction::Hinge, 10, 4};
  CHECK(staleness_weight(hinge, 0) == 1.0);
  CHECK(staleness_weight(hinge, 4) == 1.0);
  CHECK(staleness_weight(hinge, 5) == Approx(1.0 / 11));
  CHECK(staleness_weight(hinge, 6) == Approx(1.0 / 21));

  CHECK_THROWS_AS(staleness_weight(poly, -1), std::invalid_argument);
  CHECK_THROWS_AS(staleness_weight(StalenessSpec{StalenessFunction::Polynomial, 0, 0}, 1), std::invalid_argument);
  CHECK(staleness_function_from_name("hinge") == StalenessFunction::Hinge);
  CHECK(staleness_function_name(StalenessFunction::Polynomial) == "polynomial");
  CHECK_THROWS_AS(staleness_function_from_name("linear"), std::invalid_argument);
}

TEST_CASE("fedasync: mixes with alpha times the staleness weight", "[async]") {
  const Params global{1, 2, 3}, client{3, 2, -1};
  const StalenessSpec poly{StalenessFunction::Polynomial, 0.5, 4};
  // α_t = 0.6 * 1/sqrt(4) = 0.3: 0.7 x + 0.3 x_client.
  CHECK(fedasync_alpha(0.6, poly, 3) == Approx(0.3));
  check_params(fedasync_update(global, client, 0.6, poly, 3), {1.6, 2.0, 1.8});
  // Fresh update, constant s: α_t = 0.6.
  check_params(fedasync_update(global, client, 0.6, StalenessSpec{StalenessFunction::Constant, 0, 0}, 0),
               {2.2, 2.0, 0.6});
  CHECK_THROWS_AS(fedasync_update(global, client, 1.5, poly, 0), std::invalid_argument);
  CHECK_THROWS_AS(fedasync_update(global, Params{1}, 0.5, poly, 0), std::invalid_argument);

  FedAsyncParams params;  // α = 0.6, polynomial a = 0.5
  FedAsyncState state{global, 5};
  CHECK(fedasync_receive(state, params, client, 2) == 3);
  CHECK(state.version == 6);
  check_params(state.global, {1.6, 2.0, 1.8});
  CHECK_THROWS_AS(fedasync_receive(state, params, client, 7), std::invalid_argument);
}

TEST_CASE("fedbuff: K staleness-weighted deltas, then one server step", "[async]") {
  check_params(model_delta(Params{3, 5}, Params{1, 1}), {2, 4});
  const Params d1{2, 4}, d2{4, -4};
  check_params(weighted_sum({&d1, &d2}, {1.0, 0.5}), {4, 2});
  check_params(fedbuff_step(Params{1, 1}, Params{4, 2}, 1.0, 2), {3, 2});

  FedBuffParams params;
  params.buffer_size = 2;
  params.server_lr = 1.0;  // staleness: polynomial a = 0.5 by default
  FedBuffBuffer buffer(params);
  CHECK(buffer.empty());
  buffer.add(d1, 0);  // weight 1
  CHECK_FALSE(buffer.full());
  buffer.add(d2, 3);  // weight 1/sqrt(4) = 0.5
  CHECK(buffer.full());
  CHECK(buffer.weights() == std::vector<double>{1.0, 0.5});
  CHECK_THROWS_AS(buffer.add(d1, 0), std::invalid_argument);
  // x + 1.0 * ({2,4} + 0.5 {4,-4}) / 2 = {1,1} + {2,1}.
  check_params(buffer.flush(Params{1, 1}), {3, 2});
  CHECK(buffer.empty());
  CHECK_THROWS_AS(buffer.flush(Params{1, 1}), std::invalid_argument);

  params.server_lr = 0.5;
  FedBuffBuffer slow(params);
  slow.add(d1, 0);
  slow.add(d2, 3);
  check_params(slow.flush(Params{1, 1}), {2, 1.5});
  slow.add(d1, 0);
  CHECK_THROWS_AS(slow.add(Params{1, 2, 3}, 0), std::invalid_argument);
  CHECK_THROWS_AS(FedBuffBuffer(FedBuffParams{0, 1.0, {}}), std::invalid_argument);
}

TEST_CASE("afa-cd: normalises each update by its own local steps", "[async]") {
  // η_L = 0.1. Worker 1: K = 2, moved {-0.2, +0.2} -> G = {1, -1}.
  //            Worker 2: K = 3, moved {-0.3, 0}   -> G = {1, 0}.
  const Params g1 = afa_normalized_update(Params{1, 1}, Params{0.8f, 1.2f}, 0.1, 2);
  const Params g2 = afa_normalized_update(Params{1, 1}, Params{0.7f, 1.0f}, 0.1, 3);
  check_params(g1, {1, -1});
  check_params(g2, {1, 0});
  // x - η η_L mean(G) = {1,1} - 2 * 0.1 * {1, -0.5} = {0.8, 1.1}.
  check_params(afa_cd_step(Params{1, 1}, {&g1, &g2}, 2.0, 0.1), {0.8, 1.1});
  CHECK_THROWS_AS(afa_cd_step(Params{1, 1}, {}, 2.0, 0.1), std::invalid_argument);
  CHECK_THROWS_AS(afa_normalized_update(Params{1}, Params{1}, 0.1, 0), std::invalid_argument);
}

TEST_CASE("afa-cs: averages the latest update of all N silos", "[async]") {
  AfaCsMemory memory(4);
  afa_cs_remember(memory, 0, Params{1, -1});
  afa_cs_remember(memory, 2, Params{1, 0});
  // Silos 1 and 3 count as 0: {1,1} - 2 * 0.1 * ({2, -1} / 4) = {0.9, 1.05}.
  check_params(afa_cs_step(Params{1, 1}, memory, 2.0, 0.1), {0.9, 1.05});
  // Silo 0 reports again: its old update is replaced, silo 2's is reused.
  afa_cs_remember(memory, 0, Params{3, 1});
  check_params(afa_cs_step(Params{1, 1}, memory, 2.0, 0.1), {0.8, 0.95});
  CHECK_THROWS_AS(afa_cs_remember(memory, 4, Params{1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(afa_cs_remember(memory, 1, Params{1}), std::invalid_argument);
  CHECK_THROWS_AS(afa_cs_step(Params{1, 1}, AfaCsMemory(3), 1.0, 0.1), std::invalid_argument);
}
