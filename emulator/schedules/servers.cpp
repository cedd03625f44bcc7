#include "emulator/schedules/servers.hpp"

#include <simgrid/s4u.hpp>

#include "emulator/schedules/async_server.hpp"
#include "emulator/schedules/anarchic_server.hpp"
#include "emulator/schedules/data_parallel.hpp"
#include "emulator/schedules/llm_inference.hpp"
#include "emulator/schedules/pipeline.hpp"
#include "emulator/schedules/dadao_clocks.hpp"
#include "emulator/schedules/gossip_rounds.hpp"
#include "emulator/schedules/pairwise_gossip.hpp"
#include "emulator/schedules/sync_server.hpp"
#include "emulator/schedules/video_infinity.hpp"

namespace sg4 = simgrid::s4u;

namespace flemu {

void start_server(Federation& fed, ServerOutcome& outcome) {
  const AlgorithmSpec& spec = fed.scenario.algorithm;
  if (spec.is_cluster())
    start_data_parallel(fed, outcome);
  else if (spec.is_pipeline())
    start_pipeline(fed, outcome);
  else if (spec.is_inference())
    start_llm_inference(fed, outcome);
  else if (spec.family == "video")
    start_video_infinity(fed, outcome);
  else if (spec.is_async())
    sg4::Actor::create("server", fed.platform.server, AsyncServer(fed, outcome));
  else if (spec.is_anarchic())
    start_anarchic(fed, outcome);
  else if (spec.family == "decentralized")
    start_gossip_rounds(fed, outcome);
  else if (spec.name == "dadao")
    start_dadao(fed, outcome);
  else if (spec.family == "gossip-async")
    start_pairwise_gossip(fed, outcome);
  else
  {
    AlgorithmContext context;
    context.num_clients = fed.num_devices();
    context.model_params = fed.trainer.model().num_params;
    context.model_bytes = fed.trainer.model().bytes;
    context.model = fed.trainer.model();
    context.seed = fed.scenario.seed;
    for (int i = 0; i < fed.num_devices(); ++i) {
      context.client_classes.push_back(fed.devices[i].class_name);
      context.total_samples += static_cast<int64_t>(fed.partitions[i]->size());
    }
    sg4::Actor::create("server", fed.platform.server, SyncServer(fed, make_sync_algorithm(spec, context), outcome));
  }
}

}  // namespace flemu
