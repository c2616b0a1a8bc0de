#pragma once
// How idle OpenMP threads wait, and making our executables start with passive waiting.
//
// LibTorch's intra-op pool is GNU OpenMP (libgomp). By default an idle libgomp worker spins for up to a few
// milliseconds after every parallel region. OpenBLAS runs its own pthreads for every GEMM on the same cores,
// so on a small CPU each GEMM waits for a spinning OpenMP worker to give its core back: measured on 2 cores,
// a NeuroLM-B answer took 2.6 s with the default and 1.0 s with OMP_WAIT_POLICY=PASSIVE. libgomp reads the
// policy once, in its library constructor, before main — so an executable sets it from its .preinit_array,
// whose functions the dynamic loader runs after loading and relocating the libraries but before any library
// constructor. A variable set there does not survive (libc's own initialisation resets the environment from
// the process stack), so the preinit function re-executes the program with the variable added: the cost is
// one more load + relocation (~35 ms for LibTorch here), not a second start of LibTorch (~0.6 s).
namespace neurolm {

// True when OMP_WAIT_POLICY is "passive" (any case) in this process's environment.
bool openMpWaitIsPassive();

// A .preinit_array function (see NEUROLM_PREINIT): when `envp` names no OMP_WAIT_POLICY, re-executes
// /proc/self/exe with the same arguments and OMP_WAIT_POLICY=PASSIVE added; otherwise (the user's choice, or
// the re-executed process) returns. Returns too when the exec fails: the program then runs with libgomp's
// default. Uses no allocation and no libc state (libc is not initialised yet).
void passiveOpenMpWaitPreinit(int argc, char** argv, char** envp);

}  // namespace neurolm

// At namespace scope in an executable's main file: runs `fn(int argc, char** argv, char** envp)` after the
// libraries are loaded, before any of them is initialised (ELF .preinit_array; executables only).
#define NEUROLM_PREINIT(fn)                                                                           \
  __attribute__((section(".preinit_array"), used)) static void (*const neurolmPreinit_##fn)(int, char**, \
                                                                                           char**) = &fn

// The engine's executables (neurolm, neurolm-studio): passive OpenMP waiting unless the user chose.
#define NEUROLM_PASSIVE_OPENMP_WAIT_BY_DEFAULT()                                                     \
  static void neurolmPassiveOpenMpWait(int argc, char** argv, char** envp) {                         \
    neurolm::passiveOpenMpWaitPreinit(argc, argv, envp);                                             \
  }                                                                                                  \
  NEUROLM_PREINIT(neurolmPassiveOpenMpWait)
