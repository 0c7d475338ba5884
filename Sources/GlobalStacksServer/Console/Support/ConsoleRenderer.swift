import Mustache

/// Renders console pages from the templates compiled into the binary (`ConsoleTemplates`): one binary, no template
/// files to install. Mustache escapes every `{{value}}` for HTML; the templates never use the unescaped forms.
struct ConsoleRenderer: Sendable {
    private let library: MustacheLibrary

    init() throws {
        var library = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            try library.register(text, named: name)
        }
        self.library = library
    }

    func render(_ template: String, _ page: Any) -> String {
        guard let html = library.render(page, withTemplate: template) else {
            preconditionFailure("console template '\(template)' is not registered")
        }
        return html
    }
}
