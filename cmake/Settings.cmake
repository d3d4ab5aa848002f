# Warnings and sanitizers as INTERFACE targets, linked PRIVATE by our own
# targets only (never by third-party code).
add_library(wharf_settings INTERFACE)
target_compile_options(wharf_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
  -Woverloaded-virtual -Wimplicit-fallthrough)
if(WHARF_WERROR)
  target_compile_options(wharf_settings INTERFACE -Werror)
endif()
if(WHARF_SANITIZE)
  # -Wno-maybe-uninitialized: the instrumentation hides from GCC what it
  # sees in an ordinary build, and it then warns about std::regex and
  # std::function internals (libstdc++ headers, not wharf's code). GCC's
  # manual says so under -fsanitize ("sanitizers tend to increase the rate
  # of false positive warnings, most notably those around
  # -Wmaybe-uninitialized"). The ordinary build keeps the warning, as an error.
  target_compile_options(wharf_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                  -Wno-maybe-uninitialized)
  target_link_options(wharf_settings INTERFACE -fsanitize=address,undefined)
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_definitions(wharf_settings INTERFACE _GLIBCXX_ASSERTIONS)
endif()
