// hookd-spawner: starts hook programs for hookd from a small process.
//
// Why: libuv starts children with fork(), whose cost grows with the parent's
// memory (page tables, mappings torn down again by exec). hookd is a large
// process; this one is tiny, and posix_spawn (clone with CLONE_VFORK) from it
// is several times cheaper. It also keeps working under strict overcommit
// (vm.overcommit_memory=2), where forking a large process can fail ENOMEM.
//
// The protocol (little-endian) runs over this process's stdin (requests) and
// stdout (events); stderr carries one-line diagnostics. Every frame is
//   u32 length of what follows | u8 type | u32 run id | payload
// Requests:
//   SPAWN   argc u32, envc u32, input length u32, the input bytes, then
//           NUL-terminated strings: file, cwd ("" = keep), argv..., env...
//   RELEASE stop relaying the run's output and close its pipes
// Events:
//   HELLO   (run id 0) protocol version u32: the spawner is ready
//   SPAWNED pid u32                  FAILED  errno u32 (the run is over)
//   STDOUT / STDERR  the bytes       EXIT    code i32 (-1 if signalled), signal u32
//   CLOSED  both output pipes are closed; after EXIT and CLOSED the run is over
//
// Each child runs in a new session (its own process group, as Node's
// `detached: true`), with default signal dispositions and an empty signal
// mask (except that glibc's posix_spawn leaves its two internal signals, 32
// and 33, ignored; glibc programs install their own handlers for them at
// start), and its stdin, stdout and stderr on pipes. The input is written to its
// stdin, which is then closed. hookd owns the process groups: it signals them
// itself with the pid reported here, so the spawner never kills anything. When
// hookd closes the spawner's stdin (or goes away), the spawner exits at once;
// children still running are reparented and reaped by init.
//
// Memory stays bounded: output waiting for hookd past OUT_HIGH stops the
// reading of children's output (their pipes fill, they wait) until it drains;
// pending input is only what hookd asked to write; a frame over MAX_FRAME is a
// protocol error.
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROTOCOL_VERSION 1u
#define HEADER 9u
#define MAX_FRAME (1024u * 1024u * 1024u)
#define READ_CHUNK (64u * 1024u)
#define OUT_HIGH (1024u * 1024u)
#define OUT_LOW (256u * 1024u)

enum { REQ_SPAWN = 1, REQ_RELEASE = 2 };
enum { EV_HELLO = 0x80, EV_SPAWNED, EV_FAILED, EV_STDOUT, EV_STDERR, EV_EXIT, EV_CLOSED };
enum { TAG_CONTROL = 1, TAG_SIGNALS = 2, TAG_OUT = 3 };

extern char **environ;

struct run;

// One pipe end of a run, as registered with epoll.
struct pipe_end {
  int tag; // TAG_OUT for every pipe end of a run
  int fd;  // -1 once closed
  int kind; // 0 stdin, 1 stdout, 2 stderr
  struct run *run;
};

struct run {
  uint32_t id;
  pid_t pid;
  struct pipe_end ends[3];
  char *input;
  size_t input_len, input_done;
  int exited, closed_sent;
  struct run *prev, *next;
};

struct buffer {
  char *data;
  size_t len, cap;
};

static int epfd;
static int control_tag = TAG_CONTROL, signals_tag = TAG_SIGNALS;
static struct buffer in_buf, out_buf;
static struct run *runs;
// Runs over, freed after the current batch of epoll events (which may still
// point into them).
static struct run *finished;
static int output_paused, out_waiting;

static void die(const char *what) {
  fprintf(stderr, "hookd-spawner: %s: %s\n", what, strerror(errno));
  exit(2);
}

static void protocol_error(const char *what) {
  fprintf(stderr, "hookd-spawner: protocol error: %s\n", what);
  exit(2);
}

