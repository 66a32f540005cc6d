#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "CLibXML2.h"

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
        xmlSetGenericErrorFunc(NULL, keep_generic_message);
        generic_installed = 1;
    }
    generic_length = 0;
    generic_messages[0] = 0;
}

const char *clibxml2_generic_messages(void) { return generic_messages; }
