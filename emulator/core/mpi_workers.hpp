// Training jobs on MPI worker ranks: `mpirun -np K flemu run SCENARIO.json`.
//
// Rank 0 runs everything flemu runs without MPI (SimGrid engine, actors, outputs); its trainer
// is a forwarding Trainer that ships each train/evaluate job (start parameters, the client's
// sample indices, LocalTrainingSpec, seed) to a free worker rank and waits for the result.
// Ranks 1..K-1 load the scenario's dataset themselves, build the real LibTorch trainer and
// serve jobs until rank 0 says stop. Jobs are pure (trainer.hpp), so results are the same
// bits as a single-process run, whichever worker runs which job.
//
// Failure: a job that throws on a worker is sent back and rethrown on rank 0 (the run fails,
// its staging folder is removed). A worker that dies makes mpirun end the job (OpenMPI's
// errors are fatal); rank 0 then gets SIGTERM and removes its staging folder before exiting.
//
// Without MPI (built without it, or not launched by mpirun with more than one rank) the
// session is inactive and nothing here changes a run.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "workloads/models/trainer.hpp"

namespace flemu {

class MpiSession {
 public:
  /// Initialises MPI iff this process was launched by mpirun with more than one rank
  /// (OMPI_COMM_WORLD_SIZE > 1). Throws std::runtime_error if it was, but flemu was built
  /// without MPI (every rank would run the whole scenario).
  MpiSession(int* argc, char*** argv);
  /// Rank 0: tells the workers to stop; every rank: MPI_Finalize.
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  /// Whether MPI is in use (process-wide; false before a session exists).
  static bool active();
  /// This process's rank (0 when inactive).
  static int rank();
  /// Number of worker ranks (0 when inactive).
  static int workers();
};

/// Rank 0: a Trainer whose train()/evaluate() run on worker ranks; model(), initial_params(),
/// device() and learns() come from `local` (the same trainer the workers build).
/// Thread-safe: any number of job threads may call it; each job occupies one worker.
std::unique_ptr<Trainer> make_mpi_trainer(std::unique_ptr<Trainer> local);

/// Ranks > 0: builds a trainer with `make_trainer` (null: the run needs none, e.g. analytic
/// mode), then serves jobs until rank 0 says stop. If `make_trainer` throws, every job is
/// answered with that error, so rank 0 fails with the worker's message instead of hanging.
/// Test hook: FLEMU_MPI_TEST_KILL_WORKER=1 makes rank 1 abort() after its first job.
void serve_mpi_jobs(const std::function<std::unique_ptr<Trainer>()>& make_trainer);

/// Rank 0: on SIGTERM/SIGINT (mpirun ending the job after a worker died), remove `dir`
/// (a staging folder) and exit with status 1.
void remove_on_termination(const std::string& dir);

}  // namespace flemu
