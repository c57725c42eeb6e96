// glibc keeps memory a process freed in its heaps (arenas), for the next allocations; after a burst
// (an upload's thousands of socket chunks and HTTP parser buffers) tens of MiB stay resident that
// nothing uses. malloc_trim(0) gives every free page of every arena back to the system (madvise).
//
// Export (index.ts wraps it):
//   trim() -> boolean   true when some memory went back to the system
#include <malloc.h>

#include <node_api.h>

static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value released;
  napi_get_boolean(env, malloc_trim(0) == 1, &released);
  return released;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"trim", NULL, Trim, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}
