#pragma once
// How idle OpenMP threads wait, and making our executables start with passive waiting.
//
// LibTorch's intra-op pool is GNU OpenMP (libgomp). By default an idle libgomp worker spins for up to a few
// milliseconds after every parallel region. OpenBLAS runs its own pthreads for every GEMM on the same cores,
// so on a small CPU each GEMM waits for a spinning OpenMP worker to give its core back: measured on 2 cores,
// a NeuroLM-B answer took 2.6 s with the default and 1.0 s with OMP_WAIT_POLICY=PASSIVE. libgomp reads the
// policy once, when it is loaded (before main), so the only way to choose it is the environment at exec.
namespace neurolm {

// True when OMP_WAIT_POLICY is "passive" (any case) in this process's environment.
bool openMpWaitIsPassive();

// First statement of main() of an executable that runs the engine. When the user has not chosen a policy
// (OMP_WAIT_POLICY unset), sets OMP_WAIT_POLICY=PASSIVE and re-executes /proc/self/exe with the same
// arguments, once (NEUROLM_OMP_REEXEC guards against loops). Returns normally when nothing is to be done or
// when the re-exec fails (the program then runs with the default policy). A user's own OMP_WAIT_POLICY is
// respected.
void reexecWithPassiveOpenMpWait(int argc, char** argv);

}  // namespace neurolm
