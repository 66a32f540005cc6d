#ifndef TRANSCRIPTMINER_CLIBXML2_H
#define TRANSCRIPTMINER_CLIBXML2_H
// Debian's libxml2 is built with ICU, so <libxml/encoding.h> would pull in the system ICU
// headers, whose `UErrorCode` clashes with the copy Foundation ships (_FoundationICU) and breaks
// the build depending on module load order. Nothing here touches the ICU-only fields of
// `xmlCharEncodingHandler` (the project only holds pointers to it), so hide ICU from the headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlerror.h>

/// Starts keeping, on this thread, the messages libxml2 sends to its generic error channel
/// (which would print them on stderr), forgetting those kept before.
void clibxml2_begin_generic_messages(void);

/// The generic messages kept on this thread since ``clibxml2_begin_generic_messages()`` (their
/// first kilobyte), "" when none.
const char *_Nonnull clibxml2_generic_messages(void);

#endif
