{
  "targets": [
    {
      "target_name": "sendfile",
      "sources": ["src/sendfile.c"],
      "cflags": ["-std=c11", "-Wall", "-Wextra", "-Werror", "-O2"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"]
    }
  ]
}
