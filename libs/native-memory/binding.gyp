{
  "targets": [
    {
      "target_name": "native_memory",
      "sources": ["src/native-memory.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
