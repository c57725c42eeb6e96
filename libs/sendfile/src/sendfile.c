// Zero-copy sends of a file's bytes to a socket for Node.js on Linux: sendfile(2) runs in libuv's
// thread pool until the socket's buffer is full, and the wait for room in it happens on the event
// loop (a uv_poll on the socket), so that no pool thread ever waits for a client.
//
// Exports (index.ts wraps them):
//   dup(fd) -> fd            a close-on-exec duplicate of a non-blocking socket, owned by the caller
//   sendSlice(out, in, offset, length) -> Promise<bytes>
//                            sendfile(out, in, &offset, ...) until `length` bytes went, the socket
//                            would block, the file ended or an error; resolves with the bytes sent
//                            when some were (or none because the socket would block), else rejects
//                            with the error (code: EPIPE, ECONNRESET, ...; EOF when the file ended)
//   watchWritable(fd, callback()) -> watch
//                            calls back once, on the event loop, when the socket has room, hung up
//                            or failed (libuv reports a socket's pending error as EBADF: the next
//                            sendfile(2) tells which it is)
//   stopWatching(watch)      before that: no call back (a no-op once called back)
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <node_api.h>
#include <uv.h>

// ---- errors ---------------------------------------------------------------------------------

/** An Error as Node's own for a failed system call: message "EPIPE: broken pipe, sendfile", code, errno, syscall. */
static napi_value system_error(napi_env env, int uv_code, const char *syscall) {
  char text[256];
  snprintf(text, sizeof text, "%s: %s, %s", uv_err_name(uv_code), uv_strerror(uv_code), syscall);
  napi_value code, message, error, errno_value, syscall_value;
  napi_create_string_utf8(env, uv_err_name(uv_code), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &error);
  napi_create_int32(env, uv_code, &errno_value);
  napi_set_named_property(env, error, "errno", errno_value);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &syscall_value);
  napi_set_named_property(env, error, "syscall", syscall_value);
  return error;
}

static napi_value throw_system_error(napi_env env, int uv_code, const char *syscall) {
  napi_throw(env, system_error(env, uv_code, syscall));
  return NULL;
}

/** Reads a JS number that must be an integer in [0, max]; throws a RangeError (code ERR_OUT_OF_RANGE) naming it otherwise. */
static int integer_argument(napi_env env, napi_value value, const char *name, double max, int64_t *out) {
  double number;
  if (napi_get_value_double(env, value, &number) != napi_ok || !isfinite(number) || number != floor(number) || number < 0 || number > max) {
    char text[128];
    snprintf(text, sizeof text, "%s must be an integer from 0 to %.0f", name, max);
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", text);
    return 0;
  }
  *out = (int64_t)number;
  return 1;
}

/** 2^53 - 1: offsets and lengths are JS numbers. */
#define MAX_SAFE_INTEGER 9007199254740991.0

static int fd_argument(napi_env env, napi_value value, const char *name, int *out) {
  int64_t fd;
  if (!integer_argument(env, value, name, 2147483647.0, &fd)) return 0;
  *out = (int)fd;
  return 1;
}

/** The call's arguments; throws a TypeError when fewer than `count` were given. */
static int arguments(napi_env env, napi_callback_info info, size_t count, napi_value *argv) {
  size_t given = count;
  if (napi_get_cb_info(env, info, &given, argv, NULL, NULL) != napi_ok) return 0;
  if (given < count) {
    napi_throw_type_error(env, "ERR_MISSING_ARGS", "missing arguments");
    return 0;
  }
  return 1;
}

// ---- dup ------------------------------------------------------------------------------------

static napi_value Dup(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!arguments(env, info, 1, argv) || !fd_argument(env, argv[0], "fd", &fd)) return NULL;
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0) return throw_system_error(env, -errno, "fcntl");
  // A blocking socket would hold a pool thread in sendfile(2) for as long as its client makes it wait.
  if (!(flags & O_NONBLOCK)) {
    napi_throw_error(env, "ERR_BLOCKING_SOCKET", "the socket must be non-blocking");
    return NULL;
  }
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return throw_system_error(env, -errno, "dup");
  napi_value result;
  napi_create_int32(env, copy, &result);
  return result;
}

// ---- sendSlice: sendfile(2) in the thread pool -----------------------------------------------

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  int out_fd;
  int in_fd;
  int64_t offset;
  int64_t length;
  int64_t sent;
  /** 0, a libuv error code (negative errno), or UV_EOF when the file ended first. */
  int error;
} slice_t;

/** In a pool thread: never waits for the socket, which is non-blocking. */
static void slice_execute(napi_env env, void *data) {
  (void)env;
  slice_t *slice = data;
  off_t offset = (off_t)slice->offset;
  while (slice->sent < slice->length) {
    ssize_t n = sendfile(slice->out_fd, slice->in_fd, &offset, (size_t)(slice->length - slice->sent));
    if (n > 0) {
      slice->sent += n;
    } else if (n == 0) {
      slice->error = UV_EOF;
      return;
    } else if (errno != EINTR) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) slice->error = -errno;
      return;
    }
  }
}

