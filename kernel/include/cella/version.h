/* What this kernel is, for the banner. CELLA_VERSION comes from the build. */
#pragma once

#ifdef CELLA_DEBUG
#define CELLA_BUILD_KIND "debug"
#else
#define CELLA_BUILD_KIND "release"
#endif

#if defined(__clang__)
#define CELLA_STRINGIFY_(x) #x
#define CELLA_STRINGIFY(x) CELLA_STRINGIFY_(x)
#define CELLA_COMPILER                                                                             \
    "clang " CELLA_STRINGIFY(__clang_major__) "." CELLA_STRINGIFY(                                 \
        __clang_minor__) "." CELLA_STRINGIFY(__clang_patchlevel__)
#elif defined(__GNUC__)
#define CELLA_COMPILER "gcc " __VERSION__
#else
#define CELLA_COMPILER "unknown compiler"
#endif
