internal import CLibXML2
import Foundation

/// Receives one XML document's elements and text from ``XMLEventParser`` as they are parsed: a
/// value the parser keeps in memory of its own and changes in place, event by event.
protocol XMLEventHandler {
    mutating func start(_ element: XMLElementStart)
    mutating func end(localName: XMLName, namespace: UnsafePointer<xmlChar>?)
    /// Text, CDATA and whitespace, in pieces as the parser finds them (one text may come in several).
    mutating func characters(_ text: UnsafeBufferPointer<UInt8>)
}

/// A name interned in the parser's dictionary: element and attribute local names from the
/// parser compare by pointer.
struct XMLName: Equatable {
    fileprivate let pointer: UnsafePointer<xmlChar>?

    /// Whether a namespace URI from the parser is this one (URIs are compared by pointer first,
    /// then by bytes).
    func isNamespace(_ uri: UnsafePointer<xmlChar>?) -> Bool {
        uri == pointer || (uri != nil && pointer != nil && xmlStrEqual(uri, pointer) == 1)
    }
}

/// An element's start: its local name, namespace URI and attributes, valid only during the call.
struct XMLElementStart {
    let localName: XMLName
    let namespace: UnsafePointer<xmlChar>?
    fileprivate let attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    fileprivate let attributeCount: Int

    /// The value of the attribute with this local name whose namespace passes `namespace`.
    func attribute(_ name: XMLName, namespace: (UnsafePointer<xmlChar>?) -> Bool) -> String? {
        guard let attributes else { return nil }
        for index in 0..<attributeCount {
            // Five pointers per attribute: local name, prefix, URI, value start, value end.
            let base = attributes + index * 5
            guard base[0] == name.pointer, namespace(base[2]), let start = base[3], let end = base[4] else { continue }
            return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        }
        return nil
    }
}

/// Parses one XML document in memory with libxml2's SAX2 interface, handing its events to a
/// handler: for the hot format, a Word body, where the pull reader builds and frees a node per
/// event (in C, the 200 Word bodies of the 10 MB corpus took 48 ms with the reader, 33 with SAX).
///
/// Same safety as ``XMLPullReader``: `XML_PARSE_NONET`, no entity substitution, no DTD loading,
/// the external entity loader refused process-wide, libxml2's default limits. Entity references
/// are dropped, as the pull reader's callers drop them.
enum XMLEventParser {
    /// Parses `data`; `makeHandler` is given a function that interns names in the parser's
    /// dictionary. Throws ``IngestError`` (`malformedXML`) with file, entry, line and column of
    /// the first fatal error.
    static func parse<Handler: XMLEventHandler>(
        _ data: Data, file: String, entry: String? = nil, makeHandler: ((String) -> XMLName) -> Handler
    ) throws -> Handler {
        try XMLSafety.withDocument(data, file: file, entry: entry) { bytes, count in
            guard let context = xmlCreateMemoryParserCtxt(bytes, count), let sax = context.pointee.sax else {
                throw IngestError(.malformedXML, file: file, entry: entry, message: "libxml2 could not start parsing")
            }
            defer {
                if let document = context.pointee.myDoc { xmlFreeDoc(document) }
                xmlFreeParserCtxt(context)
            }
            // The default SAX2 callbacks keep entity declarations and the document shell; the
            // element and text callbacks are replaced, so no tree is built.
            xmlSAXVersion(sax, 2)
            sax.pointee.startElementNs = eventStart
            sax.pointee.endElementNs = eventEnd
            sax.pointee.characters = eventCharacters
            sax.pointee.ignorableWhitespace = eventCharacters
            sax.pointee.cdataBlock = eventCharacters
            sax.pointee.reference = nil
            sax.pointee.comment = nil
            sax.pointee.processingInstruction = nil
            sax.pointee.serror = eventError
            xmlCtxtUseOptions(context, XMLSafety.options)
            let dictionary = context.pointee.dict
            let events = HandlerSink(makeHandler { name in XMLName(pointer: xmlDictLookup(dictionary, name, -1)) })
            // Callbacks get the parser context (the default SAX2 ones need it); ours find the
            // handler in its application field.
            context.pointee._private = Unmanaged.passUnretained(events as EventSink).toOpaque()
            withExtendedLifetime(events) { _ = xmlParseDocument(context) }
            if let error = events.errors.ingestError(file: file, entry: entry) { throw error }
            if context.pointee.wellFormed == 0 {
                throw IngestError(.malformedXML, file: file, entry: entry, message: "the XML is malformed")
            }
            return events.handler.pointee
        }
    }
}

/// What the C callbacks reach through the parser context: the parse's errors, and its handler's
/// events (overridden by ``HandlerSink`` for the handler's type).
private class EventSink {
    let errors = XMLErrorSink()

    func start(_ element: XMLElementStart) {}
    func end(localName: XMLName, namespace: UnsafePointer<xmlChar>?) {}
    func characters(_ text: UnsafeBufferPointer<UInt8>) {}

    /// Calls `body` with the parse's sink, which the parse keeps alive: borrowed, not retained
    /// and released once per event (which was a tenth of reading a Word file with many runs).
    static func with(_ parser: UnsafeMutableRawPointer?, _ body: (EventSink) -> Void) {
        guard let parser, let events = parser.assumingMemoryBound(to: xmlParserCtxt.self).pointee._private else {
            return
        }
        Unmanaged<EventSink>.fromOpaque(events)._withUnsafeGuaranteedRef(body)
    }
}

/// Keeps the handler in memory of its own, changed in place through a pointer: no exclusivity
/// check or copy per event, as a class's stored property would have.
private final class HandlerSink<Handler: XMLEventHandler>: EventSink {
    let handler: UnsafeMutablePointer<Handler>

    init(_ handler: Handler) {
        self.handler = .allocate(capacity: 1)
        self.handler.initialize(to: handler)
    }

    deinit {
        handler.deinitialize(count: 1)
        handler.deallocate()
    }

    override func start(_ element: XMLElementStart) { handler.pointee.start(element) }
    override func end(localName: XMLName, namespace: UnsafePointer<xmlChar>?) {
        handler.pointee.end(localName: localName, namespace: namespace)
    }
    override func characters(_ text: UnsafeBufferPointer<UInt8>) { handler.pointee.characters(text) }
}

private func eventStart(
    _ parser: UnsafeMutableRawPointer?, _ localName: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?, _ namespaceCount: Int32,
    _ namespaces: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?,
    _ attributeCount: Int32, _ defaulted: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    EventSink.with(parser) {
        $0.start(
            XMLElementStart(
                localName: XMLName(pointer: localName), namespace: uri, attributes: attributes,
                attributeCount: Int(attributeCount)))
    }
}

private func eventEnd(
    _ parser: UnsafeMutableRawPointer?, _ localName: UnsafePointer<xmlChar>?, _ prefix: UnsafePointer<xmlChar>?,
    _ uri: UnsafePointer<xmlChar>?
) {
    EventSink.with(parser) { $0.end(localName: XMLName(pointer: localName), namespace: uri) }
}

private func eventCharacters(_ parser: UnsafeMutableRawPointer?, _ text: UnsafePointer<xmlChar>?, _ length: Int32) {
    guard let text, length > 0 else { return }
    EventSink.with(parser) { $0.characters(UnsafeBufferPointer(start: text, count: Int(length))) }
}

private func eventError(_ parser: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
    guard let error else { return }
    EventSink.with(parser) { $0.errors.note(error) }
}
