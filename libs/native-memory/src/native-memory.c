// Two things about the process's memory that JavaScript cannot do or see.
//
// trim: glibc keeps memory a process freed in its heaps (arenas), for the next allocations; after a
// burst (an upload's thousands of socket chunks and HTTP parser buffers) tens of MiB stay resident
// that nothing uses. malloc_trim(0) gives every free page of every arena back to the system.
//
// addressModulo: where a typed array's bytes lie, modulo a power of two. Direct I/O (O_DIRECT)
// needs its memory aligned to the device's block size, and a SharedArrayBuffer's is not (glibc puts
// its header first): knowing the address, a view can start at the next aligned byte.
//
// Exports (index.ts wraps them):
//   trim() -> boolean                               true when some memory went back to the system
//   addressModulo(view, modulus) -> number          address of view[0] modulo `modulus` (a power of two)
#include <malloc.h>
#include <stdint.h>

#include <node_api.h>

static napi_value Trim(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value released;
  napi_get_boolean(env, malloc_trim(0) == 1, &released);
  return released;
}

static napi_value AddressModulo(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool is_typed_array = false;
  if (argc < 2 || napi_is_typedarray(env, argv[0], &is_typed_array) != napi_ok || !is_typed_array) {
    napi_throw_type_error(env, NULL, "addressModulo(view, modulus): view must be a typed array");
    return NULL;
  }
  uint32_t modulus = 0;
  if (napi_get_value_uint32(env, argv[1], &modulus) != napi_ok || modulus == 0 || (modulus & (modulus - 1)) != 0) {
    napi_throw_range_error(env, NULL, "addressModulo(view, modulus): modulus must be a power of two");
    return NULL;
  }
  void *data = NULL;
  if (napi_get_typedarray_info(env, argv[0], NULL, NULL, &data, NULL, NULL) != napi_ok) return NULL;
  napi_value result;
  napi_create_uint32(env, (uint32_t)((uintptr_t)data & (modulus - 1)), &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"trim", NULL, Trim, NULL, NULL, NULL, napi_enumerable, NULL},
      {"addressModulo", NULL, AddressModulo, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties) != napi_ok) return NULL;
  return exports;
}
