#pragma once
// A real one-node Slurm cluster on this machine for the tests: a private munged (own key and socket),
// slurmctld and slurmd in the foreground as children of the test, all state under a temporary folder,
// ports chosen free. Everything is stopped and removed again in the destructor. When the daemons cannot run
// here, `unavailableReason()` says exactly why (the tests then skip with it).
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/TempDir.h"
#include "core/jobs/Process.h"

extern char** environ;

namespace neurolm::test {

class LocalSlurm {
 public:
  LocalSlurm() : dir_("slurm-local") {
    try {
      start();
    } catch (const std::exception& e) {
      reason_ = e.what();
    }
  }
  ~LocalSlurm() { stop(); }
  LocalSlurm(const LocalSlurm&) = delete;
  LocalSlurm& operator=(const LocalSlurm&) = delete;

  const std::string& unavailableReason() const { return reason_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const std::string& nodeName() const { return node_; }
  const std::string& partition() const { return partition_; }
  std::string version() const { return version_; }

  // A client command (sinfo, scontrol, …) against this cluster.
  jobs::ProcessResult client(const std::vector<std::string>& argv) const { return jobs::runProcess(argv); }

  std::string logTails() const {
    return tail(dir() / "log" / "slurmctld.out") + tail(dir() / "log" / "slurmd.out") +
           tail(dir() / "munge" / "munged.log");
  }

 private:
  static std::string findProgram(const std::string& name) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
      std::stringstream s(path);
      for (std::string d; std::getline(s, d, ':');) dirs.push_back(d);
    }
    for (const char* d : {"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"}) dirs.push_back(d);
    for (const auto& d : dirs) {
      const auto p = std::filesystem::path(d) / name;
      if (!d.empty() && access(p.c_str(), X_OK) == 0) return p.string();
    }
    throw std::runtime_error("'" + name +
                             "' is not installed (tools/install-deps.sh installs slurm-wlm and munge)");
  }

