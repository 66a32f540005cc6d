#ifndef TRANSCRIPTMINER_CLIBXML2_SHIM_H
#define TRANSCRIPTMINER_CLIBXML2_SHIM_H
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
#endif
