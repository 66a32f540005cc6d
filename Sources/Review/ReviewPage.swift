/// The review page: HTML, CSS and JavaScript compiled into the binary (no CDN, no build step),
/// assembled with a fresh nonce for the Content-Security-Policy of each response.
enum ReviewPage {
    static func html(nonce: String) -> String {
        let template = String(decoding: PackageResources.index_html, as: UTF8.self)
        return template.replacingOccurrences(of: "{{nonce}}", with: nonce)
            .replacingOccurrences(of: "{{css}}", with: String(decoding: PackageResources.review_css, as: UTF8.self))
            .replacingOccurrences(of: "{{js}}", with: String(decoding: PackageResources.review_js, as: UTF8.self))
    }
}
