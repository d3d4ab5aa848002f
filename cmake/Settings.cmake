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
  target_compile_options(wharf_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(wharf_settings INTERFACE -fsanitize=address,undefined)
endif()
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  target_compile_definitions(wharf_settings INTERFACE _GLIBCXX_ASSERTIONS)
endif()
