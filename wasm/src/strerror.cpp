// mqttws — strerror for the wasm module, for size: musl's carries the text of every errno
// value (1.8 KB of data, 0.8 KB of the gzipped download) for the one caller the module has,
// libc++'s generic and system error categories. No error the module reports comes from them:
// the session's errors are the mqttws category and the socket's the driver's own
// (js_output.cpp), each with its own texts. Should one ever be shown, it reads "errno N".
#include <stdio.h>
#include <string.h>

extern "C" int strerror_r(int errnum, char* buf, size_t size) {
  // The whole text or, when it does not fit, none: XSI's ERANGE (34).
  const int n = snprintf(buf, size, "errno %d", errnum);
  return n >= 0 && static_cast<size_t>(n) < size ? 0 : 34;
}

extern "C" char* strerror(int errnum) {
  static char text[24];
  strerror_r(errnum, text, sizeof text);
  return text;
}
