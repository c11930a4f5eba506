// Idle OpenMP threads sleep instead of spinning.
//
// libtorch, oneDNN and OpenBLAS share one OpenMP runtime (libgomp). By
// default a libgomp thread that runs out of work spins for about 300,000
// rounds before it sleeps, in case more work comes at once. On a virtual
// machine whose cores the host also gives to others, the spinning thread
// holds a core that the thread it waits for may need: measured on this 2-core
// machine in a busy hour, one training step of `original` took 943–1059 ms
// spinning and 345–350 ms with OMP_WAIT_POLICY=PASSIVE (docs/performance.md has the
// figures). libgomp reads its settings once, when it is loaded, before main
// runs; so the program starts itself again with the setting in its
// environment.
#pragma once

namespace alexnet::cli {

// Unless the user chose a policy (OMP_WAIT_POLICY or GOMP_SPINCOUNT set),
// replaces this process by the same program with the same arguments and
// OMP_WAIT_POLICY=PASSIVE. Returns only when nothing was to be done or the
// restart failed (the program then runs as it is, threads spinning).
void restart_with_sleeping_openmp_threads(char** argv);

}  // namespace alexnet::cli
