// The control socket between the host and a worker template: start a worker, kill a worker.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include <unistd.h>

namespace shoprules::host::isolation {

/// The fds a template starts with (set up by the host's posix_spawn).
inline constexpr int kControlFd = 3;
inline constexpr int kPluginFd = 4;

struct ControlMessage {
  char cmd = 0;            ///< 'S' start a worker (with its channel fd), 'K' kill one, 'R' ready,
                           ///< 'P' started (pid), 'k' killed, 'E' error (text follows)
  std::int32_t value = 0;  ///< memory_mb for 'S', the pid for 'K' and 'P'
  char text[480] = {};     ///< for 'E'
};

/// Sends one message, with `fd` attached when it is >= 0. False when the other side is gone.
inline bool send_control(int sock, const ControlMessage& m, int fd = -1) {
  struct iovec iov {
    const_cast<ControlMessage*>(&m), sizeof m
  };
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  }
  for (;;) {
    ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(sizeof m)) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}

/// Receives one message (and the fd attached, else -1). False on end of file or an error.
inline bool recv_control(int sock, ControlMessage& m, int* fd = nullptr) {
  struct iovec iov {
    &m, sizeof m
  };
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  if (fd) *fd = -1;
  for (;;) {
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof m)) return false;
    break;
  }
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int got;
      std::memcpy(&got, CMSG_DATA(c), sizeof got);
      if (fd)
        *fd = got;
      else
        close(got);
    }
  m.text[sizeof m.text - 1] = '\0';
  return true;
}

inline ControlMessage error_message(const std::string& text) {
  ControlMessage m;
  m.cmd = 'E';
  std::strncpy(m.text, text.c_str(), sizeof m.text - 1);
  return m;
}

}  // namespace shoprules::host::isolation