  static int freePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      if (fd >= 0) close(fd);
      throw std::runtime_error("cannot find a free TCP port on 127.0.0.1");
    }
    close(fd);
    return ntohs(a.sin_port);
  }

  static std::string tail(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    std::string s = "\n--- " + path.filename().string() + " (last lines) ---\n";
    for (std::size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i)
      s += lines[i] + "\n";
    return s;
  }

  // Starts a daemon in the foreground with stdout and stderr to a log file.
  pid_t spawnDaemon(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<std::string> copies(argv);
    std::vector<char*> args;
    for (auto& a : copies) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::to_string(rc));
    return pid;
  }

  static bool exited(pid_t pid) {
    int status = 0;
    return waitpid(pid, &status, WNOHANG) == pid;
  }

  void start() {
    if (geteuid() != 0)
      throw std::runtime_error("slurmd must run as root to start jobs, and this test runs as uid " +
                               std::to_string(geteuid()));
    const auto munged = findProgram("munged"), slurmctld = findProgram("slurmctld"),
               slurmd = findProgram("slurmd");
    for (const char* client : {"sbatch", "squeue", "scancel", "sinfo", "scontrol"}) findProgram(client);
    version_ = jobs::runProcess({slurmctld, "-V"}).out;
    while (!version_.empty() && version_.back() == '\n') version_.pop_back();

    char host[256] = {};
    gethostname(host, sizeof host - 1);
    node_ = std::string(host).substr(0, std::string(host).find('.'));
    const auto d = dir();
    for (const char* sub : {"munge", "state", "spool", "log"}) std::filesystem::create_directories(d / sub);
    std::filesystem::permissions(d / "munge", std::filesystem::perms::owner_all);

    // munge: a fresh 1 KiB key of our own and a socket in our folder, so nothing of the host is touched.
    const auto key = d / "munge" / "munge.key";
    {
      std::random_device rd;
      std::ofstream k(key, std::ios::binary);
      for (int i = 0; i < 256; ++i) {
        const uint32_t v = rd();
        k.write(reinterpret_cast<const char*>(&v), sizeof v);
      }
    }
    std::filesystem::permissions(key,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    mungeSocket_ = (d / "munge" / "munge.socket").string();
    const auto m =
        jobs::runProcess({munged, "--force", "--socket=" + mungeSocket_, "--key-file=" + key.string(),
                          "--log-file=" + (d / "munge" / "munged.log").string(),
                          "--pid-file=" + (d / "munge" / "munged.pid").string(),
                          "--seed-file=" + (d / "munge" / "munged.seed").string()});
    if (m.exitCode != 0)
      throw std::runtime_error("munged did not start: " + m.err + tail(d / "munge" / "munged.log"));
    mungedStarted_ = true;
    mungedPath_ = munged;

    // The node as slurmd sees the hardware (CPUs, sockets, cores, threads, RealMemory).
    const auto hw = jobs::runProcess({slurmd, "-C"});
    std::string nodeLine;
    std::istringstream hwLines(hw.out);
    for (std::string l; std::getline(hwLines, l);)
      if (l.rfind("NodeName=", 0) == 0) nodeLine = l;
    if (nodeLine.empty()) throw std::runtime_error("'slurmd -C' printed no node line: " + hw.out + hw.err);
    nodeLine = "NodeName=" + node_ + nodeLine.substr(nodeLine.find(' '));

    conf_ = d / "slurm.conf";
    std::ofstream c(conf_);
    c << "ClusterName=neurolmtest\n"
      << "SlurmctldHost=localhost\n"
      << "SlurmUser=root\nSlurmdUser=root\n"
      << "SlurmctldPort=" << freePort() << "\nSlurmdPort=" << freePort() << "\n"
      << "AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << mungeSocket_ << "\n"
      << "StateSaveLocation=" << (d / "state").string() << "\n"
      << "SlurmdSpoolDir=" << (d / "spool").string() << "\n"
      << "SlurmctldPidFile=" << (d / "slurmctld.pid").string() << "\n"
      << "SlurmdPidFile=" << (d / "slurmd.pid").string() << "\n"
      << "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
      << "SelectType=select/cons_tres\nSelectTypeParameters=CR_Core_Memory\n"
      << "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
      << "JobCompType=jobcomp/none\nMpiDefault=none\nMailProg=/bin/true\n"
      << "ReturnToService=2\nSchedulerType=sched/backfill\nKillWait=30\nMinJobAge=600\n"
      << "SlurmctldTimeout=30\nSlurmdTimeout=60\n"
      << nodeLine << " NodeAddr=127.0.0.1 State=UNKNOWN\n"
      << "PartitionName=" << partition_ << " Nodes=" << node_ << " Default=YES MaxTime=INFINITE State=UP\n";
    c.close();
    if (const char* old = std::getenv("SLURM_CONF")) oldSlurmConf_ = old;
    setenv("SLURM_CONF", conf_.c_str(), 1);

    ctld_ = spawnDaemon({slurmctld, "-D", "-f", conf_.string()}, d / "log" / "slurmctld.out");
    slurmd_ = spawnDaemon({slurmd, "-D", "-f", conf_.string(), "-N", node_}, d / "log" / "slurmd.out");

    // Wait until the node takes jobs.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::string lastState;
    while (std::chrono::steady_clock::now() < deadline) {
      if (exited(ctld_)) {
        ctld_ = -1;
        throw std::runtime_error("slurmctld exited at start" + logTails());
      }
      if (exited(slurmd_)) {
        slurmd_ = -1;
        throw std::runtime_error("slurmd exited at start" + logTails());
      }
      const auto s =
          jobs::runProcess({findProgram("sinfo"), "--noheader", "--Node", "--nodes=" + node_, "--format=%T"});
      lastState = s.out + s.err;
      if (s.exitCode == 0 && s.out.rfind("idle", 0) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    throw std::runtime_error("the node did not become idle within 60 s (sinfo: " + lastState + ")" +
                             logTails());
  }

  static void terminate(pid_t& pid) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!exited(pid)) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    pid = -1;
  }

  void stop() {
    if (ctld_ > 0 && slurmd_ > 0) {
      // Cancel whatever a failed test left running, so no slurmstepd outlives the cluster.
      jobs::runProcess({"scancel", "--full", "--user=root"});
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
      while (std::chrono::steady_clock::now() < deadline) {
        const auto q = jobs::runProcess({"squeue", "--noheader", "--states=RUNNING,COMPLETING,PENDING"});
        if (q.exitCode != 0 || q.out.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
      }
    }
    terminate(slurmd_);
    terminate(ctld_);
    if (mungedStarted_) jobs::runProcess({mungedPath_, "--stop", "--socket=" + mungeSocket_});
    mungedStarted_ = false;
    if (!conf_.empty()) {
      if (oldSlurmConf_.empty())
        unsetenv("SLURM_CONF");
      else
        setenv("SLURM_CONF", oldSlurmConf_.c_str(), 1);
    }
  }

  TempDir dir_;
  std::string reason_, node_, partition_ = "debug", version_, mungeSocket_, mungedPath_, oldSlurmConf_;
  std::filesystem::path conf_;
  bool mungedStarted_ = false;
  pid_t ctld_ = -1, slurmd_ = -1;
};

}  // namespace neurolm::test
