# Warning flags live in an INTERFACE target linked only through $<BUILD_INTERFACE:...>
# so they never reach consumers of the installed package (GEOS does the same).
add_library(creodias_dev_flags INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(creodias_dev_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wno-unused-parameter)
  if(CREODIAS_WERROR)
    target_compile_options(creodias_dev_flags INTERFACE -Werror)
  endif()
endif()
if(CREODIAS_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
