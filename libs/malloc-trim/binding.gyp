{
  "targets": [
    {
      "target_name": "malloc_trim",
      "sources": ["src/malloc-trim.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