/** On the event loop: bytes sent, or the error when none were (an error after some bytes comes again on the next call). */
static void slice_complete(napi_env env, napi_status status, void *data) {
  slice_t *slice = data;
  if (status != napi_ok) slice->error = UV_ECANCELED;
  if (slice->sent > 0 || slice->error == 0) {
    napi_value sent;
    napi_create_int64(env, slice->sent, &sent);
    napi_resolve_deferred(env, slice->deferred, sent);
  } else {
    napi_reject_deferred(env, slice->deferred, system_error(env, slice->error, "sendfile"));
  }
  napi_delete_async_work(env, slice->work);
  free(slice);
}

static napi_value SendSlice(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int out_fd, in_fd;
  int64_t offset, length;
  if (!arguments(env, info, 4, argv) || !fd_argument(env, argv[0], "socket fd", &out_fd) || !fd_argument(env, argv[1], "file fd", &in_fd) ||
      !integer_argument(env, argv[2], "offset", MAX_SAFE_INTEGER, &offset) || !integer_argument(env, argv[3], "length", MAX_SAFE_INTEGER - (double)offset, &length)) {
    return NULL;
  }
  slice_t *slice = calloc(1, sizeof *slice);
  if (!slice) return throw_system_error(env, UV_ENOMEM, "sendSlice");
  slice->out_fd = out_fd;
  slice->in_fd = in_fd;
  slice->offset = offset;
  slice->length = length;
  napi_value promise, name;
  napi_create_string_utf8(env, "imagelib:sendfile", NAPI_AUTO_LENGTH, &name);
  if (napi_create_promise(env, &slice->deferred, &promise) != napi_ok ||
      napi_create_async_work(env, NULL, name, slice_execute, slice_complete, slice, &slice->work) != napi_ok) {
    free(slice);
    return NULL;
  }
  if (napi_queue_async_work(env, slice->work) != napi_ok) {
    napi_delete_async_work(env, slice->work);
    free(slice);
    return NULL;
  }
  return promise;
}

// ---- watchWritable: room in the socket, on the event loop --------------------------------------

typedef struct {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context context;
  /** Owners: the libuv handle until closed, the JS object until finalized. */
  int owners;
  int stopped;
} watch_t;

static void watch_release(watch_t *watch) {
  if (--watch->owners == 0) free(watch);
}

static void watch_closed(uv_handle_t *handle) {
  watch_release(handle->data);
}

/** Takes the socket out of the event loop's poll set at once (the caller may close it then) and lets the JS callback go. */
static void watch_stop(watch_t *watch) {
  if (watch->stopped) return;
  watch->stopped = 1;
  uv_poll_stop(&watch->poll);
  uv_close((uv_handle_t *)&watch->poll, watch_closed);
  napi_delete_reference(watch->env, watch->callback);
  if (watch->context) napi_async_destroy(watch->env, watch->context);
}

static void watch_fired(uv_poll_t *handle, int status, int events) {
  (void)status;
  (void)events;
  watch_t *watch = handle->data;
  napi_env env = watch->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value callback, receiver;
  napi_get_reference_value(env, watch->callback, &callback);
  napi_get_global(env, &receiver);
  napi_async_context context = watch->context;
  // Stopped before the call, so that the callback may close the socket; the context lives until after it.
  watch->context = NULL;
  watch_stop(watch);
  if (napi_make_callback(env, context, receiver, callback, 0, NULL, NULL) == napi_pending_exception) {
    napi_value exception;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  napi_async_destroy(env, context);
  napi_close_handle_scope(env, scope);
}

static void watch_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  watch_t *watch = data;
  watch_stop(watch);
  watch_release(watch);
}

static napi_value WatchWritable(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  if (!arguments(env, info, 2, argv) || !fd_argument(env, argv[0], "fd", &fd)) return NULL;
  napi_valuetype type;
  napi_typeof(env, argv[1], &type);
  if (type != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "callback must be a function");
    return NULL;
  }
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return NULL;
  watch_t *watch = calloc(1, sizeof *watch);
  if (!watch) return throw_system_error(env, UV_ENOMEM, "watchWritable");
  int result = uv_poll_init(loop, &watch->poll, fd);
  if (result < 0) {
    free(watch);
    return throw_system_error(env, result, "uv_poll_init");
  }
  watch->poll.data = watch;
  watch->env = env;
  watch->owners = 2;
  napi_value name, external;
  napi_create_string_utf8(env, "imagelib:sendfile-writable", NAPI_AUTO_LENGTH, &name);
  napi_create_reference(env, argv[1], 1, &watch->callback);
  napi_async_init(env, NULL, name, &watch->context);
  result = uv_poll_start(&watch->poll, UV_WRITABLE | UV_DISCONNECT, watch_fired);
  if (result < 0) {
    watch_stop(watch);
    watch_release(watch);
    return throw_system_error(env, result, "uv_poll_start");
  }
  if (napi_create_external(env, watch, watch_finalize, NULL, &external) != napi_ok) {
    watch_stop(watch);
    watch_release(watch);
    return NULL;
  }
  return external;
}

static napi_value StopWatching(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!arguments(env, info, 1, argv)) return NULL;
  void *data;
  if (napi_get_value_external(env, argv[0], &data) != napi_ok) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "not a watch from watchWritable");
    return NULL;
  }
  watch_stop(data);
  return NULL;
}

// ---- module ---------------------------------------------------------------------------------

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"dup", NULL, Dup, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendSlice", NULL, SendSlice, NULL, NULL, NULL, napi_enumerable, NULL},
      {"watchWritable", NULL, WatchWritable, NULL, NULL, NULL, napi_enumerable, NULL},
      {"stopWatching", NULL, StopWatching, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}
