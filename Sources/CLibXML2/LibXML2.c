// Hand-written: no package on this machine loads a C library on demand. libxml2 is linked by
// name at start-up otherwise, and with it ICU (~30 MB of data mapped), liblzma and zlib: ~1 ms
// of every `tmine` start (`--version` 8.2 -> 7.2 ms measured with a static link that left them
// out), 4 % of a lexicon edit at 10 MB, for runs most of which parse no XML at all.
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "CLibXML2.h"

// Each function the project calls: its result type, name, parameters, and the call's arguments.
// A declaration here that differs from libxml2's header fails to compile.
#define CLIBXML2_FUNCTIONS(VALUE, VOID)                                                           \
    VALUE(xmlParserCtxtPtr, xmlCreateMemoryParserCtxt, (const char *buffer, int size), (buffer, size)) \
    VALUE(int, xmlCtxtUseOptions, (xmlParserCtxtPtr ctxt, int options), (ctxt, options))           \
    VALUE(const xmlChar *, xmlDictLookup, (xmlDictPtr dict, const xmlChar *name, int len), (dict, name, len)) \
    VOID(xmlFreeDoc, (xmlDocPtr cur), (cur))                                                      \
    VOID(xmlFreeParserCtxt, (xmlParserCtxtPtr ctxt), (ctxt))                                      \
    VOID(xmlFreeTextReader, (xmlTextReaderPtr reader), (reader))                                  \
    VOID(xmlInitParser, (void), ())                                                               \
    VALUE(int, xmlParseDocument, (xmlParserCtxtPtr ctxt), (ctxt))                                 \
    VALUE(xmlTextReaderPtr, xmlReaderForMemory,                                                   \
        (const char *buffer, int size, const char *URL, const char *encoding, int options),       \
        (buffer, size, URL, encoding, options))                                                   \
    VALUE(int, xmlSAXVersion, (xmlSAXHandler *hdlr, int version), (hdlr, version))                \
    VALUE(int, xmlStrEqual, (const xmlChar *str1, const xmlChar *str2), (str1, str2))             \
    VALUE(const xmlChar *, xmlTextReaderConstLocalName, (xmlTextReaderPtr reader), (reader))      \
    VALUE(const xmlChar *, xmlTextReaderConstNamespaceUri, (xmlTextReaderPtr reader), (reader))   \
    VALUE(const xmlChar *, xmlTextReaderConstString, (xmlTextReaderPtr reader, const xmlChar *str), (reader, str)) \
    VALUE(const xmlChar *, xmlTextReaderConstValue, (xmlTextReaderPtr reader), (reader))          \
    VALUE(int, xmlTextReaderDepth, (xmlTextReaderPtr reader), (reader))                           \
    VALUE(int, xmlTextReaderGetParserColumnNumber, (xmlTextReaderPtr reader), (reader))           \
    VALUE(int, xmlTextReaderGetParserLineNumber, (xmlTextReaderPtr reader), (reader))             \
    VALUE(int, xmlTextReaderIsEmptyElement, (xmlTextReaderPtr reader), (reader))                  \
    VALUE(int, xmlTextReaderMoveToAttribute, (xmlTextReaderPtr reader, const xmlChar *name), (reader, name)) \
    VALUE(int, xmlTextReaderMoveToElement, (xmlTextReaderPtr reader), (reader))                   \
    VALUE(int, xmlTextReaderNodeType, (xmlTextReaderPtr reader), (reader))                        \
    VALUE(int, xmlTextReaderRead, (xmlTextReaderPtr reader), (reader))                            \
    VOID(xmlTextReaderSetStructuredErrorHandler, (xmlTextReaderPtr reader, xmlStructuredErrorFunc f, void *arg), \
        (reader, f, arg))                                                                         \
    VOID(xmlSetExternalEntityLoader, (xmlExternalEntityLoader f), (f))                           \
    VOID(xmlSetGenericErrorFunc, (void *ctx, xmlGenericErrorFunc handler), (ctx, handler))

// The loaded library's function of each name.
#define CLIBXML2_POINTER(type, name, parameters, arguments) static type(*loaded_##name) parameters;
#define CLIBXML2_VOID_POINTER(name, parameters, arguments) static void(*loaded_##name) parameters;
CLIBXML2_FUNCTIONS(CLIBXML2_POINTER, CLIBXML2_VOID_POINTER)

// And the project's calls of it, passed on.
#define CLIBXML2_FORWARD(type, name, parameters, arguments) \
    type name parameters { return loaded_##name arguments; }
#define CLIBXML2_VOID_FORWARD(name, parameters, arguments) \
    void name parameters { loaded_##name arguments; }
CLIBXML2_FUNCTIONS(CLIBXML2_FORWARD, CLIBXML2_VOID_FORWARD)

#ifdef __APPLE__
static const char *const library_name = "libxml2.2.dylib";
#else
static const char *const library_name = "libxml2.so.2";
#endif

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_failure;
static char load_message[512];

static void load(void) {
    // Local: its symbols stay out of the process's namespace, as a linked library's would not.
    void *library = dlopen(library_name, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        // Copied: `dlerror`'s message is overwritten by the thread's next failing call.
        const char *message = dlerror();
        snprintf(load_message, sizeof load_message, "%s", message != NULL ? message : library_name);
        load_failure = load_message;
        return;
    }
#define CLIBXML2_RESOLVE(name)                                        \
    *(void **)(&loaded_##name) = dlsym(library, #name);              \
    if (loaded_##name == NULL) {                                      \
        load_failure = "libxml2 has no " #name;                       \
        return;                                                       \
    }
#define CLIBXML2_RESOLVE_VALUE(type, name, parameters, arguments) CLIBXML2_RESOLVE(name)
#define CLIBXML2_RESOLVE_VOID(name, parameters, arguments) CLIBXML2_RESOLVE(name)
    CLIBXML2_FUNCTIONS(CLIBXML2_RESOLVE_VALUE, CLIBXML2_RESOLVE_VOID)
}

const char *clibxml2_load(void) {
    pthread_once(&load_once, load);
    return load_failure;
}

// Hand-written: libxml2's generic error channel is a printf-style (variadic) function, which Swift
// cannot define. Messages without a parser context (an encoding conversion that fails, an I/O
// error) go there, and its default prints them on stderr; each thread that parses keeps them
// instead, the first ones, for the parse that caused them to name.
static _Thread_local char generic_messages[1024];
static _Thread_local size_t generic_length;
static _Thread_local int generic_installed;

static void keep_generic_message(void *context, const char *format, ...) {
    (void)context;
    if (generic_length + 1 >= sizeof generic_messages) return;
    va_list arguments;
    va_start(arguments, format);
    int written = vsnprintf(generic_messages + generic_length, sizeof generic_messages - generic_length, format,
                            arguments);
    va_end(arguments);
    if (written > 0) {
        generic_length += (size_t)written;
        if (generic_length >= sizeof generic_messages) generic_length = sizeof generic_messages - 1;
    }
}

void clibxml2_begin_generic_messages(void) {
    if (!generic_installed) {
        loaded_xmlSetGenericErrorFunc(NULL, keep_generic_message);
        generic_installed = 1;
    }
    generic_length = 0;
    generic_messages[0] = 0;
}

const char *clibxml2_generic_messages(void) { return generic_messages; }
