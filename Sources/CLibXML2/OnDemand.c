// Hand-written: no package on this machine loads a C library on demand. On Linux libxml2 is
// linked in from its static archive (Package.swift), so no XML parse waits on the dynamic
// loader. But Debian builds libxml2 with ICU (seven converter functions, for encodings that
// glibc's iconv lacks, such as SCSU) and liblzma (.xz-compressed files, which the tool never
// asks it to read): linked by name, both would be loaded at every start of every command. So
// each function libxml2 calls of them is defined here, and loads its library at its first call;
// a library that cannot be loaded makes the call fail as the library itself reports failure.
#if defined(__linux__)
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
// ICU's names carry its version (`ucnv_open` is `ucnv_open_72`), as libxml2's references do:
// the headers rename these definitions the same way.
#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

#define ON_DEMAND_STRING(name) #name
#define ON_DEMAND_NAME(name) ON_DEMAND_STRING(name)

// One library: its file, loaded once by the first call of any of its functions, and each
// function's address in it (NULL when it could not be loaded).
#define ON_DEMAND_LIBRARY(library, file, FUNCTIONS)                                                  \
    FUNCTIONS(ON_DEMAND_POINTER, ON_DEMAND_VOID_POINTER)                                              \
    static pthread_once_t library##_once = PTHREAD_ONCE_INIT;                                         \
    static void library##_load(void) {                                                               \
        void *handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);                                           \
        if (handle == NULL) return;                                                                   \
        FUNCTIONS(ON_DEMAND_RESOLVE, ON_DEMAND_VOID_RESOLVE)                                          \
    }                                                                                                 \
    FUNCTIONS(ON_DEMAND_FORWARD, ON_DEMAND_VOID_FORWARD)

#define ON_DEMAND_POINTER(library, type, name, parameters, arguments, failure) \
    static type(*library##_##name) parameters;
#define ON_DEMAND_VOID_POINTER(library, name, parameters, arguments, failure) \
    static void(*library##_##name) parameters;
#define ON_DEMAND_RESOLVE(library, type, name, parameters, arguments, failure) \
    *(void **)(&library##_##name) = dlsym(handle, ON_DEMAND_NAME(name));
#define ON_DEMAND_VOID_RESOLVE(library, name, parameters, arguments, failure) \
    *(void **)(&library##_##name) = dlsym(handle, ON_DEMAND_NAME(name));
#define ON_DEMAND_FORWARD(library, type, name, parameters, arguments, failure) \
    type name parameters {                                                     \
        pthread_once(&library##_once, library##_load);                         \
        if (library##_##name != NULL) return library##_##name arguments;       \
        failure                                                                \
    }
#define ON_DEMAND_VOID_FORWARD(library, name, parameters, arguments, failure) \
    void name parameters {                                                    \
        pthread_once(&library##_once, library##_load);                        \
        if (library##_##name != NULL) {                                       \
            library##_##name arguments;                                       \
            return;                                                           \
        }                                                                     \
        failure                                                               \
    }

// The ICU functions libxml2 calls. Without ICU, opening a converter fails as for an unknown
// encoding, and libxml2 reports the document's encoding as unsupported; the others are only
// called with a converter that opened.
#define ICU_FUNCTIONS(VALUE, VOID)                                                                   \
    VALUE(icu, UConverter *, ucnv_open, (const char *name, UErrorCode *error), (name, error),         \
        *error = U_FILE_ACCESS_ERROR; return NULL;)                                                  \
    VOID(icu, ucnv_close, (UConverter *converter), (converter), )                                     \
    VOID(icu, ucnv_convertEx,                                                                         \
        (UConverter *targetConverter, UConverter *sourceConverter, char **target, const char *targetLimit, \
            const char **source, const char *sourceLimit, UChar *pivotStart, UChar **pivotSource,     \
            UChar **pivotTarget, const UChar *pivotLimit, UBool reset, UBool flush, UErrorCode *error), \
        (targetConverter, sourceConverter, target, targetLimit, source, sourceLimit, pivotStart,      \
            pivotSource, pivotTarget, pivotLimit, reset, flush, error),                               \
        *error = U_FILE_ACCESS_ERROR;)                                                               \
    VOID(icu, ucnv_setToUCallBack,                                                                    \
        (UConverter *converter, UConverterToUCallback action, const void *context,                    \
            UConverterToUCallback *oldAction, const void **oldContext, UErrorCode *error),            \
        (converter, action, context, oldAction, oldContext, error), *error = U_FILE_ACCESS_ERROR;)    \
    VOID(icu, ucnv_setFromUCallBack,                                                                  \
        (UConverter *converter, UConverterFromUCallback action, const void *context,                  \
            UConverterFromUCallback *oldAction, const void **oldContext, UErrorCode *error),          \
        (converter, action, context, oldAction, oldContext, error), *error = U_FILE_ACCESS_ERROR;)    \
    VOID(icu, UCNV_TO_U_CALLBACK_STOP,                                                                \
        (const void *context, UConverterToUnicodeArgs *arguments, const char *units, int32_t length,  \
            UConverterCallbackReason reason, UErrorCode *error),                                      \
        (context, arguments, units, length, reason, error), )                                         \
    VOID(icu, UCNV_FROM_U_CALLBACK_STOP,                                                              \
        (const void *context, UConverterFromUnicodeArgs *arguments, const UChar *units, int32_t length, \
            UChar32 codePoint, UConverterCallbackReason reason, UErrorCode *error),                   \
        (context, arguments, units, length, codePoint, reason, error), )

ON_DEMAND_LIBRARY(icu, "libicuuc.so." U_ICU_VERSION_SHORT, ICU_FUNCTIONS)

// The liblzma functions libxml2 calls (its reading of .xz files), declared by hand: liblzma's
// header is not installed with libxml2's. Pointers and enums as the C ABI passes them; without
// the library, each fails with LZMA_PROG_ERROR (11), as liblzma does for a stream it cannot use.
#define LZMA_FUNCTIONS(VALUE, VOID)                                                                  \
    VALUE(lzma, int, lzma_auto_decoder, (void *stream, uint64_t memoryLimit, uint32_t flags),        \
        (stream, memoryLimit, flags), return 11;)                                                    \
    VALUE(lzma, int, lzma_code, (void *stream, int action), (stream, action), return 11;)             \
    VOID(lzma, lzma_end, (void *stream), (stream), )                                                  \
    VALUE(lzma, int, lzma_properties_decode,                                                          \
        (void *filter, const void *allocator, const uint8_t *properties, size_t size),                \
        (filter, allocator, properties, size), return 11;)

ON_DEMAND_LIBRARY(lzma, "liblzma.so.5", LZMA_FUNCTIONS)
#endif
