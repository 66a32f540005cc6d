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

/// Loads the system's libxml2 on first use, so that a run which parses no XML (a lexicon edit,
/// a plain-text corpus) does not load it, nor ICU, which Debian's libxml2 links: that took
/// ~1 ms of every start. The libxml2 functions the project calls are declared by the headers
/// above and defined in this module, each passing its call to the loaded library. NULL once
/// loaded (at every later call too), else why it could not be (`dlerror`'s message); call it
/// before any of those functions.
const char *_Nullable clibxml2_load(void);

/// Starts keeping, on this thread, the messages libxml2 sends to its generic error channel
/// (which would print them on stderr), forgetting those kept before; libxml2 must be loaded.
void clibxml2_begin_generic_messages(void);

/// The generic messages kept on this thread since ``clibxml2_begin_generic_messages()`` (their
/// first kilobyte), "" when none.
const char *_Nonnull clibxml2_generic_messages(void);

#endif