static void reserve(struct buffer *b, size_t more) {
  if (b->len + more <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64 * 1024;
  while (cap < b->len + more) cap *= 2;
  char *data = realloc(b->data, cap);
  if (!data) die("out of memory");
  b->data = data;
  b->cap = cap;
}

static void put_u32(char *at, uint32_t value) {
  for (int i = 0; i < 4; i++) at[i] = (char)((value >> (8 * i)) & 0xff);
}

static uint32_t get_u32(const char *at) {
  const unsigned char *p = (const unsigned char *)at;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_header(char *at, uint32_t payload, int type, uint32_t id) {
  put_u32(at, payload + 5);
  at[4] = (char)type;
  put_u32(at + 5, id);
}

static void emit(int type, uint32_t id, const uint32_t *words, int count) {
  reserve(&out_buf, HEADER + 4u * (size_t)count);
  char *at = out_buf.data + out_buf.len;
  put_header(at, 4u * (uint32_t)count, type, id);
  for (int i = 0; i < count; i++) put_u32(at + HEADER + 4 * i, words[i]);
  out_buf.len += HEADER + 4u * (size_t)count;
}

static void watch(int fd, uint32_t events, void *ptr, int op) {
  struct epoll_event ev = {.events = events, .data.ptr = ptr};
  if (epoll_ctl(epfd, op, fd, &ev) == -1) die("epoll_ctl");
}

// Writes what it can of the events to hookd; EPOLLOUT wakes us for the rest.
static void flush_output(void) {
  size_t done = 0;
  while (done < out_buf.len) {
    ssize_t n = write(STDOUT_FILENO, out_buf.data + done, out_buf.len - done);
    if (n >= 0) {
      done += (size_t)n;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) break;
    exit(0); // EPIPE: hookd is gone, and with it everyone we report to
  }
  memmove(out_buf.data, out_buf.data + done, out_buf.len - done);
  out_buf.len -= done;
  // Watched only while behind: a stdout that epoll refuses (a file) never is.
  int waiting = out_buf.len > 0;
  if (waiting != out_waiting) {
    watch(STDOUT_FILENO, EPOLLOUT, NULL, waiting ? EPOLL_CTL_ADD : EPOLL_CTL_DEL);
    out_waiting = waiting;
  }
}

static void close_end(struct pipe_end *end) {
  if (end->fd < 0) return;
  epoll_ctl(epfd, EPOLL_CTL_DEL, end->fd, NULL);
  close(end->fd);
  end->fd = -1;
}

static void free_run(struct run *run) {
  for (int i = 0; i < 3; i++) close_end(&run->ends[i]);
  if (run->prev) run->prev->next = run->next;
  else runs = run->next;
  if (run->next) run->next->prev = run->prev;
  free(run->input);
  run->input = NULL;
  run->next = finished;
  finished = run;
}

// CLOSED once both output pipes are closed; the run is over after EXIT too.
static void settle(struct run *run) {
  if (!run->closed_sent && run->ends[1].fd < 0 && run->ends[2].fd < 0) {
    emit(EV_CLOSED, run->id, NULL, 0);
    run->closed_sent = 1;
  }
  if (run->closed_sent && run->exited) free_run(run);
}

static void write_input(struct run *run) {
  struct pipe_end *end = &run->ends[0];
  while (end->fd >= 0 && run->input_done < run->input_len) {
    ssize_t n = write(end->fd, run->input + run->input_done, run->input_len - run->input_done);
    if (n >= 0) {
      run->input_done += (size_t)n;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN) {
      return; // EPOLLOUT is registered: wait for room
    } else {
      break; // EPIPE: a hook need not read its stdin
    }
  }
  close_end(end);
  free(run->input);
  run->input = NULL;
}

static void read_output(struct run *run, int kind) {
  struct pipe_end *end = &run->ends[kind];
  reserve(&out_buf, HEADER + READ_CHUNK);
  ssize_t n;
  do n = read(end->fd, out_buf.data + out_buf.len + HEADER, READ_CHUNK);
  while (n == -1 && errno == EINTR);
  if (n > 0) {
    put_header(out_buf.data + out_buf.len, (uint32_t)n, kind == 1 ? EV_STDOUT : EV_STDERR, run->id);
    out_buf.len += HEADER + (size_t)n;
    return;
  }
  if (n == -1 && errno == EAGAIN) return;
  close_end(end);
  settle(run);
}

// Stops (or resumes) reading children's output while hookd is behind.
static void pace_output(void) {
  int pause = output_paused ? out_buf.len > OUT_LOW : out_buf.len > OUT_HIGH;
  if (pause == output_paused) return;
  output_paused = pause;
  for (struct run *run = runs; run; run = run->next) {
    for (int kind = 1; kind <= 2; kind++) {
      if (run->ends[kind].fd >= 0) watch(run->ends[kind].fd, pause ? 0 : EPOLLIN, &run->ends[kind], EPOLL_CTL_MOD);
    }
  }
}

static const char *env_value(char *const *env, const char *name) {
  size_t len = strlen(name);
  for (; *env; env++) {
    if (strncmp(*env, name, len) == 0 && (*env)[len] == '=') return *env + len + 1;
  }
  return NULL;
}

// posix_spawnp would search the spawner's own PATH: search the child's, as
// execvpe does.
static int spawn_program(pid_t *pid, const char *file, const posix_spawn_file_actions_t *actions,
                         const posix_spawnattr_t *attr, char *const *argv, char *const *env) {
  if (strchr(file, '/')) return posix_spawn(pid, file, actions, attr, argv, env);
  const char *path = env_value(env, "PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  int result = ENOENT, denied = 0;
  size_t file_len = strlen(file);
  while (1) {
    const char *colon = strchr(path, ':');
    size_t dir_len = colon ? (size_t)(colon - path) : strlen(path);
    char *full = malloc(dir_len + file_len + 3);
    if (!full) return ENOMEM;
    if (dir_len == 0) strcpy(full, file);
    else sprintf(full, "%.*s/%s", (int)dir_len, path, file);
    result = posix_spawn(pid, full, actions, attr, argv, env);
    free(full);
    if (result == 0) return 0;
    if (result == EACCES) denied = 1;
    else if (result != ENOENT && result != ENOTDIR) return result;
    if (!colon) break;
    path = colon + 1;
  }
  return denied ? EACCES : result;
}

static int make_pipe(int fds[2], int parent_end) {
  if (pipe2(fds, O_CLOEXEC) == -1) return errno;
  int flags = fcntl(fds[parent_end], F_GETFL);
  fcntl(fds[parent_end], F_SETFL, flags | O_NONBLOCK);
  return 0;
}

static int start_child(struct run *run, const char *file, const char *cwd, char **argv, char **env) {
  int pipes[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
  int error = 0;
  for (int kind = 0; kind < 3 && !error; kind++) error = make_pipe(pipes[kind], kind == 0 ? 1 : 0);
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (!error) {
    posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0);
    posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 2);
    if (*cwd) posix_spawn_file_actions_addchdir_np(&actions, cwd);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    error = spawn_program(&run->pid, file, &actions, &attr, argv, env);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  for (int kind = 0; kind < 3; kind++) {
    int child_end = kind == 0 ? 0 : 1;
    if (pipes[kind][child_end] >= 0) close(pipes[kind][child_end]);
    run->ends[kind] = (struct pipe_end){.tag = TAG_OUT, .fd = pipes[kind][1 - child_end], .kind = kind, .run = run};
    if (error && run->ends[kind].fd >= 0) {
      close(run->ends[kind].fd);
      run->ends[kind].fd = -1;
    }
  }
  return error;
}

// Splits `count` NUL-terminated strings off the front of [*at, end).
static char **take_strings(char **at, const char *end, uint32_t count) {
  char **list = calloc((size_t)count + 1, sizeof(char *));
  if (!list) die("out of memory");
  for (uint32_t i = 0; i < count; i++) {
    char *nul = memchr(*at, 0, (size_t)(end - *at));
    if (!nul) protocol_error("SPAWN strings run past the frame");
    list[i] = *at;
    *at = nul + 1;
  }
  return list;
}

static void handle_spawn(uint32_t id, char *payload, uint32_t len) {
  if (len < 12) protocol_error("short SPAWN");
  uint32_t argc = get_u32(payload), envc = get_u32(payload + 4), input_len = get_u32(payload + 8);
  if (input_len > len - 12 || argc == 0 || argc > len || envc > len) protocol_error("bad SPAWN sizes");
  char *at = payload + 12 + input_len, *end = payload + len;
  char **head = take_strings(&at, end, 2);
  char **argv = take_strings(&at, end, argc);
  char **env = take_strings(&at, end, envc);
  struct run *run = calloc(1, sizeof *run);
  if (!run) die("out of memory");
  run->id = id;
  int error = start_child(run, head[0], head[1], argv, env);
  free(head);
  free(argv);
  free(env);
  if (error) {
    uint32_t word = (uint32_t)error;
    emit(EV_FAILED, id, &word, 1);
    free(run);
    return;
  }
  uint32_t word = (uint32_t)run->pid;
  emit(EV_SPAWNED, id, &word, 1);
  run->next = runs;
  if (runs) runs->prev = run;
  runs = run;
  for (int kind = 1; kind <= 2; kind++) watch(run->ends[kind].fd, output_paused ? 0 : EPOLLIN, &run->ends[kind], EPOLL_CTL_ADD);
  if (input_len > 0) {
    run->input = malloc(input_len);
    if (!run->input) die("out of memory");
    memcpy(run->input, payload + 12, input_len);
    run->input_len = input_len;
  }
  write_input(run);
  if (run->ends[0].fd >= 0) watch(run->ends[0].fd, EPOLLOUT, &run->ends[0], EPOLL_CTL_ADD);
}

static void handle_release(uint32_t id) {
  for (struct run *run = runs; run; run = run->next) {
    if (run->id != id) continue;
    close_end(&run->ends[1]);
    close_end(&run->ends[2]);
    settle(run);
    return;
  }
}

static void read_control(void) {
  reserve(&in_buf, READ_CHUNK);
  ssize_t n;
  do n = read(STDIN_FILENO, in_buf.data + in_buf.len, in_buf.cap - in_buf.len);
  while (n == -1 && errno == EINTR);
  if (n == -1 && errno == EAGAIN) return;
  if (n <= 0) {
    flush_output();
    exit(0); // hookd closed our stdin: it owns the process groups, nothing to kill
  }
  in_buf.len += (size_t)n;
  size_t done = 0, need = 0;
  while (in_buf.len - done >= 4) {
    uint32_t len = get_u32(in_buf.data + done);
    if (len < 5 || len > MAX_FRAME) protocol_error("bad frame length");
    if (in_buf.len - done - 4 < len) {
      need = 4 + (size_t)len;
      break;
    }
    char *frame = in_buf.data + done + 4;
    uint32_t id = get_u32(frame + 1);
    if (frame[0] == REQ_SPAWN) handle_spawn(id, frame + 5, len - 5);
    else if (frame[0] == REQ_RELEASE) handle_release(id);
    else protocol_error("unknown request");
    done += 4 + len;
  }
  memmove(in_buf.data, in_buf.data + done, in_buf.len - done);
  in_buf.len -= done;
  if (need > in_buf.len) reserve(&in_buf, need - in_buf.len); // the whole frame in one buffer
}

static void reap_children(int sfd) {
  struct signalfd_siginfo info;
  while (read(sfd, &info, sizeof info) > 0) {}
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == -1 && errno == EINTR) continue;
    if (pid <= 0) return;
    for (struct run *run = runs; run; run = run->next) {
      if (run->pid != pid) continue;
      uint32_t words[2] = {WIFEXITED(status) ? (uint32_t)WEXITSTATUS(status) : UINT32_MAX,
                           WIFSIGNALED(status) ? (uint32_t)WTERMSIG(status) : 0};
      emit(EV_EXIT, run->id, words, 2);
      run->exited = 1;
      settle(run);
      break;
    }
  }
}

// Descriptors inherited from hookd beyond 0-2 must not reach the hooks.
static void close_on_exec_inherited(void) {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    int fd = atoi(entry->d_name);
    if (fd > 2 && fd != dirfd(dir)) fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  closedir(dir);
}

int main(void) {
  // hookd decides when we go (it closes our stdin): terminal and service
  // signals meant for hookd must not end its runs' reporting first.
  signal(SIGPIPE, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) == -1) die("sigprocmask");
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd == -1) die("signalfd");
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd == -1) die("epoll_create1");
  close_on_exec_inherited();
  for (int fd = 0; fd <= 2; fd++) fcntl(fd, F_SETFD, FD_CLOEXEC);
  fcntl(STDIN_FILENO, F_SETFL, fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);
  watch(STDIN_FILENO, EPOLLIN, &control_tag, EPOLL_CTL_ADD);
  watch(sfd, EPOLLIN, &signals_tag, EPOLL_CTL_ADD);

  uint32_t version = PROTOCOL_VERSION;
  emit(EV_HELLO, 0, &version, 1);
  flush_output();
  struct epoll_event events[64];
  for (;;) {
    int count = epoll_wait(epfd, events, 64, -1);
    if (count == -1) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < count; i++) {
      int *tag = events[i].data.ptr;
      if (tag == NULL) {
        // hookd closed its end of our stdout: nobody left to report to.
        if (events[i].events & (EPOLLERR | EPOLLHUP)) exit(0);
        continue; // writable: flushed below
      }
      if (*tag == TAG_CONTROL) read_control();
      else if (*tag == TAG_SIGNALS) reap_children(sfd);
      else {
        struct pipe_end *end = (struct pipe_end *)tag;
        if (end->fd < 0) continue; // closed earlier in this batch
        if (end->kind == 0) write_input(end->run);
        else read_output(end->run, end->kind);
      }
    }
    while (finished) {
      struct run *next = finished->next;
      free(finished);
      finished = next;
    }
    flush_output();
    pace_output();
  }
}
