// mqttws — a small snprintf replacing musl's in the wasm module, for size: musl's pulls in the
// whole printf engine (~8 KB of wasm, with floating-point formatting) for the callers the
// module has: libc++'s std::error_category::message() for unknown errno values ("unknown
// error %d") and strerror.cpp's "errno %d", which the module never shows anyway.
// Supports %d, %i, %u, %p, %s, %c and %% without flags, width or precision; any other
// conversion is copied as it is.
#include <cstdarg>
#include <cstddef>

namespace {

struct out {
  char* buf;
  std::size_t cap;
  std::size_t n = 0;
  void put(char c) {
    if (n + 1 < cap) buf[n] = c;
    ++n;
  }
};

}  // namespace

extern "C" int vsnprintf(char* buf, std::size_t cap, const char* fmt, va_list ap) {
  out o{buf, cap};
  for (const char* f = fmt; *f; ++f) {
    if (*f != '%' || !f[1]) {
      o.put(*f);
      continue;
    }
    const char c = *++f;
    if (c == 'd' || c == 'i' || c == 'u') {
      char digits[12];
      int k = 0;
      unsigned long v;
      if (c == 'u') {
        v = va_arg(ap, unsigned);
      } else {
        const int x = va_arg(ap, int);
        if (x < 0) o.put('-');
        v = x < 0 ? 0ul - static_cast<unsigned long>(static_cast<long>(x)) : static_cast<unsigned long>(x);
      }
      do {
        digits[k++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v);
      while (k) o.put(digits[--k]);
    } else if (c == 'p') {
      auto v = reinterpret_cast<unsigned long>(va_arg(ap, void*));
      o.put('0');
      o.put('x');
      char digits[2 * sizeof v];
      int k = 0;
      do {
        digits[k++] = "0123456789abcdef"[v % 16];
        v /= 16;
      } while (v);
      while (k) o.put(digits[--k]);
    } else if (c == 's') {
      for (const char* s = va_arg(ap, const char*); *s; ++s) o.put(*s);
    } else if (c == 'c') {
      o.put(static_cast<char>(va_arg(ap, int)));
    } else if (c == '%') {
      o.put('%');
    } else {
      o.put('%');
      o.put(c);
    }
  }
  if (cap) buf[o.n < cap ? o.n : cap - 1] = '\0';
  return static_cast<int>(o.n);
}

extern "C" int snprintf(char* buf, std::size_t cap, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return n;
}

extern "C" int vsprintf(char* buf, const char* fmt, va_list ap) {
  return vsnprintf(buf, static_cast<std::size_t>(-1) / 2, fmt, ap);
}

extern "C" int sprintf(char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = vsprintf(buf, fmt, ap);
  va_end(ap);
  return n;
}

// The integer-only variants (LLVM turns calls without floating point into them).
extern "C" int vsniprintf(char* buf, std::size_t cap, const char* fmt, va_list ap) {
  return vsnprintf(buf, cap, fmt, ap);
}

extern "C" int sniprintf(char* buf, std::size_t cap, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = vsnprintf(buf, cap, fmt, ap);
  va_end(ap);
  return n;
}

extern "C" int vsiprintf(char* buf, const char* fmt, va_list ap) { return vsprintf(buf, fmt, ap); }

extern "C" int siprintf(char* buf, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const int n = vsprintf(buf, fmt, ap);
  va_end(ap);
  return n;
}
